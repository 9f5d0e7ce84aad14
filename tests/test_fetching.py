"""The Redis-backed per-host limit that every worker's fetches share."""

import threading
import time

import pytest
import redis
from django.conf import settings

from events.ingest.fetch import FetchError
from events.services.fetching import RedisHostSlots, fetch_policy


@pytest.fixture
def client():
    return redis.Redis.from_url(settings.REDIS_URL)


def test_no_more_than_the_limit_run_at_once_for_one_host(client):
    slots = RedisHostSlots(client, limit=2, lease=30, wait=10)
    running, peak, lock = 0, 0, threading.Lock()

    def fetch_like():
        nonlocal running, peak
        with slots.slot("news.example"):
            with lock:
                running += 1
                peak = max(peak, running)
            time.sleep(0.2)
            with lock:
                running -= 1

    threads = [threading.Thread(target=fetch_like) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert peak == 2


def test_other_hosts_are_not_held_up(client):
    slots = RedisHostSlots(client, limit=1, lease=30, wait=0.2)
    with slots.slot("busy.example"), slots.slot("other.example"):
        pass  # a second host gets its own slot at once


def test_a_full_host_is_a_temporary_failure(client):
    slots = RedisHostSlots(client, limit=1, lease=30, wait=0.2)
    with slots.slot("busy.example"), pytest.raises(FetchError) as caught:
        with slots.slot("busy.example"):
            pass
    assert caught.value.temporary


def test_a_dead_workers_lease_expires(client):
    slots = RedisHostSlots(client, limit=1, lease=0.3, wait=2)
    held = slots.slot("crashy.example")
    held.__enter__()  # never released, as if the worker was killed
    started = time.monotonic()
    with slots.slot("crashy.example"):
        assert time.monotonic() - started < 2


def test_policy_follows_settings(settings):
    settings.INGEST_USER_AGENT = "tracker-test/1.0"
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False
    policy = fetch_policy()
    assert (policy.user_agent, policy.allow_private_networks) == ("tracker-test/1.0", False)
