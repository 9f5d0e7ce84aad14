"""`make bench`: how fast ingestion is, and whether its cost per article stays flat as the
corpus grows (issue 3, "Speed"). Prints a report and exits 0; timings never fail anything.

    python -m tracker.launcher exec -- python -m bench.ingest [--corpus 100000] [--profile]

1. Throughput. The fixture pages and generated bg/ru/en news pages (compact ~8 KB, full
   ~95 KB) are served by a local HTTP server in another process and go through the whole
   pipeline as a worker runs it: ``article_register``, then ``article_process`` (safe fetch
   with robots.txt and the Redis host slot, decode, extract, language, fingerprint, store,
   duplicates, entities, suggestions). In the same run: bare ``trafilatura.extract(html)`` on
   the same decoded pages, ``article_import_html`` on the same bytes (no network), and the
   articles queue's view: links registered beforehand the way a feed poll does (one
   transaction for the whole feed), then ``article_process`` alone per article.
   Then two processes at once: two workers processing articles against two processes of bare
   extraction on the same pages (one worker's database waits overlap the other's CPU work).
2. Growth. The cost per article with 1k stored articles and then with 100k (synthetic ready
   articles bulk-inserted with their URLs, raw pages, mentions and suggestions, then VACUUM
   ANALYZE), each time on fresh pages; the SQL statements that grew; the plan of the
   duplicate-candidate query.

One article at a time per process, in a database of the run's own, dropped at the end.
"""

import argparse
import contextlib
import cProfile
import functools
import gc
import io
import multiprocessing
import os
import platform
import pstats
import re
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import django

os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
django.setup()

import trafilatura  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from bench import report  # noqa: E402
from bench.api_server import free_port  # noqa: E402
from bench.console import step  # noqa: E402
from bench.corpus import CorpusFiller, fingerprint_pool, vacuum_analyze  # noqa: E402
from bench.database import bench_database  # noqa: E402
from bench.pages import (  # noqa: E402
    BenchPage,
    TextWriter,
    feed_documents,
    fixture_pages,
    generated_pages,
)
from bench.runs import (  # noqa: E402
    Run,
    _bare,
    _outcome,
    mean_of,
    paired_ratio,
    run_bare,
    run_feeds,
    run_import,
    run_pipeline,
)
from bench.server import page_server  # noqa: E402
from events.ingest.decode import decode_html  # noqa: E402
from events.ingest.fingerprint import fingerprint  # noqa: E402
from events.ingest.language import language_detector  # noqa: E402
from events.models import Article, ArticleEvent, ArticleState, Feed, Mention  # noqa: E402
from events.services import articles  # noqa: E402
from events.services.articles import store  # noqa: E402
from events.services.demo import demo_load  # noqa: E402
from events.services.statements import statements_sql  # noqa: E402

PIPELINE_TARGET = 1.5
GROWTH_TARGET = 1.3
SMALL_CORPUS = 1000
POOL = 2000
BARE = "bare trafilatura.extract(html)"
IMPORT = "article_import_html (no network)"
PIPELINE = "pipeline over HTTP"
FEEDS = "feed polls and their articles"
WORKER = "article_process after a feed poll"
# Each pass's own bare extraction (see throughput).
BESIDE = {
    PIPELINE: "  bare, beside the pipeline over HTTP",
    FEEDS: "  bare, beside the feed polls",
    IMPORT: "  bare, beside article_import_html",
    WORKER: "  bare, beside article_process",
}


@dataclass
class PageSets:
    throughput: list[BenchPage]
    warmups: list[list[BenchPage]]
    at_small: list[BenchPage]
    at_large: list[BenchPage]
    profile: list[BenchPage]
    parallel: list[BenchPage]
    parallel_warmups: list[BenchPage]
    feeds: dict[str, tuple[bytes, str]]  # RSS feeds linking to the throughput pages, a warm-up

    def served(self) -> dict[str, tuple[bytes, str]]:
        every = [*self.throughput, *self.at_small, *self.at_large, *self.profile, *self.parallel]
        every += self.parallel_warmups
        every += [page for warmup in self.warmups for page in warmup]
        return {page.path: (page.body, page.content_type) for page in every} | self.feeds


