"""The one HTTP client of ingestion: feeds, pages and robots.txt all come through `Fetcher`.

No other library fetches by itself (feedparser handed a URL, or even a string, will read
files and follow redirects with no limits), so every limit lives here (the address checks and
the deadline at the socket in `events.ingest.guard`):
- connect and read timeouts per socket operation, and an overall deadline for the whole fetch
  (robots.txt, every redirect hop, the body), enforced at the socket so a server trickling one
  byte at a time cannot outlive it;
- a cap on the decompressed body (a gzip bomb stops at the cap, not in memory);
- redirects followed by hand: counted, loop-checked, each hop's scheme, robots.txt and address
  checked again;
- addresses checked after DNS resolution, inside the connection itself: the socket connects to
  the very address that was checked, so a DNS answer that changes between check and connect
  (rebinding) cannot slip through. TLS SNI and the Host header still carry the host name;
- at most `per_host_concurrency` requests in flight per host (see `HostSlots`).
Environment proxies are ignored: through a proxy the address check would only see the proxy.
"""

import contextlib
import ipaddress
import threading
import time
import weakref
import zlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from http.cookiejar import CookieJar, DefaultCookiePolicy
from typing import Any, Protocol
from urllib.parse import urldefrag, urljoin

import httpx

from events.ingest.guard import Budget, Refused, Unresolvable, guarded_transport
from events.ingest.guard import host_refusal as host_refusal  # events.services.fetching uses it
from events.ingest.robots import ROBOTS_MAX_BYTES, RobotsCache, RobotsResponse
from events.ingest.urls import InvalidURL, url_host

MIB = 1024 * 1024
DEFAULT_ACCEPT = "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"
# Only what we can decode with a size cap; brotli/zstd are not installed.
ACCEPT_ENCODING = "gzip, deflate"
_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_CHUNK = 64 * 1024


@dataclass(frozen=True)
class FetchPolicy:
    user_agent: str
    allow_private_networks: bool = False
    connect_timeout: float = 5
    read_timeout: float = 15
    total_timeout: float = 30
    max_bytes: int = 5 * MIB  # of the decompressed body
    max_redirects: int = 5
    per_host_concurrency: int = 2
    # CIDRs exempt from the private-address refusal (e.g. one intranet source), default none.
    allowed_networks: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # A zero slot count would block forever and a zero timeout would never wait: refuse
        # settings that would hang or disable a limit rather than discover them in a worker.
        positive = (self.connect_timeout, self.read_timeout, self.total_timeout)
        if not self.user_agent.strip() or min(positive) <= 0:
            raise ValueError("FetchPolicy needs a user agent and positive timeouts")
        if self.max_bytes < 1 or self.max_redirects < 0 or self.per_host_concurrency < 1:
            raise ValueError("FetchPolicy limits must be positive")
        for network in self.allowed_networks:
            ipaddress.ip_network(network)


@dataclass(frozen=True)
class FetchResult:
    requested_url: str
    final_url: str  # the URL that gave the final answer
    redirect_chain: tuple[str, ...]  # URLs that answered with a redirect, in order
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes  # decompressed; empty when not_modified
    not_modified: bool
    etag: str  # on 304 without one, the ETag that was sent
    last_modified: str  # likewise
    content_type: str  # mime type only, lower-cased
    charset: str | None


