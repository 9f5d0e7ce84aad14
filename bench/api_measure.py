"""The API benchmark's measuring parts, free of settings side effects (the smoke test imports
them): the endpoints, rounds of load against a server, the report rows, and an in-process
breakdown of where a request's time goes."""

import contextlib
import cProfile
import functools
import io
import json
import pstats
import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.db import connection
from django.db.models import QuerySet
from django.template.base import Template
from django.test import Client
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from bench import load
from bench.api_corpus import BENCH_EVENT
from bench.api_pages import PageSubjects, page_paths
from bench.console import say
from events.api import serializers as api_serializers
from events.api import throttling

BARE = "bare Django view"
PLAN_LINES = 12
# Plan lines left out of the report: buffer counts and cache statistics.
_PLAN_DETAILS = (
    "Buffers:",
    "Index Searches:",
    "Cache Key:",
    "Cache Mode:",
    "Hits:",
    "Batches:",
    "Planning",
    "Execution Time",
    "Sort Method:",
)
Driver = Callable[..., load.Measurement]


@dataclass(frozen=True)
class Endpoint:
    label: str
    path: str
    # A query parameter unique to each request (over HTTP and in-process), so that no cache
    # answers it (the anonymous micro-caches, events.api.microcache and events.web.pagecache,
    # nor the API timeline's bodies, events.api.conditional): every request is built. (The
    # event page's timeline fragment, events.web.timeline, keys on the page number alone and
    # still comes from its cache, as for any reader while the timeline is unchanged.)
    fresh: bool = False
    cookie: str = ""  # a Cookie header sent with every request (an editor's session)
    page: bool = False  # a web page (HTML), not the API

    def request_path(self, n: int) -> str:
        if not self.fresh:
            return self.path
        return f"{self.path}{'&' if '?' in self.path else '?'}bench-request={n}"


CACHED = ": cached"  # anonymous readers polling the same page: micro-cache hits
BUILT = ": built"  # the cache bypassed (a URL unique to each request): every request built


def endpoints(event: str = BENCH_EVENT) -> list[Endpoint]:
    """The bare view, then each API endpoint twice: as anonymous readers polling it are
    served (from the micro-cache, all but one request per TTL) and built on every request."""
    api = [
        ("timeline", f"/api/v1/events/{event}/timeline/"),
        ("articles", "/api/v1/articles/"),
        ("articles ?language=bg", "/api/v1/articles/?language=bg"),
        ("articles ?event=<slug>", f"/api/v1/articles/?event={event}"),
    ]
    return [Endpoint(BARE, "/bench/bare/")] + [
        Endpoint(label + suffix, path, fresh=fresh)
        for label, path in api
        for suffix, fresh in ((CACHED, False), (BUILT, True))
    ]


def page_endpoints(subjects: PageSubjects, event: str = BENCH_EVENT) -> list[Endpoint]:
    """The web pages (issue 5), measured in the same rounds as the API. Each anonymous page
    twice, as the API endpoints: one URL repeated (served by the pages' micro-cache,
    events.web.pagecache, all but about one request per TTL) and a URL unique to each request
    (a parameter the views ignore: every request built, and kept under its own key). The
    editor's review queue once: a signed-in editor's page is always built."""
    pages = []
    for label, path, cookie in page_paths(subjects, event):
        if cookie:
            pages.append(Endpoint(label, path, cookie=cookie, page=True))
            continue
        pages += [
            Endpoint(label + suffix, path, fresh=fresh, page=True)
            for suffix, fresh in ((CACHED, False), (BUILT, True))
        ]
    return pages


def in_process_endpoints(targets: list[Endpoint]) -> list[Endpoint]:
    """The endpoints measured over HTTP plus, in-process only, the timeline and the article
    list built with pages of 10 rows, which separate the cost per row from the cost per
    request."""
    built = [endpoint for endpoint in targets if endpoint.fresh][:2]  # timeline, articles
    return [
        *targets,
        *(Endpoint(f"{e.label} ?page_size=10", _small(e), fresh=True) for e in built),
    ]