def page_sets(base_url: str, *, per_language: int, growth_per_language: int) -> PageSets:
    def generated(seed: int, count: int, prefix: str) -> list[BenchPage]:
        return generated_pages(seed=seed, per_language=count, prefix=prefix, base_url=base_url)

    throughput = [*fixture_pages(), *generated(1, per_language, "/t")]
    warmups = [generated(10 + i, 1, f"/w{i}") for i in range(9)]
    return PageSets(
        throughput=throughput,
        warmups=warmups,
        at_small=generated(2, growth_per_language, "/small"),
        at_large=generated(3, growth_per_language, "/large"),
        profile=generated(4, max(2, growth_per_language // 4), "/p"),
        # Longer passes than one-process ones: a busy machine's hiccups weigh less.
        parallel=[*fixture_pages(), *generated(5, 2 * per_language, "/par")],
        parallel_warmups=generated(20, 2, "/pw"),  # 12 pages: two per pipeline process
        feeds=feed_documents(throughput, base_url, "/t")
        | feed_documents(warmups[7], base_url, "/w"),
    )


def _forget(run: Run) -> None:
    """Delete what a pass stored, so the same pages can be stored again as new articles."""
    Article.objects.filter(pk__in=run.article_ids).delete()
    Feed.objects.filter(pk__in=run.feed_ids).delete()


def _decoded(pages: list[BenchPage]) -> dict[str, str]:
    """Each page's text as bare extraction is handed it: decoded as the pipeline decodes."""
    return {
        page.path: decode_html(
            page.body, http_charset=page.content_type.partition("charset=")[2] or None
        ).text
        for page in pages
    }


def _settle_heap() -> None:
    """Collect, then freeze, what this process holds before a pass: the pages, the earlier
    passes' records, the corpus filler's pool. A full collection scans every object not frozen,
    so one that falls in a pass would scan the benchmark's own heap (100-130 ms, where a
    worker's scans only its own) and land in whichever timing runs then, most often the bare
    extraction's, which allocates the most: one such pass read 1.27x where the passes around
    it read 1.45-1.54x. Frozen, a collection in a pass scans only what the pass made, as in a
    worker; the pipeline and the bare extraction beside it run under the same young heap."""
    gc.unfreeze()  # what an earlier pass froze is collected too
    gc.collect()
    gc.freeze()


@dataclass
class Paired:
    """Passes of one process, each kind repeated, with the bare extraction timed beside each
    pass (right before each of its articles)."""

    passes: dict[str, list[Run]]  # label -> its repeated passes
    beside: dict[str, list[Run]]  # label -> the bare extraction beside each

    @classmethod
    def of(cls, *labels: str) -> "Paired":
        return cls(passes={label: [] for label in labels}, beside={label: [] for label in labels})

    def add(self, label: str, timed: Callable[..., Run]) -> Run:
        """Run ``timed`` (a pass, given ``bare=``, the run to time its bare extraction into),
        keep both, and delete what the pass stored, so that the next pass stores the same
        pages anew."""
        _settle_heap()
        bare = Run()
        run = timed(bare=bare)
        self.passes[label].append(run)
        self.beside[label].append(bare)
        _forget(run)
        return run

    def ratios(self, label: str) -> list[float]:
        """Each pass's time over the bare extraction beside it."""
        return [
            paired_ratio(run, bare)
            for run, bare in zip(self.passes[label], self.beside[label], strict=True)
        ]

    def ratio(self, label: str) -> float:
        """The median of :meth:`ratios`: what the targets compare with 1.5x."""
        return statistics.median(self.ratios(label))

    def merged(self) -> dict[str, Run]:
        """Each kind's passes as one (a page's mean time)."""
        return {label: mean_of(runs) for label, runs in self.passes.items()}

    def tables(self) -> dict[str, Run]:
        """Each kind's passes merged (a page's mean time), with the bare extraction's: the
        mean of every bare pass, then each kind's own."""
        every_bare = [run for runs in self.beside.values() for run in runs]
        merged = {BARE: mean_of(every_bare), **self.merged()}
        merged |= {BESIDE[label]: mean_of(runs) for label, runs in self.beside.items()}
        return merged


def throughput(sets: PageSets, base_url: str, *, repeats: int) -> Paired:
    """The one-process passes, ``repeats`` times over: the pipeline over HTTP, the import of
    the same bytes, ``article_process`` of links a poll registered, in turn, each article
    after bare extraction of its page. The machine's speed moves by up to 1.7x within
    seconds here (a pure-Python loop: 86 or 150 ms), so one pass of each kind is a sample,
    and the targets take the median of the passes' paired ratios."""
    texts = _decoded(sets.throughput)
    result = Paired.of(PIPELINE, FEEDS, IMPORT, WORKER)

    def one(label: str, timed: Callable[..., Run], warm_up: Callable[[], object]) -> None:
        if not result.passes[label]:
            warm_up()
        result.add(label, timed)

    run_bare(sets.throughput[:6], texts)  # warm-up
    pages = len(sets.throughput)
    with step(f"{repeats} x: pipeline over HTTP, import, article_process, {pages} pages each"):
        for _ in range(repeats):
            one(
                PIPELINE,
                lambda bare: run_pipeline(sets.throughput, base_url, bare=bare, texts=texts),
                lambda: run_pipeline(sets.warmups[0], base_url),
            )
            one(
                FEEDS,
                lambda bare: run_feeds(sets.throughput, base_url, "/t", bare=bare, texts=texts),
                lambda: run_feeds(sets.warmups[7], base_url, "/w"),
            )
            one(
                IMPORT,
                lambda bare: run_import(sets.throughput, bare=bare, texts=texts),
                lambda: run_import(sets.warmups[1]),
            )
            one(
                WORKER,
                lambda bare: run_worker(sets.throughput, base_url, bare=bare, texts=texts),
                lambda: run_worker(sets.warmups[6], base_url),
            )
    for label, runs in result.passes.items():
        # Every pass stores the same pages anew: their outcomes must agree.
        outcomes = [dict(run.outcomes) for run in runs]
        same = all(outcome == outcomes[0] for outcome in outcomes)
        shown = f"{outcomes[0]} (each pass)" if same else " / ".join(map(str, outcomes))
        report.say(f"    {label}: {shown}")
    return result


def _register_as_a_poll(pages: list[BenchPage], base_url: str) -> list[int]:
    """Register the pages' links as ``feed_poll`` does: all in one transaction."""
    with transaction.atomic():
        ids = [articles.article_register(url=base_url + page.path) for page in pages]
    return [article_id for article_id in ids if article_id is not None]


def run_worker(
    pages: list[BenchPage],
    base_url: str,
    *,
    bare: Run | None = None,
    texts: dict[str, str] | None = None,
) -> Run:
    """Each page as the articles queue's task sees it: its link registered by a poll before
    (not timed), then ``article_process``."""
    run = Run()
    ids = _register_as_a_poll(pages, base_url)
    with run.stages.watch():
        for page, article_id in zip(pages, ids, strict=True):
            _bare(bare, page, texts)
            started = time.perf_counter()
            outcome = articles.article_process(article_id=article_id)
            run.add(page, time.perf_counter() - started, _outcome(outcome))
            run.article_ids.append(outcome.merged_into or article_id)
    return run


# --- several processes at once ---------------------------------------------------------------

PIPELINE_PROCESSES = (2, 3, 4, 6)
BARE_PROCESSES = (1, 2, 3)
# The parallel pages are fetched from several loopback hosts: the fetcher allows two requests
# in flight per host (politeness), a limit a worker fetching from many outlets rarely meets.
PARALLEL_HOSTS = tuple(f"127.0.0.{n}" for n in range(2, 8))


@contextlib.contextmanager
def _loopback_servers(pages: dict[str, tuple[bytes, str]], port: int) -> Iterator[None]:
    """The same pages on the other loopback hosts, one process each."""
    with contextlib.ExitStack() as servers:
        for host in PARALLEL_HOSTS:
            servers.enter_context(page_server(pages, port=port, host=host))
        yield


def _pool_child(mode: str, database: str, setup: list[Any], orders: Any, results: Any) -> None:
    """One long-lived process of the parallel section. ``pipeline``: warm up on the article
    ids in ``setup``, then for each order (article ids, start time) run ``article_process``
    on each, as a worker process does. ``bare``: ``setup`` is the decoded pages; an order is
    page indexes to extract. Reports (finish time, CPU seconds) per order."""
    settings.DATABASES["default"]["NAME"] = connection.settings_dict["NAME"] = database
    if mode == "bare":
        trafilatura.extract(setup[0])
    else:
        language_detector()
        for article_id in setup:
            articles.article_process(article_id=article_id)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            results.put(cursor.fetchone()[0])
    while (order := orders.get()) is not None:
        work, start_at = order
        time.sleep(max(0.0, start_at - time.monotonic()))
        cpu = time.process_time()
        for item in work:
            if mode == "bare":
                trafilatura.extract(setup[item])
            else:
                articles.article_process(article_id=item)
        results.put((time.monotonic(), time.process_time() - cpu))
    connection.close()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process (a database backend), 0 if it cannot be read."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            fields = stat.read().rpartition(")")[2].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@dataclass
class Pass:
    kind: str  # "bare" or "pipeline"
    processes: int
    articles: int
    seconds: float
    cpu: float  # the processes' own CPU seconds
    database_cpu: float = 0.0  # their database backends' CPU seconds (pipeline)

    def per_second(self) -> float:
        return self.articles / self.seconds


class _Pool:
    """Processes started once, warmed up once, given a share of each pass."""

    def __init__(self, mode: str, setups: list[list[Any]]) -> None:
        context = multiprocessing.get_context("spawn")
        self.results = [context.Queue() for _ in setups]
        self.orders = [context.Queue() for _ in setups]
        database = connection.settings_dict["NAME"]
        self.processes = [
            context.Process(
                target=_pool_child, args=(mode, database, setup, orders, results), daemon=True
            )
            for setup, orders, results in zip(setups, self.orders, self.results, strict=True)
        ]
        for process in self.processes:
            process.start()
        self.backends = (
            [int(results.get(timeout=600)) for results in self.results] if mode != "bare" else []
        )

    def run(self, shares: list[list[Any]]) -> tuple[float, float, float]:
        """Every share to a process of its own, all starting at once: seconds until the last
        finished, CPU seconds of the processes and of their database backends."""
        backends = self.backends[: len(shares)]
        database_cpu = sum(_cpu_seconds(pid) for pid in backends)
        start_at = time.monotonic() + 0.3
        for orders, share in zip(self.orders, shares, strict=False):
            orders.put((share, start_at))
        done = [results.get(timeout=600) for results in self.results[: len(shares)]]
        database_cpu = sum(_cpu_seconds(pid) for pid in backends) - database_cpu
        return max(end for end, _ in done) - start_at, sum(c for _, c in done), database_cpu

    def close(self) -> None:
        for orders in self.orders:
            orders.put(None)
        for process in self.processes:
            process.join(timeout=30)
            if process.is_alive():
                process.terminate()


def parallel(sets: PageSets, base_url: str, *, rounds: int = 3) -> list[Pass]:
    """Pipeline processes (2, 3, 4, 6, each running ``article_process`` one article at a time
    as a worker's pool process does) against bare extraction in 1, 2 and 3 processes, on the
    same pages; all kinds of pass alternate, ``rounds`` times, so that a busy machine weighs
    on all alike."""
    pages = sets.parallel
    decoded = _decoded(pages)
    texts = [decoded[page.path] for page in pages]
    port = base_url.rpartition(":")[2]
    urls = [
        f"http://{PARALLEL_HOSTS[i % len(PARALLEL_HOSTS)]}:{port}{page.path}"
        for i, page in enumerate(pages)
    ]
    warmups = sets.parallel_warmups
    with transaction.atomic():
        warm_ids = [articles.article_register(url=base_url + page.path) for page in warmups]
    assert None not in warm_ids  # noqa: S101 - fresh pages
    per_child = len(warm_ids) // max(PIPELINE_PROCESSES)
    connection.close()  # the children open their own
    pipeline = _Pool(
        "pipeline",
        [warm_ids[i * per_child : (i + 1) * per_child] for i in range(max(PIPELINE_PROCESSES))],
    )
    bare = _Pool("bare", [texts] * max(BARE_PROCESSES))
    passes = []
    try:
        for _ in range(rounds):
            order = [("bare", n) for n in BARE_PROCESSES] + [
                ("pipeline", n) for n in PIPELINE_PROCESSES
            ]
            # Interleaved: bare 1, pipeline 2, bare 2, pipeline 3, bare 3, pipeline 4, 6.
            order = [order[i] for i in (0, 3, 1, 4, 2, 5, 6)]
            for kind, n in order:
                if kind == "bare":
                    indexes = list(range(len(texts)))
                    seconds, cpu, _ = bare.run([indexes[i::n] for i in range(n)])
                    passes.append(Pass(kind, n, len(texts), seconds, cpu))
                    continue
                with transaction.atomic():
                    registered = [articles.article_register(url=url) for url in urls]
                ids = [article_id for article_id in registered if article_id is not None]
                connection.close()
                seconds, cpu, db_cpu = pipeline.run([ids[i::n] for i in range(n)])
                passes.append(Pass(kind, n, len(ids), seconds, cpu, db_cpu))
                # Stored again as new articles in the next pass.
                Article.objects.filter(pk__in=ids).delete()
                connection.close()
    finally:
        pipeline.close()
        bare.close()
    return passes


def measure(
    pages: list[BenchPage], warmups: list[list[BenchPage]], base_url: str, *, repeats: int
) -> tuple[Paired, dict[str, Run]]:
    """The pipeline on half the pages and the import on the other half, ``repeats`` times
    over, each article after bare extraction of its page; the first passes' statements
    captured (returned apart)."""
    texts = _decoded(pages)
    run_pipeline(warmups[0], base_url)
    run_import(warmups[1])
    result = Paired.of("pipeline", "import")
    captured: dict[str, Run] = {}
    for repeat in range(repeats):
        first = not repeat  # statements captured in the first passes only
        pipeline = functools.partial(
            run_pipeline, pages[0::2], base_url, capture=first, texts=texts
        )
        imported = functools.partial(run_import, pages[1::2], capture=first, texts=texts)
        captured.setdefault("pipeline", result.add("pipeline", pipeline))
        captured.setdefault("import", result.add("import", imported))
    return result, captured


def duplicate_query_plan() -> tuple[list[str], str]:
    """EXPLAIN ANALYZE of the duplicate-candidate lookups as storing runs them: in the locking
    statement, prepared, on its generic plan, for the fingerprint of a text that is not
    stored; and the planner's estimate of the rows one band key finds."""
    article = Article.objects.filter(state=ArticleState.READY).order_by("-id").first()
    assert article is not None  # noqa: S101 - the corpus was just filled
    params = store._duplicate_params(article.pk, fingerprint(TextWriter(99).text("bg").body))
    with transaction.atomic(), connection.cursor() as cursor:
        sql = statements_sql(cursor, (store._LOCK_NO_OWNER,))
        cursor.execute(f"SET LOCAL plan_cache_mode = {store._LOCK_PLANS}")
        cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) {sql}", params)
        lines = [row[0] for row in cursor.fetchall()]
        cursor.execute(f"EXPLAIN {sql}", params)
        scans = [row[0] for row in cursor.fetchall() if "Scan" in row[0]]
    # The estimate that decides the plan: rows of the band-key lookup.
    scan = next((line for line in scans if "bandkey" in line), scans[0])
    estimate = re.search(r"rows=(\d+)", scan)
    return lines, estimate.group(1) if estimate else "?"


