"""`make bench` (second part): how fast the HTTP API answers (issue 4, "Tests and speed").
Prints a report and exits 0; timings never fail anything.

    python -m tracker.launcher exec -- python -m bench.api [--articles 100000] [--events 1000]

1. A corpus in a database of the run's own (dropped at the end): outlets, entities, events
   with translations, participants and relations, ready articles with mentions and event
   links, timelines with citations (``bench.api_corpus``), then VACUUM ANALYZE.
2. gunicorn serves the project with DEBUG off on 127.0.0.1, its URLconf extended by a bare
   Django view returning a fixed JSON body (``bench.urls``), so both go through the same
   processes and middleware.
3. A load generator in a process of its own (wrk when installed, else a Python driver) keeps
   a fixed number of keep-alive connections busy on one endpoint at a time: a warm-up, then
   several rounds of a fixed duration, the endpoints interleaved in each round so that a busy
   machine slows them alike. Reported: requests per second, p50 and p99 latency, and the
   throughput relative to the bare view in the same round (median over rounds). Each API
   endpoint twice: one URL repeated, as many anonymous readers polling a page are served
   (micro-cache hits), and a URL unique to each request (every request built). Then the
   built web pages again with one connection per CPU (``--page-connections``): a reader's
   wait when nothing queues for a core, next to the 8-connection figures (the machine's
   capacity).
4. Where the time goes, in-process (Django's test client, same settings and database): SQL
   statements per request and the time in SQL, serializers, rendering, throttling, the rest.
"""

import argparse
import functools
import os
import platform
import sys
import time
import warnings

import django

# WhiteNoise's note that collectstatic has not run, once per process: not a benchmark matter.
warnings.filterwarnings("ignore", message="No directory at")
os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
django.setup()

import gunicorn  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from bench import load  # noqa: E402
from bench.api_corpus import BENCH_EVENT, ApiCorpus, CorpusSize  # noqa: E402
from bench.api_measure import (  # noqa: E402
    Driver,
    Row,
    check_responses,
    cprofile,
    endpoints,
    in_process_endpoints,
    measure,
    page_endpoints,
    print_profiles,
    print_table,
    profile_in_process,
    say,
    summarise,
)
from bench.api_pages import PageSubjects, page_subjects, rare_word  # noqa: E402
from bench.api_server import ServerConfig, gunicorn_server  # noqa: E402
from bench.console import step  # noqa: E402
from bench.corpus import vacuum_analyze  # noqa: E402
from bench.database import bench_database  # noqa: E402

TARGET = 0.5  # of the bare view's throughput
PAGE_TARGET_MS = 150  # issue 5: web pages "fast on 100k articles", p50 under load


def driver(name: str) -> tuple[Driver, str]:
    """The load generator and how to describe it in the report."""
    if name == "auto":
        name = "wrk" if load.wrk_path() else "python"
    if name == "wrk":
        if load.wrk_path() is None:
            raise SystemExit("error: --driver wrk, but wrk is not installed (apt-get install wrk)")
        return load.run_wrk, "wrk (C, 1 thread, epoll; a separate process)"
    return load.run_python, (
        "Python driver (httpx, one thread per connection, a separate process): it needs CPU "
        "the server could use and its GIL adds to latencies, so the bare view's rate is capped "
        "by the driver and the ratios below flatter the API; install wrk for honest numbers"
    )


# --- the run ------------------------------------------------------------------------------------


def corpus(args: argparse.Namespace) -> tuple[CorpusSize, PageSubjects]:
    builder = ApiCorpus(seed=11)
    with step(f"storing {args.articles:,} articles and {args.events:,} events"):
        stored = builder.build(
            articles=args.articles,
            events=args.events,
            timeline=args.timeline,
            workers=args.loaders,
            progress=_quiet,
        )
    with step("VACUUM ANALYZE"):
        vacuum_analyze()
    pool = [f"{text.title} {text.body}" for text in builder.texts]
    return stored, page_subjects(rare=rare_word(pool))


def _quiet(message: str) -> None:
    pass


def describe_corpus(size: CorpusSize) -> None:
    say(
        f"  corpus: {size.articles:,} articles ({size.listed_articles:,} listed: ready, not "
        f"copies), {size.events:,} events, {size.entities:,} entities, {size.outlets:,} outlets, "
        f"{size.mentions:,} mentions, {size.article_event_links:,} article-event links, "
        f"{size.updates:,} timeline lines with {size.citations:,} citations"
    )
    say(
        f"  benchmarked event {BENCH_EVENT}: {size.bench_event_updates} public timeline lines, "
        f"{size.bench_event_articles:,} linked articles listed"
    )