def _small(endpoint: Endpoint) -> str:
    return f"{endpoint.path}{'&' if '?' in endpoint.path else '?'}page_size=10"


@dataclass
class Result:
    endpoint: Endpoint
    runs: list[load.Measurement] = field(default_factory=list)


@dataclass(frozen=True)
class Row:
    """One line of the report; values are medians over the rounds."""

    endpoint: str
    path: str
    per_second: float
    p50_ms: float
    p99_ms: float
    ratio: float  # requests per second ÷ the bare view's, in the same round
    errors: int  # non-2xx responses and connection errors, all rounds
    requests: int  # 2xx responses, all rounds
    page: bool = False


def measure(
    base_url: str,
    targets: list[Endpoint],
    *,
    run: Driver,
    rounds: int,
    duration: float,
    warmup: float,
    connections: int,
    max_requests: int = 0,
) -> list[Result]:
    """A warm-up of each endpoint, then ``rounds`` rounds of each, interleaved."""
    limit = {"max_requests": max_requests} if max_requests else {}
    results = [Result(endpoint) for endpoint in targets]
    if warmup > 0:
        for result in results:
            run(
                base_url,
                result.endpoint.path,
                duration=warmup,
                connections=connections,
                cookie=result.endpoint.cookie,
                fresh=result.endpoint.fresh,
                **limit,
            )
    for _ in range(rounds):
        for result in results:
            result.runs.append(
                run(
                    base_url,
                    result.endpoint.path,
                    duration=duration,
                    connections=connections,
                    cookie=result.endpoint.cookie,
                    fresh=result.endpoint.fresh,
                    **limit,
                )
            )
    return results


def summarise(results: list[Result]) -> list[Row]:
    """Medians over rounds; the first result is the bare view every ratio is taken against."""
    bare = results[0].runs
    rows = []
    for result in results:
        runs = result.runs
        ratios = [
            run.per_second / base.per_second if base.per_second else 0.0
            for run, base in zip(runs, bare, strict=True)
        ]
        rows.append(
            Row(
                endpoint=result.endpoint.label,
                path=result.endpoint.path,
                per_second=statistics.median(run.per_second for run in runs),
                p50_ms=statistics.median(run.p50_ms for run in runs),
                p99_ms=statistics.median(run.p99_ms for run in runs),
                ratio=statistics.median(ratios),
                errors=sum(run.errors for run in runs),
                requests=sum(run.requests for run in runs),
                page=result.endpoint.page,
            )
        )
    return rows


def print_table(rows: list[Row], results: list[Result]) -> None:
    say(f"  {'endpoint':<34}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'÷ bare':>8}"
        f"{'errors':>8}   req/s per round")  # fmt: skip
    for row, result in zip(rows, results, strict=True):
        spread = " ".join(f"{run.per_second:.0f}" for run in result.runs)
        say(
            f"  {row.endpoint:<34}{row.per_second:9.0f}{row.p50_ms:9.1f}{row.p99_ms:9.1f}"
            f"{row.ratio:8.2f}{row.errors:8d}   {spread}"
        )