@dataclass
class Growth:
    sizes: list[int]  # ready articles at each measurement
    paired: list[Paired]  # at each size
    captured: list[dict[str, Run]]  # the first passes at each size, statements captured

    def ratio(self, label: str) -> float:
        """The cost at the large size over the cost at the small one, each the median of its
        passes' time over the bare extraction beside them."""
        return self.paired[1].ratio(label) / self.paired[0].ratio(label)

    def raw_ratio(self, label: str) -> float:
        """The same from the median article's time alone, without the bare extraction."""
        small, large = (paired.merged()[label].median_ms() for paired in self.paired)
        return large / small


def growth(sets: PageSets, base_url: str, corpus: int, *, repeats: int) -> Growth:
    """Measure at 1k stored articles, then at ``corpus``. The two are minutes apart (filling
    the corpus), so each pass is compared with the bare extraction beside it, as the
    one-process passes are."""
    with step(f"fingerprinting a pool of {POOL:,} generated texts"):
        filler = CorpusFiller(fingerprint_pool(size=POOL, seed=7), seed=8)
    result = Growth(sizes=[], paired=[], captured=[])
    for target, pages, warmups in (
        (SMALL_CORPUS, sets.at_small, sets.warmups[2:4]),
        (corpus, sets.at_large, sets.warmups[4:6]),
    ):
        with step(f"filling the corpus to {target:,} ready articles"):
            filler.fill(target=target)
        with step("VACUUM ANALYZE"):
            vacuum_analyze()
        result.sizes.append(Article.objects.filter(state=ArticleState.READY).count())
        with step(f"measuring at {result.sizes[-1]:,} stored articles, {repeats} x"):
            paired, captured = measure(pages, warmups, base_url, repeats=repeats)
        result.paired.append(paired)
        result.captured.append(captured)
    return result