def verdicts(rows: list[Row], light: list[Row], light_connections: int) -> None:
    say()
    say(f"Target (issue 4): each API endpoint at least {TARGET:.0%} of the bare view's req/s")
    for row in rows[1:]:
        if not row.page:
            verdict = "met" if row.ratio >= TARGET else "NOT met"
            say(f"  {row.endpoint:<34}{row.ratio:6.2f} of bare: {verdict}")
    say(f"Target (issue 5): each web page's p50 under load at most {PAGE_TARGET_MS} ms")
    for row in rows[1:]:
        if row.page:
            verdict = "met" if row.p50_ms <= PAGE_TARGET_MS else "NOT met"
            say(f"  {row.endpoint:<34}{row.p50_ms:6.1f} ms: {verdict}")
    if light:
        say(
            f"  the same with {light_connections} connections (a request per CPU, not queueing "
            "for them), built pages:"
        )
        for row in light[1:]:
            verdict = "met" if row.p50_ms <= PAGE_TARGET_MS else "NOT met"
            say(f"    {row.endpoint:<32}{row.p50_ms:6.1f} ms: {verdict}")
    if any(row.errors for row in [*rows, *light]):
        say("  WARNING: some requests failed (non-2xx or connection errors); see 'errors'")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.api",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--timeline", type=int, default=120, help="lines on the benched event")
    parser.add_argument(
        "--loaders", type=int, default=2, help="threads (database connections) storing the corpus"
    )
    parser.add_argument("--duration", type=float, default=5.0, help="seconds per measurement")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds per endpoint")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument(
        "--page-connections",
        type=int,
        default=2,
        help="connections of the second pass over the built pages (0: none)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gthread worker")
    parser.add_argument("--driver", choices=["auto", "wrk", "python"], default="auto")
    parser.add_argument("--profile", action="store_true", help="also a cProfile, in-process")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    run, described_driver = driver(args.driver)
    config = ServerConfig(workers=args.workers, threads=args.threads)
    say(
        f"API benchmark: {os.cpu_count()} CPUs, load average {_load()}, Python "
        f"{platform.python_version()}, Django {django.__version__}, gunicorn {gunicorn.__version__}"
    )
    with bench_database() as database:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            say(f"database {database} on PostgreSQL {cursor.fetchone()[0]}")
        size, subjects = corpus(args)
        describe_corpus(size)
        say(
            f"  pages: article {subjects.article}, entity {subjects.entity} "
            f"({subjects.entity_mentions:,} mentions), rare word {subjects.rare_word!r}, "
            "an editor's session for the review queue"
        )
        targets = endpoints() + page_endpoints(subjects)
        with gunicorn_server(
            database=database, redis_prefix=settings.REDIS_KEY_PREFIX, config=config
        ) as base_url:
            say(f"  server: {config.describe()}, DEBUG off, at {base_url}")
            say(
                f"  anonymous micro-caches: API {settings.API_ANON_CACHE_SECONDS} s "
                f"(API_ANON_CACHE_SECONDS), pages {settings.WEB_ANON_CACHE_SECONDS} s "
                "(WEB_ANON_CACHE_SECONDS); ': cached' rows repeat one URL (hits, one build per "
                "TTL), ': built' rows make each URL unique (every request built)"
            )
            say(f"  load: {described_driver}; {args.connections} connections")
            shapes = check_responses(base_url, targets)
            for endpoint in targets:
                say(f"    {endpoint.label:<34}{endpoint.path}  ({shapes[endpoint.label]})")
            # The same load settings for both passes; only the connections differ.
            measured = functools.partial(
                measure,
                base_url,
                run=run,
                rounds=args.rounds,
                duration=args.duration,
                warmup=args.warmup,
            )
            with step(
                f"measuring: {args.warmup:g}s warm-up per endpoint, then {args.rounds} rounds "
                f"of {args.duration:g}s per endpoint"
            ):
                results = measured(targets, connections=args.connections)
            # The pages built for every request: unique URLs, and the editor's (a session).
            built = [targets[0], *(e for e in targets if e.page and (e.fresh or e.cookie))]
            light: list[Row] = []
            if args.page_connections and len(built) > 1:
                with step(
                    f"the built pages again with {args.page_connections} connections, "
                    f"{args.rounds} rounds"
                ):
                    light_results = measured(built, connections=args.page_connections)
                light = summarise(light_results)
        rows = summarise(results)
        say()
        say(f"Throughput and latency over HTTP (median of {args.rounds} rounds)")
        print_table(rows, results)
        if light:
            say()
            say(
                f"The built pages with {args.page_connections} connections, as many as the "
                f"machine's {os.cpu_count()} CPUs (median of {args.rounds} rounds)"
            )
            print_table(light, light_results)
        say()
        say("Where the time goes, in-process (same settings and database, no HTTP server)")
        api_targets = [endpoint for endpoint in targets if not endpoint.page]
        pages = [endpoint for endpoint in targets if endpoint.page]
        # Pages take 10-150 ms each in-process: 20 requests give stable medians.
        print_profiles(
            profile_in_process(in_process_endpoints(api_targets), requests=40)
            + profile_in_process(pages, requests=20)
        )
        profiled = cprofile(targets[1:], requests=20) if args.profile else ""
    verdicts(rows, light, args.page_connections)
    if profiled:
        say()
        say("cProfile of the API endpoints in-process, 20 requests each:")
        say(profiled)
    say(f"load average at the end {_load()}; total {time.perf_counter() - started:.0f}s")
    return 0


def _load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