def check_responses(base_url: str, targets: list[Endpoint]) -> dict[str, str]:
    """One GET each before the load: every endpoint must answer 200 with what it should; a
    benchmark of error pages would measure nothing. Returns a description per endpoint."""
    described = {}
    with httpx.Client(base_url=base_url, timeout=30) as client:
        for endpoint in targets:
            headers = {"X-Forwarded-For": "10.255.0.1"}
            if endpoint.cookie:
                headers["Cookie"] = endpoint.cookie
            response = client.get(endpoint.request_path(0), headers=headers)
            if response.status_code != 200:
                raise RuntimeError(
                    f"{endpoint.path} answered {response.status_code}: {response.text[:300]}"
                )
            # Asked again: a micro-cache hit carries Age; a built response never does.
            again = client.get(endpoint.request_path(1), headers=headers)
            served = "from the micro-cache" if "age" in again.headers else "built"
            size = f"{len(response.content) / 1024:.1f} KB"
            if endpoint.page:
                if not response.headers.get("content-type", "").startswith("text/html"):
                    raise RuntimeError(f"{endpoint.path} is not an HTML page")
                described[endpoint.label] = f"HTML, {size}, {served}"
                continue
            body = response.json()
            if isinstance(body, dict) and "results" in body:
                items = body["results"]
                cited = sum(len(item.get("citations", ())) for item in items)
                extra = f", {cited} citations" if cited else ""
                described[endpoint.label] = f"{len(items)} rows{extra}, {size}, {served}"
            else:
                described[endpoint.label] = f"fixed body, {size}"
    return described


# --- where the time goes --------------------------------------------------------------------------