class FetchError(Exception):
    """A fetch that gave no usable answer; `reason` is one line for editors and logs."""

    def __init__(
        self,
        reason: str,
        *,
        temporary: bool,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.temporary = temporary
        self.status = status
        self.retry_after = retry_after


class HostSlots(Protocol):
    def slot(self, host: str) -> AbstractContextManager[None]:
        """Block until fewer than the limit of requests to host are in flight, hold one."""
        ...


class LocalHostSlots:
    """Per-process limit: N worker processes may together have N times as many in flight."""

    def __init__(self, per_host: int) -> None:
        self._per_host = per_host
        self._lock = threading.Lock()
        # Weak values: a host's semaphore lives only while someone holds or waits for it.
        self._semaphores: weakref.WeakValueDictionary[str, threading.BoundedSemaphore] = (
            weakref.WeakValueDictionary()
        )

    @contextlib.contextmanager
    def slot(self, host: str) -> Iterator[None]:
        with self._lock:
            semaphore = self._semaphores.get(host)
            if semaphore is None:
                semaphore = threading.BoundedSemaphore(self._per_host)
                self._semaphores[host] = semaphore
        with semaphore:
            yield


class Fetcher:
    """Thread-safe; make one per process and share it, so robots.txt and connections are reused."""

    def __init__(
        self,
        policy: FetchPolicy,
        host_slots: HostSlots | None = None,
        *,
        robots_ttl: float = 3600.0,
    ) -> None:
        self.policy = policy
        self._slots = host_slots or LocalHostSlots(policy.per_host_concurrency)
        self._client = httpx.Client(
            transport=guarded_transport(policy),
            timeout=httpx.Timeout(
                connect=policy.connect_timeout,
                read=policy.read_timeout,
                write=policy.read_timeout,
                pool=policy.connect_timeout,
            ),
            follow_redirects=False,
            trust_env=False,
            # Cookies live for one fetch's redirect chain only (see _send), never across fetches.
            cookies=CookieJar(policy=_NoCookies()),
            headers={"User-Agent": policy.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
        )
        self.robots = RobotsCache(self._fetch_robots, ttl=robots_ttl)

    def close(self) -> None:
        self._client.close()

    def __enter__(self) -> "Fetcher":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def fetch(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        accept: str = DEFAULT_ACCEPT,
        check_robots: bool = True,
    ) -> FetchResult:
        """GET url within the policy's limits, or raise FetchError (never anything else)."""
        return self._fetch(
            url, etag=etag, last_modified=last_modified, accept=accept,
            check_robots=check_robots, max_bytes=self.policy.max_bytes, truncate=False,
        )  # fmt: skip

    def post(
        self, url: str, *, content: bytes, headers: dict[str, str], max_bytes: int = 64 * 1024
    ) -> FetchResult:
        """POST content to url (webhook deliveries) within the same address checks, timeouts
        and per-host slots as fetch; redirects are not followed and robots.txt does not apply.
        A non-2xx answer raises FetchError with its status; so does anything else."""
        budget = Budget(self.policy.total_timeout)
        try:
            with budget.active():
                current = _checked_url(url)
                with self._slot(current, budget):
                    request = self._client.build_request(
                        "POST", current, content=content, headers=headers
                    )
                    response = self._client.send(request, stream=True)
                    try:
                        if not 200 <= response.status_code < 300:
                            raise _status_error(response)
                        body = _read_body(response, budget, max_bytes, truncate=True)
                        return _result(url, current, [], response, body, {})
                    finally:
                        response.close()
        except (httpx.HTTPError, Refused, Unresolvable) as exc:
            raise self._error(exc, budget) from exc

    def _fetch(self, url: str, *, max_bytes: int, truncate: bool, **request: Any) -> FetchResult:
        budget = Budget(self.policy.total_timeout)
        try:
            with budget.active():
                return self._follow(url, budget, max_bytes=max_bytes, truncate=truncate, **request)
        except (httpx.HTTPError, Refused, Unresolvable) as exc:
            raise self._error(exc, budget) from exc

    def _follow(
        self,
        url: str,
        budget: "Budget",
        *,
        etag: str,
        last_modified: str,
        accept: str,
        check_robots: bool,
        max_bytes: int,
        truncate: bool,
    ) -> FetchResult:
        headers = {"Accept": accept}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cookies = httpx.Cookies()
        current = _checked_url(url)
        chain: list[str] = []
        while True:
            if check_robots and not self.robots.allowed(current, self.policy.user_agent):
                raise FetchError("disallowed by robots.txt", temporary=False)
            with self._slot(current, budget):
                response = self._send(current, headers, cookies)
                try:
                    target = _redirect_target(response, current)
                    if target is None:
                        body = _read_body(response, budget, max_bytes, truncate)
                        return _result(url, current, chain, response, body, headers)
                finally:
                    response.close()
            chain.append(current)
            if target in chain:
                raise FetchError("redirect loop", temporary=False)
            if len(chain) > self.policy.max_redirects:
                raise FetchError(f"too many redirects ({len(chain)})", temporary=False)
            current = target

    @contextlib.contextmanager
    def _slot(self, url: str, budget: "Budget") -> Iterator[None]:
        # Waiting for a turn on a busy host is politeness, not the server's slowness, so it
        # does not count against the deadline.
        started = time.monotonic()
        with self._slots.slot(url_host(url)):
            budget.extend(time.monotonic() - started)
            yield

    def _send(self, url: str, headers: dict[str, str], cookies: httpx.Cookies) -> httpx.Response:
        request = self._client.build_request("GET", url, headers=headers)
        cookies.set_cookie_header(request)
        response = self._client.send(request, stream=True)
        cookies.extract_cookies(response)
        return response

    def _fetch_robots(self, robots_url: str) -> RobotsResponse:
        try:
            result = self._fetch(
                robots_url, etag="", last_modified="", accept="text/plain, */*;q=0.5",
                check_robots=False, max_bytes=ROBOTS_MAX_BYTES, truncate=True,
            )  # fmt: skip
        except FetchError as exc:
            return RobotsResponse(status=exc.status, reason=exc.reason)
        return RobotsResponse(status=result.status, body=result.body)

    def _error(self, exc: Exception, budget: "Budget") -> FetchError:
        policy = self.policy
        if isinstance(exc, Refused | Unresolvable):
            return FetchError(str(exc), temporary=exc.temporary)
        if isinstance(exc, httpx.TimeoutException):
            if budget.expired():
                reason = f"timed out after {policy.total_timeout:g}s"
            elif isinstance(exc, httpx.ConnectTimeout):
                reason = f"connect timed out after {policy.connect_timeout:g}s"
            elif isinstance(exc, httpx.PoolTimeout):
                reason = "timed out waiting for a free connection"
            else:
                reason = f"read timed out after {policy.read_timeout:g}s"
            return FetchError(reason, temporary=True)
        if isinstance(exc, httpx.InvalidURL | httpx.UnsupportedProtocol):
            return FetchError(f"invalid URL: {_one_line(exc)}", temporary=False)
        if isinstance(exc, httpx.RemoteProtocolError):
            return FetchError(f"protocol error: {_one_line(exc)}", temporary=True)
        return FetchError(f"connection failed: {_one_line(exc)}", temporary=True)


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie: Any, request: Any) -> bool:
        return False

    def return_ok(self, cookie: Any, request: Any) -> bool:
        return False


def _checked_url(url: str) -> str:
    try:
        url_host(url)
        return str(httpx.URL(urldefrag(url.strip()).url))
    except (InvalidURL, httpx.InvalidURL) as exc:
        raise FetchError(f"invalid URL: {_one_line(exc)}", temporary=False) from exc


def _redirect_target(response: httpx.Response, current: str) -> str | None:
    location = response.headers.get("location", "").strip()
    if response.status_code not in _REDIRECTS or not location:
        return None
    try:
        return _checked_url(urljoin(current, location))
    except FetchError as exc:
        raise FetchError(f"redirect to {exc.reason}", temporary=False) from exc


def _result(
    requested: str,
    final: str,
    chain: list[str],
    response: httpx.Response,
    body: bytes,
    sent: dict[str, str],
) -> FetchResult:
    headers = {name.lower(): value for name, value in response.headers.items()}
    mime, charset = _content_type(headers.get("content-type", ""))
    not_modified = response.status_code == 304
    return FetchResult(
        requested_url=requested,
        final_url=final,
        redirect_chain=tuple(chain),
        status=response.status_code,
        headers=headers,
        body=body,
        not_modified=not_modified,
        etag=headers.get("etag", sent.get("If-None-Match", "") if not_modified else ""),
        last_modified=headers.get(
            "last-modified", sent.get("If-Modified-Since", "") if not_modified else ""
        ),
        content_type=mime,
        charset=charset,
    )


def _read_body(response: httpx.Response, budget: Budget, max_bytes: int, truncate: bool) -> bytes:
    status = response.status_code
    if status == 304:
        return b""
    if not 200 <= status < 300:
        raise _status_error(response)
    too_large = FetchError(f"body larger than {max_bytes} bytes", temporary=False)
    decoder = _Decoder(response.headers.get("content-encoding", ""))
    declared = response.headers.get("content-length", "")
    if decoder.identity and declared.isdigit() and int(declared) > max_bytes and not truncate:
        raise too_large
    body = bytearray()
    for raw in response.iter_raw(_CHUNK):
        body += decoder.decode(raw, max_bytes + 1 - len(body))
        if len(body) > max_bytes:
            if truncate:
                return bytes(body[:max_bytes])
            raise too_large
        if budget.expired():
            raise httpx.ReadTimeout("fetch deadline passed")
    body += decoder.flush(max_bytes + 1 - len(body))
    if len(body) > max_bytes:
        if truncate:
            return bytes(body[:max_bytes])
        raise too_large
    return bytes(body)


def _status_error(response: httpx.Response) -> FetchError:
    status = response.status_code
    retry_after = None
    if status in (429, 503):
        retry_after = parse_retry_after(response.headers.get("retry-after", ""))
    return FetchError(
        f"HTTP {status}",
        temporary=status in (408, 429) or status >= 500,
        status=status,
        retry_after=retry_after,
    )


def parse_retry_after(value: str) -> float | None:
    """Seconds to wait from a Retry-After header (delay-seconds or HTTP-date), or None."""
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


class _Decoder:
    """Content-Encoding decoding that never produces more output than it is asked for."""

    def __init__(self, content_encoding: str) -> None:
        encoding = content_encoding.strip().lower()
        self.identity = encoding in ("", "identity")
        if not self.identity and encoding not in ("gzip", "x-gzip", "deflate"):
            raise FetchError(f"unsupported Content-Encoding {encoding!r}", temporary=False)
        self._gzip = encoding in ("gzip", "x-gzip")
        self._zlib: Any = None if self.identity else self._decompressor()
        self._first = True

    def _decompressor(self, raw_deflate: bool = False) -> Any:
        if self._gzip:
            return zlib.decompressobj(zlib.MAX_WBITS | 16)
        return zlib.decompressobj(-zlib.MAX_WBITS if raw_deflate else zlib.MAX_WBITS)

    def decode(self, data: bytes, limit: int) -> bytes:
        if self._zlib is None:
            return data[:limit]
        try:
            out = self._zlib.decompress(data, max(limit, 1))
        except zlib.error as exc:
            # Some servers send raw deflate for "deflate"; browsers accept it, so do we.
            if self._first and not self._gzip:
                self._first = False
                self._zlib = self._decompressor(raw_deflate=True)
                return self.decode(data, limit)
            raise FetchError(f"could not decompress body: {exc}", temporary=False) from exc
        self._first = False
        # A second gzip member (concatenated files) starts over with a new decompressor.
        if self._gzip and self._zlib.eof and self._zlib.unused_data and len(out) < limit:
            rest = self._zlib.unused_data
            self._zlib = self._decompressor()
            out += self.decode(rest, limit - len(out))
        return bytes(out)

    def flush(self, limit: int) -> bytes:
        return b"" if self._zlib is None else bytes(self._zlib.flush(max(limit, 1)))


def _content_type(value: str) -> tuple[str, str | None]:
    mime, _, params = value.partition(";")
    charset = None
    for param in params.split(";"):
        name, _, param_value = param.partition("=")
        if name.strip().lower() == "charset":
            charset = param_value.strip().strip("\"'").lower() or None
    return mime.strip().lower(), charset


def _one_line(exc: Exception) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:300] if text else type(exc).__name__
