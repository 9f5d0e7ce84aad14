"""What the two anonymous micro-caches share: the API's (events.api.microcache) and the reader
pages' (events.web.pagecache). Both keep 200s built for requests without credentials a few
seconds in Redis, and a per-process copy of what they read or stored.

- ``is_anonymous``: who may read and fill them (no Authorization, no session cookie).
- ``Entry``: a kept response (when it was stored, its headers and body) and how it answers a
  request again, with a 304 when the client's copy is this one.
- ``LocalEntries``: the per-process copy, so a hot page crosses from Redis once per TTL and
  process rather than on every request.
- ``remember`` / ``store``: an entry read from Redis copied here, or kept in both.
- ``read_or_claim`` (the pages': the read and the lock in one round trip; the API reads
  with its rate check) / ``claim_or_wait`` / ``release``: the stampede guard. When a hot
  entry expires, the requests that miss in the same instant do not all build it: the first
  takes a short lock in Redis and builds, the others wait for its entry (at most
  ``WAIT_SECONDS``, then they build too). A build that keeps nothing (a 404) releases the
  lock with no entry, and the waiting requests build their own.
"""

import json
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from redis.exceptions import RedisError

from events.api import throttling
from events.api.conditional import not_modified

# Preconditions other than the two a hit evaluates: left to the view (rare in reads).
_PRECONDITIONS = ("If-Match", "If-Unmodified-Since", "If-Range")
# What a 304 leaves out of the 200's headers (RFC 9110 15.4.5: it describes the stored body);
# its Content-Length is 0, as CommonMiddleware sets it on a 304 the view builds.
_NOT_IN_304 = frozenset({"content-type", "content-length", "content-disposition"})


def is_anonymous(request: HttpRequest) -> bool:
    """No credentials of any kind: no Authorization header (even a bad one, which is a 401)
    and no session cookie (even an expired one)."""
    return "HTTP_AUTHORIZATION" not in request.META and (
        settings.SESSION_COOKIE_NAME not in request.COOKIES
    )


def preconditions(request: HttpRequest) -> bool:
    """Whether the request carries a precondition a hit does not evaluate."""
    return any(name in request.headers for name in _PRECONDITIONS)


@dataclass(frozen=True)
class Entry:
    """A kept 200: when it was stored, whether its 304 may follow If-Modified-Since, its
    headers and body, and the placeholder in the body that each serve replaces with the
    request's own CSRF token ("" when there is none: the API's)."""

    at: float
    since: bool
    headers: list[tuple[str, str]]
    body: bytes
    hole: str = ""

    def encode(self) -> bytes:
        head: dict[str, object] = {"at": self.at, "since": self.since, "headers": self.headers}
        if self.hole:
            head["hole"] = self.hole
        return json.dumps(head, separators=(",", ":")).encode() + b"\n" + self.body

    @classmethod
    def decode(cls, value: bytes) -> "Entry | None":
        raw_head, _, body = value.partition(b"\n")
        try:
            head = json.loads(raw_head)
            headers = [(str(name), str(header)) for name, header in head["headers"]]
            return cls(
                at=float(head["at"]),
                since=bool(head["since"]),
                headers=headers,
                body=body,
                hole=str(head.get("hole", "")),
            )
        except (ValueError, KeyError, TypeError, AttributeError):
            return None  # not ours, or damaged: the request is built

    def response(self, request: HttpRequest) -> HttpResponse:
        """The stored response, or its 304 when the client's copy is this one."""
        headers = self.headers
        stored = {name.lower(): header for name, header in headers}
        modified = stored.get("last-modified") if self.since else None
        if not_modified(request.headers, stored.get("etag"), modified):
            response = HttpResponse(status=304)
            headers = [(name, v) for name, v in headers if name.lower() not in _NOT_IN_304]
            headers.append(("Content-Length", "0"))
        else:
            response = HttpResponse(self.body)
        del response["Content-Type"]
        for name, header in headers:
            response[name] = header
        response["Age"] = str(max(0, int(time.time() - self.at)))
        return response


