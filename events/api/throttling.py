"""Request rates: per API key (or signed-in user) and per anonymous client IP, counted in the
shared Redis so every web process sees the same counts. Over the limit: 429 with Retry-After
(see events.api.errors).

The rule is DRF's sliding window (at most N requests in any window of the rate's length), but
kept in Redis by one Lua script: the request's time is added to a list of recent times, and
times past the window are dropped, atomically and in one round trip. DRF's own
``SimpleRateThrottle`` reads the whole history, then writes it back: two round trips, and two
concurrent requests could both pass the last free slot. The anonymous micro-cache
(events.api.microcache) uses the same script and reads a cached response in the same round
trip; a request it counted is not counted again here. (The script reads two keys at once: one
Redis server, as configured, not a Redis Cluster, where they could live on different nodes.)
"""

import time
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest
from rest_framework.request import Request
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from events.models import ApiToken

# KEYS[1]: the client's list of request times, newest first; KEYS[2] (optional): a key to read
# in the same round trip. ARGV: now, window (seconds), limit. Returns {allowed (1/0), the oldest
# time still in the window, the count, the value of KEYS[2] or false}.
_RATE_SCRIPT = """
local key, now = KEYS[1], tonumber(ARGV[1])
local window, limit = tonumber(ARGV[2]), tonumber(ARGV[3])
local oldest = redis.call('LINDEX', key, -1)
while oldest and tonumber(oldest) <= now - window do
  redis.call('RPOP', key)
  oldest = redis.call('LINDEX', key, -1)
end
local count = redis.call('LLEN', key)
local value = false
if KEYS[2] then value = redis.call('GET', KEYS[2]) end
if count >= limit then
  return {0, oldest or ARGV[1], count, value}
end
redis.call('LPUSH', key, ARGV[1])
redis.call('PEXPIRE', key, math.ceil(window * 1000))
return {1, oldest or ARGV[1], count + 1, value}
"""

# Where the rate of each scope is kept. "v2": lists of times, not DRF's pickled history (a key
# left by the old code must not meet the script: wrong type).
KEY_FORMAT = "throttle2:%(scope)s:%(ident)s"
# Set on a request the micro-cache has counted already (see AnonymousRateThrottle).
COUNTED = "api_anonymous_counted"


@dataclass(frozen=True)
class RateCheck:
    allowed: bool
    wait: float | None  # refused: seconds until a slot frees (None when none will)
    value: bytes | None  # the value under ``fetch``, when asked for and present


_client: Any = None


def redis_client() -> Any:
    """The default cache's Redis client (the primary: the script writes), one per process.
    Django's RedisCache has no public accessor (``_cache`` is its client wrapper) and builds a
    new client object on every command, a quarter of a cached response's CPU; a client is
    thread-safe (it takes a connection from the pool per command), so it is kept."""
    global _client  # noqa: PLW0603 - one per process, built on first use
    if _client is None:
        _client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    return _client


def redis_key(key: str) -> str:
    """``key`` as the cache would store it (the installation's prefix and version)."""
    return cache.make_and_validate_key(key)


_script: Any = None


def rate_check(
    *, key: str, limit: int, window: float, fetch: str | None = None, now: float | None = None
) -> RateCheck:
    """Count one request against ``limit`` per ``window`` seconds under ``key`` (refused
    requests are not counted, as in DRF), and read ``fetch`` too when given: one round trip.
    Both are cache keys (prefixed here)."""
    global _script  # noqa: PLW0603 - registered once per process; redis-py keeps its sha
    if _script is None:
        _script = redis_client().register_script(_RATE_SCRIPT)
    now = time.time() if now is None else now
    keys = [redis_key(key)] + ([redis_key(fetch)] if fetch else [])
    allowed, oldest, count, value = _script(
        keys=keys, args=[repr(now), repr(float(window)), limit], client=redis_client()
    )
    if allowed:
        return RateCheck(allowed=True, wait=None, value=value)
    # DRF's wait: the time left until the oldest request leaves the window, shared out over
    # the requests that will then be free (one when exactly at the limit).
    remaining = window - (now - float(oldest))
    available = limit - int(count) + 1
    wait = remaining / available if available > 0 else None
    return RateCheck(allowed=False, wait=wait, value=value)


@dataclass(frozen=True)
class Limit:
    key: str
    requests: int
    seconds: int


def anonymous_limit(request: HttpRequest | Request) -> Limit | None:
    """The rate an anonymous client is held to, under its key (its address as DRF's throttles
    see it: REMOTE_ADDR, or X-Forwarded-For as far as NUM_PROXIES trusts it); None when the
    anonymous scope has no rate."""
    throttle = AnonymousRateThrottle()
    if throttle.rate is None:
        return None
    ident = throttle.get_ident(request)  # type: ignore[arg-type]  # reads META only
    key = KEY_FORMAT % {"scope": throttle.scope, "ident": ident}
    return Limit(key=key, requests=throttle.num_requests, seconds=throttle.duration)


class _SettingsRate(SimpleRateThrottle):
    cache_format = KEY_FORMAT
    num_requests: int  # set by SimpleRateThrottle.__init__ from the rate
    duration: int
    _wait: float | None = None

    def get_rate(self) -> str | None:
        # Read on each request, not once at import, so settings overrides take effect.
        rate = api_settings.DEFAULT_THROTTLE_RATES.get(self.scope or "")
        return None if rate is None else str(rate)

    def allow_request(self, request: Request, view: Any) -> bool:
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        checked = rate_check(key=self.key, limit=self.num_requests, window=self.duration)
        self._wait = checked.wait
        return checked.allowed

    def wait(self) -> float | None:
        return self._wait


class TokenRateThrottle(_SettingsRate):
    """Per API key; a browser session counts per user."""

    scope = "token"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if isinstance(request.auth, ApiToken):
            ident = f"key-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            ident = f"user-{request.user.pk}"
        else:
            return None
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AnonymousRateThrottle(_SettingsRate):
    """Per client IP (X-Forwarded-For only as far as NUM_PROXIES trusts it). A request the
    micro-cache counted on its way in (it had no credentials) is not counted twice."""

    scope = "anonymous"

    def get_cache_key(self, request: Request, view: Any) -> str | None:
        if request.auth is not None or (request.user and request.user.is_authenticated):
            return None
        if getattr(request, COUNTED, False):
            return None
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
