"""When to poll a feed next: adaptive to how often it publishes, patient with failures.

A feed is never abandoned: after repeated failures it is marked unhealthy and polled at a
long interval until it recovers.
"""

import random
from dataclasses import dataclass

MIN_INTERVAL = 5 * 60
MAX_INTERVAL = 6 * 3600
UNHEALTHY_INTERVAL = 24 * 3600
# Weighted failures: a timeout or 5xx may pass by itself; a 404 or an unparsable body will not.
TEMPORARY_WEIGHT = 1
PERMANENT_WEIGHT = 3
FAILING_FROM = 1
UNHEALTHY_FROM = 9


@dataclass(frozen=True)
class Schedule:
    interval: int  # the feed's own polling interval, learnt from its publishing rate
    delay: int  # seconds until the next poll (interval, or a backoff after failures)
    failures: int  # weighted consecutive failures
    health: str  # "healthy" | "failing" | "unhealthy"


def _jitter(seconds: float, rng: random.Random | None = None) -> int:
    # Spread polls so feeds registered together do not stay in lockstep.
    return int(seconds * (rng or random).uniform(0.9, 1.1))  # noqa: S311 - not cryptographic


def after_success(
    interval: int,
    new_items: int,
    *,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> Schedule:
    """Shorter intervals for feeds that publish often, longer for quiet ones, bounded."""
    if new_items >= 5:
        interval = interval // 2
    elif new_items > 0:
        interval = int(interval * 0.8)
    else:
        interval = int(interval * 1.5)
    interval = max(MIN_INTERVAL, min(MAX_INTERVAL, interval))
    delay = max(interval, int(retry_after or 0))
    return Schedule(interval=interval, delay=_jitter(delay, rng), failures=0, health="healthy")


def after_failure(
    interval: int,
    failures: int,
    *,
    temporary: bool,
    retry_after: float | None = None,
    rng: random.Random | None = None,
) -> Schedule:
    """Exponential backoff on weighted failures, honouring Retry-After, never giving up."""
    failures += TEMPORARY_WEIGHT if temporary else PERMANENT_WEIGHT
    if failures >= UNHEALTHY_FROM:
        delay = UNHEALTHY_INTERVAL
        health = "unhealthy"
    else:
        delay = min(UNHEALTHY_INTERVAL, interval * 2 ** min(failures, 8))
        health = "failing"
    delay = max(delay, int(retry_after or 0))
    return Schedule(interval=interval, delay=_jitter(delay, rng), failures=failures, health=health)