def profile(pages: list[BenchPage], base_url: str) -> str:
    profiler = cProfile.Profile()
    profiler.runcall(run_pipeline, pages, base_url)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(r"articles|enrichment|fetch|extract|language", 25)
    stats.print_callees(r"_store|article_enrich")
    return out.getvalue()


def summary(runs: Paired, grown: Growth, pages: list[BenchPage]) -> None:
    tables = runs.tables()
    report.throughput(tables, pages, BARE)
    report.paired(runs.ratios, (PIPELINE, FEEDS, IMPORT, WORKER))
    report.stages(
        {
            "pipeline": tables[PIPELINE],
            "feeds": tables[FEEDS],
            "import": tables[IMPORT],
            "worker": tables[WORKER],
        }
    )
    sizes = (grown.sizes[0], grown.sizes[1])
    report.growth(grown.paired[0].merged(), grown.paired[1].merged(), sizes)
    report.paired_growth(grown.paired[0].ratios, grown.paired[1].ratios, ("pipeline", "import"))
    links, mentions = ArticleEvent.objects.count(), Mention.objects.count()
    report.say(f"  (at scale also {links:,} article-event links and {mentions:,} mentions)")
    report.statements(grown.captured[0]["pipeline"], grown.captured[1]["pipeline"], sizes)


