"""Small server-side charts: pure geometry, drawn as inline SVG.

No JavaScript and no styles from outside; the markup uses SVG presentation attributes
only, which the Content-Security-Policy allows. The bar chart's markup is built here rather
than in a template: a home page draws 20 of them with up to 60 bars each, and a template
loop with filters and a plural translation per bar cost ~66 ms of the page."""

import datetime as dt
import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext, ngettext


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


class _Days:
    """Days as the ``date`` filter writes "j M Y" and "j M", with the (translated) month
    name formatted by ``date_format`` once per month rather than once per bar."""

    def __init__(self) -> None:
        self.months: dict[tuple[int, int], str] = {}

    def month(self, day: dt.date) -> str:
        key = (day.year, day.month)
        if key not in self.months:
            self.months[key] = date_format(day, "M")
        return self.months[key]

    def short(self, day: dt.date | None) -> str:  # "j M"
        return "" if day is None else f"{day.day} {self.month(day)}"

    def long(self, day: dt.date | None) -> str:  # "j M Y"
        return "" if day is None else f"{day.day} {self.month(day)} {day.year:04d}"


def bar_chart_svg(chart: BarChart, chart_id: object) -> SafeString:
    """The chart as a <figure>: an SVG image titled with the total and the span, one <rect>
    per non-empty bar titled with its days and count, and a caption. Every interpolated
    value is escaped; ``chart_id`` keeps the title's id unique on a page of charts."""
    days = _Days()
    bars: list[tuple[float, float, float, float, str, str]] = []
    labels: dict[int, str] = {}  # many bars share a count; translate each count once
    for bar in chart.bars:
        if not bar.count:
            continue
        if bar.start == bar.end:
            span = days.long(bar.start)
        else:
            span = f"{days.short(bar.start)} – {days.long(bar.end)}"
        if bar.count not in labels:
            labels[bar.count] = ngettext("%(n)s article", "%(n)s articles", bar.count) % {
                "n": bar.count
            }
        bars.append((bar.x, bar.y, bar.width, bar.height, span, labels[bar.count]))
    title = ngettext(
        "Coverage: %(total)s article from %(first)s to %(last)s",
        "Coverage: %(total)s articles from %(first)s to %(last)s",
        chart.total,
    ) % {
        "total": chart.total,
        "first": days.long(chart.first),
        "last": days.long(chart.last),
    }
    if chart.days_per_bar == 1:
        per = gettext("Articles per day")
    else:
        per = ngettext("Articles per %(n)s day", "Articles per %(n)s days", chart.days_per_bar) % {
            "n": chart.days_per_bar
        }
    return format_html(
        '<figure class="chart">\n'
        '<svg class="bar-chart" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img"'
        ' aria-labelledby="chart-title-{id}" preserveAspectRatio="none" focusable="false">\n'
        '  <title id="chart-title-{id}">{title}</title>\n'
        '  <line x1="0" y1="{h}" x2="{w}" y2="{h}" stroke="#c4cbd3" stroke-width="1"/>\n'
        "  {bars}\n"
        "</svg>\n"
        '<figcaption class="meta">{per} · {first}–{last}</figcaption>\n'
        "</figure>\n",
        w=chart.width,
        h=chart.height,
        id=chart_id,
        title=title,
        bars=format_html_join(
            "",
            '<rect x="{}" y="{}" width="{}" height="{}" fill="#0b5cad">'
            "<title>{}: {}</title></rect>",
            bars,
        ),
        per=per,
        first=days.short(chart.first),
        last=days.long(chart.last),
    )


# Bump when bar_chart_svg's markup changes, so no older chart is served after a deploy.
CHART_CACHE_VERSION = 1
CHART_CACHE_SECONDS = 3600


def bar_charts_svg(
    points: Mapping[object, Sequence[tuple[dt.date, int]]], *, width: int = 240, height: int = 48
) -> dict[object, SafeString]:
    """:func:`bar_chart_svg` of :func:`bar_chart` of each chart's (day, count) points, keyed by
    the chart's id, kept in the cache under what the markup is made of: the points, the size,
    the id and the UI language. A home page's 20 charts cost ~15 ms to draw and change only
    when an article is linked, so a request reads them in one round trip and draws only the
    changed ones (the key hashes the points, not the drawn bars: cheaper)."""
    language = get_language() or ""
    keys = {
        chart_id: _chart_key((list(series), width, height, str(chart_id), language))
        for chart_id, series in points.items()
    }
    stored = cache.get_many(list(keys.values()))
    drawn: dict[object, SafeString] = {}
    missing: dict[str, str] = {}
    for chart_id, series in points.items():
        html = stored.get(keys[chart_id])
        if html is None:
            chart = bar_chart(series, width=width, height=height)
            html = missing[keys[chart_id]] = bar_chart_svg(chart, chart_id)
        # Drawn by bar_chart_svg, which escapes every value (or read back from where it was
        # stored).
        drawn[chart_id] = mark_safe(html)  # noqa: S308
    if missing:
        cache.set_many(missing, CHART_CACHE_SECONDS)
    return drawn


def _chart_key(shape: object) -> str:
    digest = hashlib.sha256(repr(shape).encode()).hexdigest()[:32]
    return f"bar-chart:{CHART_CACHE_VERSION}:{digest}"


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