class Breakdown:
    """Time per request in parts, measured in-process by wrapping what does each part; each
    part's own time, without the parts it called (a serializer reading a lazy relation would
    show as ORM and SQL time, not serializer time):

    - SQL: Django's execute wrapper, statement sent to PostgreSQL until its rows are back;
    - ORM: QuerySet evaluation (rows to model instances, prefetch joining) around the SQL;
    - serializers: DRF list serializers turning instances into dicts, and the lean item
      builders (events.api.serializers) turning the hot lists' rows into dicts;
    - render: the JSON renderer;
    - throttle: the per-client rate check, one Redis round trip (on an anonymous read it also
      fetches the micro-cache's entry, unless this process holds a copy);
    - templates: Django templates rendering the web pages (included templates too).
    """

    PARTS = ("SQL", "ORM", "serializers", "render", "throttle", "templates")

    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()
        self.statements: list[tuple[str, Any, float]] = []  # SQL, parameters, seconds
        self._stack: list[list[Any]] = []  # [part, started, seconds in parts it called]

    def _enter(self, part: str) -> None:
        self._stack.append([part, time.perf_counter(), 0.0])

    def _exit(self) -> float:
        part, started, inner = self._stack.pop()
        elapsed = time.perf_counter() - started
        self.seconds[part] += elapsed - inner
        if self._stack:
            self._stack[-1][2] += elapsed
        return elapsed

    def _sql(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        self._enter("SQL")
        try:
            return execute(sql, params, many, context)
        finally:
            self.statements.append((sql, params, self._exit()))

    def _timed(self, part: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            self._enter(part)
            try:
                return function(*args, **kwargs)
            finally:
                self._exit()

        return timed

    @contextlib.contextmanager
    def watch(self) -> Iterator["Breakdown"]:
        patched = [
            (QuerySet, "_fetch_all", "ORM"),
            (serializers.ListSerializer, "to_representation", "serializers"),
            (api_serializers, "timeline_items", "serializers"),
            (api_serializers, "article_items", "serializers"),
            (JSONRenderer, "render", "render"),
            (throttling, "rate_check", "throttle"),
            (Template, "render", "templates"),
        ]
        originals = [(owner, name, owner.__dict__[name]) for owner, name, _ in patched]
        for owner, name, part in patched:
            setattr(owner, name, self._timed(part, owner.__dict__[name]))
        try:
            with connection.execute_wrapper(self._sql):
                yield self
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)


@dataclass(frozen=True)
class Profile:
    endpoint: str
    ms: float  # per request, in-process
    cpu_ms: float  # this process's CPU time per request: unlike ms, not inflated by waiting
    queries: tuple[int, ...]  # statements per request, every count seen
    parts_ms: dict[str, float]
    statements: list[tuple[str, float]]  # (statement, median ms) in the order sent
    plan: list[str]  # EXPLAIN ANALYZE of the slowest statement
    # Per statement, how it reads a big table (articles, mentions, links, change log) whole:
    # the statements that grow with the corpus (see seq_scans).
    scans: list[tuple[str, ...]] = field(default_factory=list)
    # EXPLAIN ANALYZE of each other statement with such a scan: (its number from 1, the plan).
    scan_plans: list[tuple[int, list[str]]] = field(default_factory=list)
    page: bool = False


def profile_in_process(targets: list[Endpoint], *, requests: int) -> list[Profile]:
    client = Client(HTTP_HOST="127.0.0.1")
    profiles = []
    for endpoint in targets:
        cookie = {"HTTP_COOKIE": endpoint.cookie} if endpoint.cookie else {}
        for i in range(3):  # warm caches and connections
            client.get(
                endpoint.request_path(i), HTTP_X_FORWARDED_FOR=load.client_address(i), **cookie
            )
        counts: set[int] = set()
        total = cpu = 0.0
        parts: Counter[str] = Counter()
        timings: dict[int, list[float]] = {}
        sent: list[tuple[str, Any]] = []
        for i in range(requests):
            breakdown = Breakdown()
            with breakdown.watch():
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(
                    endpoint.request_path(100 + i),
                    HTTP_X_FORWARDED_FOR=load.client_address(100 + i),
                    **cookie,
                )
                total += time.perf_counter() - started
                cpu += time.process_time() - started_cpu
            if response.status_code != 200:
                raise RuntimeError(f"{endpoint.path} answered {response.status_code} in-process")
            counts.add(len(breakdown.statements))
            parts.update(breakdown.seconds)
            sent = sent or [(sql, params) for sql, params, _ in breakdown.statements]
            for n, (_, _, seconds) in enumerate(breakdown.statements):
                timings.setdefault(n, []).append(seconds)
        medians = [1000 * statistics.median(timings[n]) for n in range(len(sent))]
        slowest = max(range(len(sent)), key=medians.__getitem__, default=None)
        scans = [seq_scans(sql, params) for sql, params in sent]
        profiles.append(
            Profile(
                endpoint=endpoint.label,
                ms=1000 * total / requests,
                cpu_ms=1000 * cpu / requests,
                queries=tuple(sorted(counts)),
                parts_ms={part: 1000 * parts[part] / requests for part in Breakdown.PARTS},
                statements=[(sql, ms) for (sql, _), ms in zip(sent, medians, strict=True)],
                plan=[] if slowest is None else explain(*sent[slowest]),
                scans=scans,
                scan_plans=[
                    (n + 1, explain(*sent[n]))
                    for n, scanned in enumerate(scans)
                    if scanned and n != slowest
                ],
                page=endpoint.page,
            )
        )
    return profiles


def print_profiles(profiles: list[Profile]) -> None:
    parts = Breakdown.PARTS
    say(f"  {'endpoint':<34}{'queries':>8}{'CPU ms':>8}{'ms/req':>8}"
        + "".join(f"{p:>12}" for p in parts) + f"{'the rest':>10}")  # fmt: skip
    for profile in profiles:
        rest = profile.ms - sum(profile.parts_ms.values())
        queries = "/".join(str(n) for n in profile.queries)
        say(
            f"  {profile.endpoint:<34}{queries:>8}{profile.cpu_ms:8.2f}{profile.ms:8.2f}"
            + "".join(f"{profile.parts_ms[p]:12.2f}" for p in parts)
            + f"{rest:10.2f}"
        )
    say(
        "  (per request in one process, no HTTP server. CPU ms: this process's CPU time, which "
        "waiting for a busy machine does not inflate;\n   the other columns are wall-clock ms; "
        "'the rest' is Django and DRF around the parts: middleware, routing, authentication,\n"
        "   filters, pagination, the view)"
    )
    say()
    say("SQL statements per request (median ms each)")
    for profile in profiles:
        if profile.statements:
            say(f"  {profile.endpoint}")
        scans = profile.scans or [()] * len(profile.statements)
        for (sql, ms), scanned in zip(profile.statements, scans, strict=True):
            say(f"    {ms:7.2f}  {statement_shape(sql)}")
            if scanned:
                say(f"{'':13}^ reads a big table whole: {'; '.join(scanned)}")
    say()
    say("Plan of each endpoint's slowest statement (EXPLAIN ANALYZE, once)")
    for profile in profiles:
        if not profile.plan:
            continue
        say(f"  {profile.endpoint}")
        _print_plan(profile.plan)
        for n, plan in profile.scan_plans:
            say(f"  {profile.endpoint}, statement {n} (reads a big table whole)")
            _print_plan(plan)


def _print_plan(plan: list[str]) -> None:
    lines = [line for line in plan if not line.strip().startswith(_PLAN_DETAILS)]
    for line in lines[:PLAN_LINES]:
        say(f"    {line[:150]}")
    if len(lines) > PLAN_LINES:
        say(f"    … {len(lines) - PLAN_LINES} more lines")
    say(f"    {next((x for x in plan if x.startswith('Execution Time')), '')}")


# Tables that grow with the corpus; a sequential scan of one costs time in proportion to it.
BIG_TABLES = ("events_article", "events_mention", "events_articleevent", "events_change")
# Rows of a big table one statement may read before it counts as reading "all of it": a
# page's worth of rows is far below, a pass over an index of the whole corpus far above.
MANY_ROWS = 10_000


def seq_scans(sql: str, params: Any) -> tuple[str, ...]:
    """How the statement reads a big table whole, one entry per such read: a sequential scan
    ("article: Seq Scan"), or any other node reading at least :data:`MANY_ROWS` of its rows,
    such as a full pass over an index ("article: 85,688 rows, Index Only Scan"). Both cost time
    in proportion to the corpus. From EXPLAIN ANALYZE (the statement runs once more)."""
    if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
        return ()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    plan = json.loads(raw) if isinstance(raw, str) else raw
    found = []
    for node in _plan_nodes(plan[0]["Plan"]):
        table = node.get("Relation Name", "")
        if table not in BIG_TABLES:
            continue
        loops = node.get("Actual Loops", 1)
        read = (node.get("Actual Rows", 0) + node.get("Rows Removed by Filter", 0)) * loops
        name = table.removeprefix("events_")
        kind = node["Node Type"]
        if kind == "Seq Scan":
            found.append(f"{name}: Seq Scan, {round(read):,} rows")
        elif read >= MANY_ROWS:
            found.append(f"{name}: {round(read):,} rows, {kind}")
    return tuple(found)


def _plan_nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield node
    for child in node.get("Plans", ()):
        yield from _plan_nodes(child)


def explain(sql: str, params: Any) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, COSTS OFF) {sql}", params)
        return [row[0] for row in cursor.fetchall()]


_COMMENTS = re.compile(r"--[^\n]*")
_SPACES = re.compile(r"\s+")
_COLUMNS = re.compile(r"^SELECT .*? FROM ", re.DOTALL)
_LISTS = re.compile(r"%s(?:, %s)+")


def statement_shape(sql: str, width: int = 150) -> str:
    """A statement short enough for one line: no column list, quotes or table prefixes."""
    shape = _SPACES.sub(" ", _COMMENTS.sub("", sql)).strip()
    shape = _LISTS.sub("%s…", _COLUMNS.sub("SELECT … FROM ", shape)).replace('"', "")
    shape = shape.replace("events_", "")
    return shape if len(shape) <= width else shape[: width - 1] + "…"


def cprofile(targets: list[Endpoint], *, requests: int) -> str:
    client = Client(HTTP_HOST="127.0.0.1")
    profiler = cProfile.Profile()
    for endpoint in targets:
        for i in range(requests):
            address = load.client_address(5000 + i)
            cookie = {"HTTP_COOKIE": endpoint.cookie} if endpoint.cookie else {}
            path = endpoint.request_path(5000 + i)
            profiler.runcall(client.get, path, HTTP_X_FORWARDED_FOR=address, **cookie)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    return out.getvalue()