class LocalEntries:
    """A small per-process copy of recent entries, so a page polled by many readers crosses
    from Redis once per TTL and process rather than on every request (the rate check still
    goes to Redis every time). An entry leaves it when its Redis copy expires (stored time +
    the TTL, never later), or least recently used first beyond ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, tuple[float, Entry]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: str, now: float) -> Entry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if found[0] <= now:
                self._drop(key)
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, entry: Entry, expires: float) -> None:
        size = len(entry.body)
        if size > self.max_bytes // 8:
            return  # a few big bodies must not push out everything else
        with self._lock:
            if key in self._entries:
                self._drop(key)
            self._entries[key] = (expires, entry)
            self._bytes += size
            while self._bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def _drop(self, key: str) -> None:
        _, entry = self._entries.pop(key)
        self._bytes -= len(entry.body)


def remember(local: LocalEntries, key: str, value: bytes | None, seconds: int) -> Entry | None:
    """The entry in ``value`` (as read from Redis under ``key``), copied into ``local`` until
    its Redis copy expires; None when there was none or it cannot be read."""
    if value is None:
        return None
    entry = Entry.decode(value)
    if entry is not None:
        local.put(key, entry, expires=entry.at + seconds)
    return entry


def store(
    local: LocalEntries, key: str, entry: Entry, seconds: int, *, release_lock: bool = False
) -> None:
    """Keep ``entry`` under ``key`` for ``seconds``, in Redis and in this process, and with
    ``release_lock`` drop this request's build lock in the same round trip (as ``release``).
    A Redis failure is swallowed: the next request builds the response again (and a lock
    left behind expires)."""
    client = throttling.redis_client()
    try:
        if release_lock:
            pipe = client.pipeline(transaction=False)
            pipe.set(throttling.redis_key(key), entry.encode(), px=seconds * 1000)
            pipe.delete(throttling.redis_key(building_key(key)))
            pipe.execute()
        else:
            client.set(throttling.redis_key(key), entry.encode(), px=seconds * 1000)
    except RedisError:
        return
    local.put(key, entry, expires=entry.at + seconds)


# The stampede guard: a build holds its lock at most LOCK_MS (a crashed process's lock
# expires), and a request that missed while another builds waits at most WAIT_SECONDS for its
# entry, looking every POLL_SECONDS, then builds the response itself.
LOCK_MS = 10_000
WAIT_SECONDS = 3.0
POLL_SECONDS = 0.01


def building_key(key: str) -> str:
    return f"building:{key}"


def claim(key: str) -> bool:
    """Whether this request builds the entry under ``key`` (nobody else is building it now).
    True when Redis cannot say: better one build too many than a request held up."""
    try:
        client = throttling.redis_client()
        return bool(client.set(throttling.redis_key(building_key(key)), b"1", nx=True, px=LOCK_MS))
    except RedisError:
        return True


def release(key: str) -> None:
    # Unconditional: if this build outlived its lock and another took it, the worst is one
    # more build.
    try:
        throttling.redis_client().delete(throttling.redis_key(building_key(key)))
    except RedisError:
        return  # it expires by itself


def pause() -> None:
    time.sleep(POLL_SECONDS)


def claim_or_wait(local: LocalEntries, key: str, seconds: int) -> tuple[bool, Entry | None]:
    """After a miss: (True, None) when this request builds the entry and must ``release``
    it; else (False, the entry the other build stored, or None to build it here too)."""
    if claim(key):
        return True, None
    return False, wait_for(local, key, seconds)


# After a miss in this process, one round trip: the entry when Redis has it, else the build
# lock when nobody holds it. A script, so that a found entry takes no lock: a lock taken and
# dropped around a hit would send a request missing in that instant off to wait.
_READ_OR_CLAIM = """
local value = redis.call('GET', KEYS[1])
if value then return {value, 0} end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', ARGV[1]) then return {false, 1} end
return {false, 0}
"""
_read_or_claim: Any = None


def read_or_claim(local: LocalEntries, key: str, seconds: int) -> tuple[Entry | None, bool]:
    """``read`` and, on a miss, ``claim_or_wait`` in one round trip while nobody else builds
    the entry: (the entry, False), or (None, True) when this request builds it and must
    ``release`` it (also when Redis cannot say, as ``claim``), or (None, False) when
    another build ended without an entry or outlasted the wait (build it here too)."""
    global _read_or_claim  # noqa: PLW0603 - registered once per process; redis-py keeps its sha
    entry = local.get(key, time.time())
    if entry is not None:
        return entry, False
    names = [throttling.redis_key(key), throttling.redis_key(building_key(key))]
    try:
        client = throttling.redis_client()
        if _read_or_claim is None:
            _read_or_claim = client.register_script(_READ_OR_CLAIM)
        value, claimed = _read_or_claim(keys=names, args=[LOCK_MS], client=client)
    except RedisError:
        return None, True
    if claimed:
        return None, True
    entry = remember(local, key, value, seconds)
    if entry is not None:
        return entry, False
    if value is not None:  # not an entry this code can read: as a miss
        claimed_now, entry = claim_or_wait(local, key, seconds)
        return entry, claimed_now
    return wait_for(local, key, seconds), False


def wait_for(local: LocalEntries, key: str, seconds: int) -> Entry | None:
    """The entry another request is building, once it is stored; None (build it here) when
    that build ended without one (a 404, a Redis failure) or took longer than WAIT_SECONDS.
    One round trip per look: the entry and the lock together."""
    deadline = time.monotonic() + WAIT_SECONDS
    names = [throttling.redis_key(key), throttling.redis_key(building_key(key))]
    while time.monotonic() < deadline:
        pause()
        try:
            value, building = throttling.redis_client().mget(names)
        except RedisError:
            return None
        entry = remember(local, key, value, seconds)
        if entry is not None or building is None:
            return entry
    return None
