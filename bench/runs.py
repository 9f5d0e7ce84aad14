"""Timed passes over pages: the whole pipeline, the import of saved pages, bare trafilatura."""

import re
import statistics
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import trafilatura
from django.db import connection

from bench.pages import BenchPage, feed_chunks, feed_path
from bench.stages import Stages
from events.models import ArticleState
from events.services import articles
from events.services.feeds import feed_poll, feed_register

_LIST = re.compile(r"%s(?:, %s)+")
_SAVEPOINT = re.compile(r"\bs\d+_x\d+\b")


@dataclass
class Run:
    """One pass over pages: seconds per page, outcomes, stage breakdown, and (when captured)
    the time of every SQL statement by its shape."""

    seconds: dict[str, float] = field(default_factory=dict)  # page path -> seconds
    kinds: dict[str, str] = field(default_factory=dict)
    outcomes: Counter[str] = field(default_factory=Counter)
    stages: Stages = field(default_factory=Stages)
    article_ids: list[int] = field(default_factory=list)
    feed_ids: list[int] = field(default_factory=list)
    register_seconds: float = 0.0
    query_seconds: Counter[str] = field(default_factory=Counter)
    query_calls: Counter[str] = field(default_factory=Counter)

    def add(self, page: BenchPage, seconds: float, outcome: str) -> None:
        self.seconds[page.path] = seconds
        self.kinds[page.path] = page.kind
        self.outcomes[outcome] += 1

    def total(self, kind: str | None = None) -> float:
        return sum(s for p, s in self.seconds.items() if kind in (None, self.kinds[p]))

    def count(self, kind: str | None = None) -> int:
        return sum(1 for p in self.seconds if kind in (None, self.kinds[p]))

    def per_second(self, kind: str | None = None) -> float:
        return self.count(kind) / max(self.total(kind), 1e-9)

    def median_ms(self) -> float:
        return 1000 * statistics.median(self.seconds.values())

    def mean_ms(self) -> float:
        return 1000 * self.total() / max(self.count(), 1)

    def stage_ms(self, label: str) -> float:
        return 1000 * self.stages.seconds[label] / max(self.count(), 1)

    def register_ms(self) -> float:
        return 1000 * self.register_seconds / max(self.count(), 1)

    def record_query(self, sql: str, seconds: float) -> None:
        shape = query_shape(sql)
        self.query_seconds[shape] += seconds
        self.query_calls[shape] += 1


def query_shape(sql: str) -> str:
    """A statement as sent with its placeholders, lists of them and savepoint names collapsed,
    and a SELECT without its column list."""
    shape = _SAVEPOINT.sub("s…", _LIST.sub("%s…", sql)).replace('"', "")
    if shape.startswith("SELECT ") and " FROM " in shape:
        shape = "SELECT … " + shape[shape.index(" FROM ") + 1 :]  # noqa: S608 - not run
    return shape


def _outcome(outcome: articles.Outcome) -> str:
    if outcome.state == ArticleState.READY:
        return "duplicate" if outcome.duplicate_of else "stored"
    return outcome.state if not outcome.reason else f"{outcome.state}: {outcome.reason}"