def _best(passes: list[Pass], kind: str) -> tuple[int, float]:
    """The process count with the highest median throughput, and that median."""
    medians = {
        n: statistics.median(p.per_second() for p in passes if (p.kind, p.processes) == (kind, n))
        for n in sorted({p.processes for p in passes if p.kind == kind})
    }
    best = max(medians, key=lambda n: medians[n])
    return best, medians[best]


def _cpu_ms(passes: list[Pass], kind: str, *, database: bool = False) -> float:
    return 1000 * statistics.median(
        (p.database_cpu if database else p.cpu) / p.articles for p in passes if p.kind == kind
    )


def parallel_report(passes: list[Pass]) -> None:
    pages = passes[0].articles
    rounds = sum(1 for p in passes if (p.kind, p.processes) == ("bare", 1))
    report.say()
    report.say(
        f"Several processes at once, {pages} pages shared between them, articles per second "
        f"({rounds} rounds, the passes alternate; {os.cpu_count()} CPUs)"
    )
    report.say(f"  {'':<36}{'processes':>10}{'median':>9}   rounds")
    for kind, label in (("bare", BARE), ("pipeline", "article_process per process")):
        for n in sorted({p.processes for p in passes if p.kind == kind}):
            rates = [p.per_second() for p in passes if (p.kind, p.processes) == (kind, n)]
            each = " ".join(f"{rate:6.1f}" for rate in rates)
            report.say(f"  {label:<36}{n:>10}{statistics.median(rates):9.1f}   {each}")
            label = ""
    per_round = len(BARE_PROCESSES) + len(PIPELINE_PROCESSES)
    ratios = [
        max(p.per_second() for p in passes[i : i + per_round] if p.kind == "bare")
        / max(p.per_second() for p in passes[i : i + per_round] if p.kind == "pipeline")
        for i in range(0, len(passes), per_round)
    ]
    report.say("  best bare ÷ best pipeline, each round: " + " ".join(f"{r:.2f}" for r in ratios))
    report.say("  CPU per article, ms (median over passes, whatever the process count)")
    report.say(f"    {BARE}: {_cpu_ms(passes, 'bare'):.1f}")
    report.say(f"    pipeline processes: {_cpu_ms(passes, 'pipeline'):.1f}")
    report.say(
        f"    their database backends: {_cpu_ms(passes, 'pipeline', database=True):.1f}"
        " (the page servers and Redis not counted)"
    )


