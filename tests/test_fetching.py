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


def _one_connection_client():
    """A client whose commands all go through one connection, in order."""
    return redis.Redis(
        connection_pool=redis.ConnectionPool.from_url(settings.REDIS_URL, max_connections=1)
    )


def test_a_release_frees_the_slot_without_an_answer_to_read():
    client = _one_connection_client()
    slots = RedisHostSlots(client, limit=1, lease=30, wait=0.2)
    key = f"{settings.REDIS_KEY_PREFIX}:host-slots:released.example"
    for _ in range(3):  # each turn needs the slot the last one gave back
        with slots.slot("released.example"):
            assert client.zcard(key) == 1
        # Read on the same connection after the release: had Redis answered it, this would
        # read that answer (0 or 1) in place of its own.
        assert client.zcard(key) == 0
    marker = f"{settings.REDIS_KEY_PREFIX}:release-marker"
    assert client.set(marker, "in order", ex=30) is True
    assert client.get(marker) == b"in order"


def test_a_release_over_a_broken_connection_is_left_to_the_lease():
    client = _one_connection_client()
    slots = RedisHostSlots(client, limit=1, lease=0.3, wait=2)
    with slots.slot("broken.example"):
        killer = redis.Redis.from_url(settings.REDIS_URL)
        killer.client_kill_filter(_id=client.client_id())
    # No error from the release; the slot is free again by the lease at the latest.
    started = time.monotonic()
    with slots.slot("broken.example"):
        assert time.monotonic() - started < 2
    assert client.ping() is True


def test_a_release_waits_for_no_answer(monkeypatch):
    client = _one_connection_client()
    slots = RedisHostSlots(client, limit=1, lease=30, wait=0.2)
    reads = []
    read_response = redis.connection.Connection.read_response

    def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        reads.append(1)
        return read_response(self, *args, **kwargs)

    with slots.slot("quick.example"):
        monkeypatch.setattr(redis.connection.Connection, "read_response", counted)
    monkeypatch.undo()
    assert reads == []
    assert client.zcard(f"{settings.REDIS_KEY_PREFIX}:host-slots:quick.example") == 0
