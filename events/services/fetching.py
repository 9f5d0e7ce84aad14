"""The one HTTP client every fetch goes through, configured from settings, with a
Redis-backed per-host concurrency limit shared by all workers."""

import contextlib
import time
import uuid
from collections.abc import Iterator
from functools import lru_cache

import redis
from django.conf import settings

from events.ingest.fetch import Fetcher, FetchError, FetchPolicy, host_refusal
from events.ingest.urls import InvalidURL, url_host

# Acquire a slot atomically: drop expired leases, then take one if fewer than the limit.
_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[4])
  redis.call('EXPIRE', KEYS[1], 3600)
  return 1
end
return 0
"""


class RedisHostSlots:
    """No more than ``limit`` concurrent requests to one host across every worker. A lease
    expires by itself, so a killed worker cannot hold a slot for ever."""

    def __init__(self, client: redis.Redis, *, limit: int, lease: float = 60, wait: float = 30):
        self.client, self.limit, self.lease, self.wait = client, limit, lease, wait
        self.acquire = client.register_script(_ACQUIRE)

    @contextlib.contextmanager
    def slot(self, host: str) -> Iterator[None]:
        key = f"{settings.REDIS_KEY_PREFIX}:host-slots:{host}"
        token = uuid.uuid4().hex
        deadline = time.monotonic() + self.wait
        while True:
            now = time.time()
            if self.acquire(keys=[key], args=[now, now + self.lease, self.limit, token]):
                break
            if time.monotonic() > deadline:
                raise FetchError(
                    reason=f"no free connection slot for {host} within {self.wait:g}s",
                    temporary=True,
                )
            time.sleep(0.05)
        try:
            yield
        finally:
            self.client.zrem(key, token)


@lru_cache(maxsize=1)
def redis_client() -> redis.Redis:
    """The process's Redis connection pool (host slots, the curation version)."""
    return redis.Redis.from_url(settings.REDIS_URL, socket_timeout=5, socket_connect_timeout=5)


def fetch_policy() -> FetchPolicy:
    return FetchPolicy(
        user_agent=settings.INGEST_USER_AGENT,
        allow_private_networks=settings.INGEST_ALLOW_PRIVATE_NETWORKS,
    )


def fetcher() -> Fetcher:
    """The process's fetcher for the current settings: one per process, so robots.txt rules
    and kept-alive connections are reused across articles."""
    return _fetcher_for(fetch_policy())


@lru_cache(maxsize=4)
def _fetcher_for(policy: FetchPolicy) -> Fetcher:
    return Fetcher(
        policy, host_slots=RedisHostSlots(redis_client(), limit=policy.per_host_concurrency)
    )


def url_refusal(url: str) -> str | None:
    """Why ``url`` cannot be a feed, article or webhook address: not an http(s) URL, or a
    host that resolves only to private, loopback or link-local addresses (unless
    INGEST_ALLOW_PRIVATE_NETWORKS); None when it may be used. The fetcher checks every
    connection again, so a name that resolves differently later gains nothing."""
    try:
        host = url_host(url)
    except InvalidURL as error:
        return str(error)
    if settings.INGEST_ALLOW_PRIVATE_NETWORKS:
        return None
    return host_refusal(host)
