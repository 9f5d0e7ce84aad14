"""The benchmark's printed report: compact tables, one section per question."""

import re
import statistics
from collections import Counter
from collections.abc import Callable

from bench.console import say
from bench.pages import BenchPage
from bench.runs import Run
from bench.stages import STAGES

KINDS: tuple[str | None, ...] = ("fixture", "compact", "full", None)
# The database part of storing an article, whose cost could grow with the corpus.
STORE_PARTS = (
    "_store",
    "_merge_into_canonical_owner",
    "_original_pick",
    "enrichment_compute",
    "_page_writes",
    "_run",
)
_ARRAY = re.compile(r"'\{[^}]*\}'")


def _cell(value: float | None, digits: int = 1) -> str:
    return f"{'-':>9}" if value is None else f"{value:9.{digits}f}"


def throughput(runs: dict[str, Run], pages: list[BenchPage], bare: str) -> None:
    counts = Counter(page.kind for page in pages)
    sizes = {
        kind: statistics.mean(len(p.body) for p in pages if p.kind == kind) / 1024
        for kind in counts
    }
    say()
    say("Throughput, articles per second (one process, one article at a time)")
    say(f"  {'':<44}" + "".join(f"{k or 'all':>9}" for k in KINDS))
    say(
        f"  {'pages (mean KB)':<44}"
        + "".join(f"{f'{counts[k]} ({sizes[k]:.0f})':>9}" for k in KINDS[:-1])
        + f"{len(pages):>9}"
    )
    for label, run in runs.items():
        say(f"  {label:<44}" + "".join(_cell(run.per_second(k)) for k in KINDS))
    say("  time relative to bare trafilatura.extract")
    for label, run in runs.items():
        if label != bare:
            ratios = [run.total(k) / max(runs[bare].total(k), 1e-9) for k in KINDS]
            say(f"    {label:<42}" + "".join(_cell(r, 2) for r in ratios))


def stages(runs: dict[str, Run]) -> None:
    say()
    say("Where the time goes, ms per article")
    say(f"  {'':<40}" + "".join(f"{label:>16}" for label in runs))
    rows: list[tuple[str, Callable[[Run], float]]] = [("total", Run.mean_ms)]
    rows.append(("register the link; feeds: poll the feed", Run.register_ms))
    for label, _, _ in STAGES:
        rows.append((label, lambda run, label=label: run.stage_ms(label)))
    for label, value in rows:
        values = [value(run) for run in runs.values()]
        if any(values):
            say(f"  {label:<40}" + "".join(f"{v:16.2f}" for v in values))
    say("  (store includes the indented lines and the article's own row, URLs and commit;")
    say("   a feed's poll, shared among its links, includes the feed's fetch, also under fetch)")


def paired(ratios: Callable[[str], list[float]], labels: tuple[str, ...]) -> None:
    """Each pass's time over the bare extraction beside it, pass by pass, and their median."""
    say("  each pass ÷ the bare extraction beside it, in the order run (median)")
    for label in labels:
        each = ratios(label)
        say(
            f"    {label:<42}"
            + "".join(_cell(r, 2) for r in each)
            + f"   ({statistics.median(each):.2f})"
        )


def paired_growth(
    small: Callable[[str], list[float]],
    large: Callable[[str], list[float]],
    labels: tuple[str, ...],
) -> None:
    say("  each pass ÷ the bare extraction beside it, at each size (median; ratio of medians)")
    for label in labels:
        a, b = small(label), large(label)
        ma, mb = statistics.median(a), statistics.median(b)
        cells = "".join(_cell(r, 2) for r in a) + "  |" + "".join(_cell(r, 2) for r in b)
        say(f"    {label:<20}{cells}   ({ma:.2f} → {mb:.2f}: {mb / ma:.2f})")


def growth(small: dict[str, Run], large: dict[str, Run], sizes: tuple[int, int]) -> None:
    say()
    say("Cost per article as the corpus grows (fresh pages each time), ms per article")
    say(f"  {'stored ready articles':<44}{sizes[0]:>9,}{sizes[1]:>9,}{'ratio':>8}")
    store = [label for label, _, name in STAGES if name in STORE_PARTS]
    rows: list[tuple[str, Callable[[dict[str, Run]], float]]] = [
        ("pipeline over HTTP, median", lambda r: r["pipeline"].median_ms()),
        ("pipeline over HTTP, mean", lambda r: r["pipeline"].mean_ms()),
        ("  register (feed link → Article)", lambda r: r["pipeline"].register_ms()),
    ]
    for label in store:
        rows.append((f"  {label}", lambda r, label=label: r["pipeline"].stage_ms(label)))
    rows.append(("article_import_html, median", lambda r: r["import"].median_ms()))
    rows.append(("article_import_html, mean", lambda r: r["import"].mean_ms()))
    for label in store[:3]:
        rows.append((f"  {label}", lambda r, label=label: r["import"].stage_ms(label)))
    for label, value in rows:
        a, b = value(small), value(large)
        say(f"  {label:<44}{a:9.2f}{b:9.2f}{b / max(a, 1e-9):8.2f}")


def statements(small: Run, large: Run, sizes: tuple[int, int], top: int = 6) -> None:
    """The SQL statements costing most per article at scale, next to their cost when small."""
    say()
    say(
        f"Costliest SQL statements of the pipeline at {sizes[1]:,} articles "
        f"(ms per article at {sizes[0]:,} → {sizes[1]:,}; calls per article)"
    )
    n_small, n_large = max(small.count(), 1), max(large.count(), 1)
    for size, run, n in ((sizes[0], small, n_small), (sizes[1], large, n_large)):
        say(
            f"  at {size:,}: {sum(run.query_calls.values()) / n:.1f} statements (commits aside), "
            f"{1000 * sum(run.query_seconds.values()) / n:.2f} ms in the database per article"
        )
    for shape, seconds in large.query_seconds.most_common(top):
        before = 1000 * small.query_seconds.get(shape, 0.0) / n_small
        after = 1000 * seconds / n_large
        calls = large.query_calls[shape] / n_large
        shown = " ".join(shape.replace("events_", "").split())
        say(f"  {before:7.2f} → {after:7.2f}  ×{calls:<4.1f} {shown[:200]}")


def plan(lines: list[str], estimated_rows: str, size: int) -> None:
    say()
    say(f"Duplicate-candidate lookups of storing at {size:,} articles, EXPLAIN ANALYZE:")
    for line in lines:
        if not line.strip().startswith("Buffers"):
            say("    " + _ARRAY.sub("'{…}'", line))
    uses_index = any("Index" in line and "articlebandkey" in line for line in lines)
    say(f"  looks band keys up through their B-tree index: {'yes' if uses_index else 'NO'}")
    say(f"  the planner expected {estimated_rows} rows to share a band key")


def target(label: str, value: float, limit: float) -> None:
    verdict = "met" if value <= limit else "NOT met"
    say(f"  {label}: {value:.2f}x (target ≤ {limit}x: {verdict})")
