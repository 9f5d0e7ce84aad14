"""Small server-side charts: pure geometry, drawn as inline SVG by templates.

No JavaScript and no styles from outside; the templates use SVG presentation attributes
only, which the Content-Security-Policy allows."""

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    start: dt.date
    end: dt.date  # the last day the bar covers (== start for one-day bars)
    count: int


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: tuple[Bar, ...]
    total: int
    peak: int
    first: dt.date | None
    last: dt.date | None
    days_per_bar: int


def bar_chart(
    points: Sequence[tuple[dt.date, int]],
    *,
    width: int = 240,
    height: int = 48,
    max_bars: int = 60,
    gap: float = 1.0,
) -> BarChart:
    """Bars over a continuous day axis from (day, count) points: days without articles are
    gaps, not missing; a long span is bucketed so there are at most ``max_bars`` bars."""
    counts: dict[dt.date, int] = {}
    for day, n in points:
        counts[day] = counts.get(day, 0) + max(0, int(n))
    if not counts:
        return BarChart(width, height, (), 0, 0, None, None, 1)
    first, last = min(counts), max(counts)
    span = (last - first).days + 1
    per_bar = max(1, math.ceil(span / max_bars))
    buckets = math.ceil(span / per_bar)
    totals = [0] * buckets
    for day, n in counts.items():
        totals[(day - first).days // per_bar] += n
    peak = max(totals)
    slot = width / buckets
    bars = []
    for i, n in enumerate(totals):
        bar_height = 0.0 if peak == 0 else max(1.0, height * n / peak) if n else 0.0
        start = first + dt.timedelta(days=i * per_bar)
        end = min(last, start + dt.timedelta(days=per_bar - 1))
        bars.append(
            Bar(
                x=round(i * slot + gap / 2, 2),
                y=round(height - bar_height, 2),
                width=round(max(slot - gap, 0.5), 2),
                height=round(bar_height, 2),
                start=start,
                end=end,
                count=n,
            )
        )
    return BarChart(width, height, tuple(bars), sum(totals), peak, first, last, per_bar)


@dataclass(frozen=True)
class GraphNode:
    x: float
    y: float
    label: str
    url: str
    label_y: float
    center: bool = False


@dataclass(frozen=True)
class GraphEdge:
    x1: float
    y1: float
    x2: float
    y2: float
    label: str
    label_x: float
    label_y: float
    outgoing: bool


@dataclass(frozen=True)
class Graph:
    width: int
    height: int
    nodes: tuple[GraphNode, ...]
    edges: tuple[GraphEdge, ...]


@dataclass(frozen=True)
class Neighbour:
    label: str
    url: str
    relation: str  # as read from the centre: "part of", "prompted"...
    outgoing: bool


def _short(text: str, limit: int = 26) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def relation_graph(
    center: str, neighbours: Sequence[Neighbour], *, width: int = 560, height: int = 300
) -> Graph:
    """The event in the middle, related events on an ellipse around it, one labelled edge
    each. Labels are shortened; the full ones are in the list next to the graph."""
    cx, cy = width / 2, height / 2
    rx, ry = width / 2 - 95, height / 2 - 30
    nodes = [GraphNode(cx, cy, _short(center, 32), "", label_y=cy + 22, center=True)]
    edges = []
    count = len(neighbours)
    for i, neighbour in enumerate(neighbours):
        angle = -math.pi / 2 + 2 * math.pi * i / max(count, 1)
        x, y = round(cx + rx * math.cos(angle), 1), round(cy + ry * math.sin(angle), 1)
        nodes.append(GraphNode(x, y, _short(neighbour.label), neighbour.url, label_y=y - 12))
        edges.append(
            GraphEdge(
                x1=cx,
                y1=cy,
                x2=x,
                y2=y,
                label=neighbour.relation,
                # Nearer the neighbour than the centre, clear of the centre's own label.
                label_x=round(cx + (x - cx) * 0.62, 1),
                label_y=round(cy + (y - cy) * 0.62 - 4, 1),
                outgoing=neighbour.outgoing,
            )
        )
    return Graph(width, height, tuple(nodes), tuple(edges))