class _Capture:
    """Times every statement while active, if asked for, through Django's execute wrapper
    hook (exact times; commits are not statements and are not counted)."""

    def __init__(self, run: Run, enabled: bool) -> None:
        self.run = run
        self.context = connection.execute_wrapper(self._timed) if enabled else None

    def _timed(self, execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.run.record_query(sql, time.perf_counter() - started)

    def __enter__(self) -> None:
        if self.context is not None:
            self.context.__enter__()

    def __exit__(self, *exc_info: object) -> None:
        if self.context is not None:
            self.context.__exit__(*exc_info)


def _bare(run: Run | None, page: BenchPage, texts: dict[str, str] | None) -> None:
    if run is not None and texts is not None:
        started = time.perf_counter()
        text = trafilatura.extract(texts[page.path])
        run.add(page, time.perf_counter() - started, "text" if text else "nothing")


def run_pipeline(
    pages: list[BenchPage],
    base_url: str,
    *,
    capture: bool = False,
    bare: Run | None = None,
    texts: dict[str, str] | None = None,
) -> Run:
    """Each page as a worker sees it: registered from a feed link, then processed as
    ``article_process_task`` does. With ``bare`` and ``texts``, bare extraction of each page
    is timed right before it, so that a busy machine slows both alike."""
    run = Run()
    with run.stages.watch(), _Capture(run, capture):
        for page in pages:
            _bare(bare, page, texts)
            started = time.perf_counter()
            article_id = articles.article_register(url=base_url + page.path)
            registered = time.perf_counter()
            if article_id is None:
                run.outcomes["already registered"] += 1
                continue
            outcome = articles.article_process(article_id=article_id)
            run.add(page, time.perf_counter() - started, _outcome(outcome))
            run.register_seconds += registered - started
            run.article_ids.append(outcome.merged_into or article_id)
    return run


def run_feeds(
    pages: list[BenchPage],
    base_url: str,
    prefix: str,
    *,
    bare: Run | None = None,
    texts: dict[str, str] | None = None,
) -> Run:
    """Each page as a newsroom's feeds bring it: its feed polled as ``feed_poll_task`` does
    (fetched, parsed, every link registered in one transaction), then each new article
    processed as ``article_process_task`` does. A feed's poll time is shared among its pages
    (``register_seconds`` holds the polls' total). The feeds (``bench.pages.feed_documents``
    at ``prefix``) are registered before, untimed, as an editor would."""
    run = Run()
    chunks = feed_chunks(pages)
    feeds = [feed_register(url=base_url + feed_path(prefix, n)) for n in range(len(chunks))]
    run.feed_ids = [feed.pk for feed in feeds]
    with run.stages.watch():
        for feed, chunk in zip(feeds, chunks, strict=True):
            started = time.perf_counter()
            polled = feed_poll(feed_id=feed.pk)
            poll = time.perf_counter() - started
            run.register_seconds += poll
            if not polled.ok or len(polled.new_article_ids) != len(chunk):
                raise RuntimeError(f"{feed.url}: {polled}")  # the benchmark's own pages
            for page, article_id in zip(chunk, polled.new_article_ids, strict=True):
                _bare(bare, page, texts)
                started = time.perf_counter()
                outcome = articles.article_process(article_id=article_id)
                seconds = time.perf_counter() - started + poll / len(chunk)
                run.add(page, seconds, _outcome(outcome))
                run.article_ids.append(outcome.merged_into or article_id)
    return run


def run_import(
    pages: list[BenchPage],
    *,
    capture: bool = False,
    bare: Run | None = None,
    texts: dict[str, str] | None = None,
) -> Run:
    """Each page as ``manage.py import_articles`` stores a saved file: no network."""
    run = Run()
    with run.stages.watch(), _Capture(run, capture):
        for page in pages:
            _bare(bare, page, texts)
            started = time.perf_counter()
            outcome = articles.article_import_html(body=page.body, name=page.path)
            run.add(page, time.perf_counter() - started, _outcome(outcome))
            run.article_ids.append(outcome.merged_into or outcome.article_id)
    return run


def run_bare(pages: list[BenchPage], texts: dict[str, str]) -> Run:
    """``trafilatura.extract`` alone on the decoded pages."""
    run = Run()
    for page in pages:
        _bare(run, page, texts)
    return run


def mean_of(runs: list[Run]) -> Run:
    """Repeated passes over the same pages as one: each page's mean time, the stages' and the
    registration's mean per pass; the outcomes of the first pass."""
    first = runs[0]
    mean = Run(kinds=dict(first.kinds), outcomes=first.outcomes)
    mean.seconds = {
        path: statistics.mean(r.seconds[path] for r in runs if path in r.seconds)
        for path in first.seconds
    }
    for run in runs:
        for label, seconds in run.stages.seconds.items():
            mean.stages.seconds[label] += seconds / len(runs)
    mean.register_seconds = statistics.mean(r.register_seconds for r in runs)
    mean.article_ids = runs[-1].article_ids
    return mean


def paired_ratio(run: Run, beside: Run) -> float:
    """A pass's time over the bare extraction timed beside it, article by article."""
    return run.total() / max(beside.total(), 1e-9)
