"""Where the time of a phase goes: named functions of the pipeline wrapped with a timer while a
phase runs (the functions themselves run unchanged)."""

import contextlib
import functools
import time
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

from events.ingest import fetch
from events.services.articles import process, store

# (label, owner, attribute); an indented label is part of the stage above it.
STAGES: tuple[tuple[str, Any, str], ...] = (
    ("fetch: HTTP, robots.txt, host slot", fetch.Fetcher, "fetch"),
    ("decode", process, "decode_html"),
    ("extract: trafilatura, dates", process, "extract_article"),
    ("language", process, "detect_language"),
    ("fingerprint", process, "fingerprint"),
    ("store: one transaction", process, "_store"),
    ("  canonical owner: merge", store, "_merge_into_canonical_owner"),
    ("  duplicates: scoring", store, "_original_pick"),
    ("  entities, suggestions: matching", store, "enrichment_compute"),
    ("  raw page: gzip", store, "_page_writes"),
    ("  writes: row, keys, URLs, page, links", store, "_run"),
)


class Stages:
    def __init__(self) -> None:
        self.seconds: Counter[str] = Counter()

    def _timed(self, label: str, function: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds[label] += time.perf_counter() - started

        return timed

    @contextlib.contextmanager
    def watch(self) -> Iterator["Stages"]:
        originals = [(owner, name, getattr(owner, name)) for _, owner, name in STAGES]
        for (label, owner, name), (_, _, original) in zip(STAGES, originals, strict=True):
            setattr(owner, name, self._timed(label, original))
        try:
            yield self
        finally:
            for owner, name, original in originals:
                setattr(owner, name, original)
