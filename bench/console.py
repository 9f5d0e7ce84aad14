"""Printing for the benchmarks' reports: lines flushed as they come, and timed steps."""

import contextlib
import time
from collections.abc import Iterator


def say(message: str = "") -> None:
    print(message, flush=True)


@contextlib.contextmanager
def step(message: str) -> Iterator[None]:
    """Print ``message ...``, then the seconds the block took on the same line."""
    started = time.perf_counter()
    print(f"  {message} ...", end="", flush=True)
    yield
    print(f" {time.perf_counter() - started:.1f}s", flush=True)