def targets(runs: Paired | None, grown: Growth | None, passes: list[Pass]) -> None:
    report.say()
    report.say("Targets (issue 3):")
    if runs is not None:
        every_bare = runs.tables()[BARE]
        for label, title in (
            (PIPELINE, "pipeline time ÷ bare extraction beside it, one at a time"),
            (FEEDS, "  the same for feed polls of 25 links and their articles"),
            (WORKER, "  the same for article_process after a poll"),
        ):
            mean = mean_of(runs.passes[label]).total() / every_bare.total()
            report.target(
                f"{title}, median of {len(runs.passes[label])} passes (÷ every bare pass: "
                f"{mean:.2f}x)",
                runs.ratio(label),
                PIPELINE_TARGET,
            )
    pipeline_n, pipeline = _best(passes, "pipeline")
    bare_n, bare = _best(passes, "bare")
    report.target(
        f"best throughput (medians), bare ({bare_n} processes) ÷ pipeline ({pipeline_n} processes)",
        bare / pipeline,
        PIPELINE_TARGET,
    )
    ratio = _cpu_ms(passes, "pipeline") / _cpu_ms(passes, "bare")
    report.target("CPU per article, pipeline processes ÷ bare", ratio, PIPELINE_TARGET)
    with_database = _cpu_ms(passes, "pipeline") + _cpu_ms(passes, "pipeline", database=True)
    report.say(
        f"    the same with their database backends (not a target; what bounds throughput "
        f"when the cores are the limit): {with_database / _cpu_ms(passes, 'bare'):.2f}x"
    )
    if grown is None:
        return
    sizes = grown.sizes
    for label, kind in (
        (f"cost per article at {sizes[1]:,} ÷ at {sizes[0]:,}, each ÷ bare beside it", "pipeline"),
        ("  the same for article_import_html", "import"),
    ):
        report.target(
            f"{label} (median article alone: {grown.raw_ratio(kind):.2f}x)",
            grown.ratio(kind),
            GROWTH_TARGET,
        )


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.ingest", description=__doc__)
    parser.add_argument("--corpus", type=int, default=100_000, help="stored articles at scale")
    parser.add_argument("--pages", type=int, default=25, help="generated pages per language/size")
    parser.add_argument("--growth-pages", type=int, default=20, help="per language/size/corpus")
    parser.add_argument("--profile", action="store_true", help="cProfile the pipeline at scale")
    parser.add_argument(
        "--parallel-only", action="store_true", help="only the several-processes section"
    )
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the parallel section")
    parser.add_argument(
        "--repeats", type=int, default=5, help="passes of each one-process kind, of growth"
    )
    args = parser.parse_args(argv)
    if args.corpus <= SMALL_CORPUS:
        parser.error(f"--corpus must be above {SMALL_CORPUS}")
    started = time.perf_counter()
    # The pages name their own canonical URLs, so the port is chosen before they are written.
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    sets = page_sets(base_url, per_language=args.pages, growth_per_language=args.growth_pages)
    report.say(
        f"Ingestion benchmark: {os.cpu_count()} CPUs, Python {platform.python_version()}, "
        f"trafilatura {trafilatura.__version__}; load average {_load()}"
    )
    runs, grown = None, None
    with (
        page_server(sets.served(), port=port),
        _loopback_servers(sets.served(), port),
        bench_database() as database,
    ):
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
        report.say(f"database {database} on PostgreSQL {version}; pages at {base_url}")
        with step("loading the demo (entities, aliases, events) and the language models"):
            demo_load()
            language_detector()
        if not args.parallel_only:
            runs = throughput(sets, base_url, repeats=args.repeats)
        processes = f"{PIPELINE_PROCESSES} pipeline and {BARE_PROCESSES} bare processes"
        with step(f"{processes}, {len(sets.parallel)} pages, {args.rounds} rounds"):
            passes = parallel(sets, base_url, rounds=args.rounds)
        if runs is not None:
            grown = growth(sets, base_url, args.corpus, repeats=args.repeats)
            summary(runs, grown, sets.throughput)
        parallel_report(passes)
        plan = duplicate_query_plan() if grown is not None else None
        profiled = profile(sets.profile, base_url) if args.profile and grown else ""
    if plan is not None and grown is not None:
        report.plan(*plan, grown.sizes[1])
    if profiled:
        report.say()
        report.say("Profile of the pipeline at scale (cProfile):")
        report.say(profiled)
    targets(runs, grown, passes)
    report.say(f"load average at the end {_load()}")
    report.say(f"total {time.perf_counter() - started:.0f}s")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
