"""Feed scheduling: adaptive to publishing rate, bounded, patient with failures."""

import random

import pytest

from events.ingest import schedule


def _rng() -> random.Random:
    return random.Random(7)


@pytest.mark.parametrize(
    ("new_items", "expected"),
    [(0, 1350), (1, 720), (10, 450)],
)
def test_interval_follows_publishing_rate(new_items, expected):
    assert schedule.after_success(900, new_items, rng=_rng()).interval == expected


def test_interval_stays_within_bounds():
    busy = quiet = 900
    for _ in range(30):
        busy = schedule.after_success(busy, 50, rng=_rng()).interval
        quiet = schedule.after_success(quiet, 0, rng=_rng()).interval
    assert busy == schedule.MIN_INTERVAL
    assert quiet == schedule.MAX_INTERVAL


def test_retry_after_is_honoured_on_success_and_failure():
    assert schedule.after_success(300, 0, retry_after=7200, rng=_rng()).delay >= 7200 * 0.9
    plan = schedule.after_failure(300, 0, temporary=True, retry_after=5000, rng=_rng())
    assert plan.delay >= 5000 * 0.9


def test_permanent_failures_weigh_more_than_temporary_ones():
    temporary = schedule.after_failure(900, 0, temporary=True, rng=_rng())
    permanent = schedule.after_failure(900, 0, temporary=False, rng=_rng())
    assert permanent.failures > temporary.failures
    assert permanent.delay > temporary.delay


def test_repeated_failures_mark_unhealthy_but_keep_polling():
    plan = schedule.Schedule(interval=900, delay=900, failures=0, health="healthy")
    for _ in range(20):
        plan = schedule.after_failure(plan.interval, plan.failures, temporary=False, rng=_rng())
    assert plan.health == "unhealthy"
    assert 0 < plan.delay <= schedule.UNHEALTHY_INTERVAL * 1.1


def test_a_success_heals_the_feed():
    failing = schedule.after_failure(900, 8, temporary=True, rng=_rng())
    assert failing.health == "unhealthy"
    healed = schedule.after_success(failing.interval, 1, rng=_rng())
    assert (healed.health, healed.failures) == ("healthy", 0)
