"""robots.txt, fetched through the ingestion client and cached per origin.

urllib.robotparser only ever parses text handed to it here; it never fetches (it would do so
without our timeouts, size cap or address checks).

How an answer for /robots.txt is read (RFC 9309 unless said otherwise):
- 2xx: its rules apply. Only the first ROBOTS_MAX_BYTES are parsed (the RFC asks for 500 KiB).
- 4xx other than 429 (404, 410, and also 401/403): there is no robots.txt, everything is
  allowed, for the full TTL.
- 5xx, 429, timeout, connection failure or refusal: unreachable. The RFC says to assume
  "disallow all"; a news tracker that went blind whenever a robots.txt flickers would miss the
  story, so we allow, keep using the last good rules if we had them, and ask again after
  `retry_ttl` rather than the full TTL.
Known urllib.robotparser limits we accept: the first matching rule wins (not the longest),
`*` and `$` inside paths are not wildcards, and a group applies when its user-agent name is a
substring of our product token (the User-Agent up to the first "/").
"""

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

logger = logging.getLogger(__name__)

ROBOTS_MAX_BYTES = 512 * 1024


@dataclass(frozen=True)
class RobotsResponse:
    """What fetching a robots.txt gave. status is None when there was no HTTP answer."""

    status: int | None
    body: bytes = b""
    reason: str = ""


@dataclass(frozen=True)
class _Entry:
    rules: RobotFileParser | None  # None: everything allowed
    expires: float


def robots_url(url: str) -> str:
    """The robots.txt that governs url: same scheme, host and port (RFC 9309 section 2.3)."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme.lower(), netloc, "/robots.txt", "", ""))


def parse_robots(body: bytes | str) -> RobotFileParser:
    text = body.decode("utf-8", errors="replace") if isinstance(body, bytes) else body
    parser = RobotFileParser()
    parser.parse(text.lstrip("\ufeff").splitlines())
    return parser


class RobotsCache:
    """Thread-safe. `fetch` gets a robots.txt URL and must not raise for network failures.

    Two threads missing the same origin at once may both fetch it; that costs one request and
    keeps a slow robots.txt on one site from holding up lookups for every other site.
    """

    def __init__(
        self,
        fetch: Callable[[str], RobotsResponse],
        *,
        ttl: float = 3600.0,
        retry_ttl: float = 600.0,
        max_entries: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._fetch = fetch
        self._ttl = ttl
        self._retry_ttl = retry_ttl
        self._max_entries = max_entries
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: OrderedDict[str, _Entry] = OrderedDict()

    def allowed(self, url: str, user_agent: str) -> bool:
        rules = self._rules(robots_url(url))
        return rules is None or rules.can_fetch(user_agent, url)

    def crawl_delay(self, url: str, user_agent: str) -> float | None:
        rules = self._rules(robots_url(url))
        delay = rules.crawl_delay(user_agent) if rules is not None else None
        return float(delay) if delay is not None else None

    def _rules(self, key: str) -> RobotFileParser | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and entry.expires > self._clock():
                self._entries.move_to_end(key)
                return entry.rules
        fresh = self._read(key, self._fetch(key), stale=entry)
        with self._lock:
            self._entries[key] = fresh
            self._entries.move_to_end(key)
            while len(self._entries) > self._max_entries:
                self._entries.popitem(last=False)
        return fresh.rules

    def _read(self, key: str, response: RobotsResponse, *, stale: _Entry | None) -> _Entry:
        now = self._clock()
        status = response.status
        if status is not None and 200 <= status < 300:
            return _Entry(parse_robots(response.body[:ROBOTS_MAX_BYTES]), now + self._ttl)
        if status is not None and 400 <= status < 500 and status != 429:
            return _Entry(None, now + self._ttl)
        logger.info(
            "ingest.robots_unreachable",
            extra={"robots_url": key, "status": status, "reason": response.reason},
        )
        return _Entry(stale.rules if stale is not None else None, now + self._retry_ttl)
