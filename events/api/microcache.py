"""The anonymous micro-cache: read responses for clients without credentials, kept a few
seconds in Redis and answered before the rest of the stack runs (sessions, locale, CSRF,
authentication, DRF), as newsroom APIs sit behind a Varnish or nginx micro-cache.

What it serves, and to whom:
- GET and HEAD under ``/api/v1/`` on the read endpoints (READ_ENDPOINTS), from a request with
  no ``Authorization`` header and no session cookie: nobody who could be shown a draft or an
  article's text ever fills or reads it. Everything else passes through untouched.
- Only 200s are kept, with their headers, and only when they set no cookie and did not forbid
  storing; errors (400, 404, 429 ...) are built every time.
- The key is the request's variant (events.api.conditional.request_variant: host, path and
  query, Accept, Accept-Language, the language and time-zone cookies), the same one the ETags
  are built from.
- A hit answers ``If-None-Match`` / ``If-Modified-Since`` with 304 as the view would
  (events.api.conditional.not_modified) and carries ``Age``.

Staleness: an anonymous response is at most ``API_ANON_CACHE_SECONDS`` old (0 switches the
cache off) plus the time it took to build; it says so with ``Cache-Control: public,
max-age=<seconds>`` and ``Age``, so a CDN or browser in front never adds to the bound.
Responses to authenticated requests are ``private, no-cache``; other API responses (errors,
writes) ``no-store``. The change feed stays exact for mirrors: a page up to a few seconds old
hands out a cursor at its last row, and everything after that row comes on a later page.

The anonymous rate limit still applies to every request: the micro-cache counts the request
and reads the cached response in the same Redis round trip (events.api.throttling), and over
the limit lets the request through to DRF, which answers the 429 exactly as it always does.
Each process also keeps the entries it read or stored in memory (LocalEntries: 8 MB at most,
each until its Redis copy expires), so a hot page crosses from Redis once per TTL and process.
When a hot entry expires, the requests that miss in the same instant wait for one build
(events.microcache's stampede guard) instead of each building the response.
"""

import hashlib
import time
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils.cache import patch_vary_headers
from redis.exceptions import RedisError

from events.api import throttling
from events.api.conditional import request_variant
from events.microcache import (
    Entry,
    LocalEntries,
    claim_or_wait,
    is_anonymous,
    preconditions,
    release,
    remember,
    store,
)

API_PREFIX = "/api/v1/"
# URL names (namespace "api") whose anonymous 200s may be kept: what anyone may read. The
# schema and docs pages are left out (rarely asked, and the docs page is HTML for browsers).
READ_ENDPOINTS = frozenset(
    {
        "event-list",
        "event-detail",
        "event-timeline",
        "event-articles",
        "event-export",
        "article-list",
        "article-detail",
        "entity-list",
        "entity-detail",
        "outlet-list",
        "update-list",
        "update-detail",
        "search",
        "change-list",
    }
)
# Endpoints whose 304 needs a matching ETag: If-Modified-Since alone is not trusted there (see
# events/api/exports.py), so a hit must not trust it either.
ETAG_ONLY = frozenset({"event-export"})
# Per process, for the local copies of entries (LocalEntries): a few dozen timeline pages.
LOCAL_MAX_BYTES = 8 * 1024 * 1024
# Bump when the stored form changes, so no process reads an entry it cannot parse.
VERSION = 1


def ttl() -> int:
    return int(settings.API_ANON_CACHE_SECONDS)


def entry_key(request: HttpRequest) -> str:
    variant = "\n".join(request_variant(request))
    return f"api-anon:{VERSION}:{hashlib.sha256(variant.encode()).hexdigest()}"


class MicroCacheMiddleware:
    """Place it right after SecurityMiddleware (and WhiteNoise): a hit skips every middleware
    after it; the security headers are still added on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if not request.path_info.startswith(API_PREFIX):
            return self.get_response(request)
        if not is_anonymous(request):
            response = self.get_response(request)
            if request.method in ("GET", "HEAD"):
                response.headers.setdefault("Cache-Control", "private, no-cache")
            return response
        seconds = ttl()
        if seconds <= 0 or request.method not in ("GET", "HEAD") or preconditions(request):
            return _built(request, self.get_response(request), seconds)
        try:
            key = entry_key(request)
        except DisallowedHost:
            return self.get_response(request)  # answered by the stack, as always
        try:
            allowed, entry = _count_and_read(request, key, seconds)
        except RedisError:
            allowed, entry = True, None  # DRF's throttle counts it, and reports the trouble
        if not allowed:  # over the rate: DRF answers the 429
            return _built(request, self.get_response(request), seconds)
        claimed = False
        if entry is None:  # unless another request is building it: its copy will do
            claimed, entry = claim_or_wait(LOCAL, key, seconds)
        if entry is not None:
            return entry.response(request)
        try:
            response = _built(request, self.get_response(request), seconds)
            if isinstance(response, HttpResponse) and _storable(request, response):
                _store(request, key, response, seconds)
        finally:
            if claimed:
                release(key)
        return response


LOCAL = LocalEntries(max_bytes=LOCAL_MAX_BYTES)


def _count_and_read(request: HttpRequest, key: str, seconds: int) -> tuple[bool, Entry | None]:
    """Counts the request against the anonymous rate and finds the entry: in this process,
    else read from Redis in the same round trip as the count. (allowed, the entry or None); a
    refused request is not counted (DRF refuses it)."""
    now = time.time()
    local = LOCAL.get(key, now)
    limit = throttling.anonymous_limit(request)
    fetch = None if local is not None else key
    if limit is None:
        allowed, value = True, None
        if fetch:
            value = throttling.redis_client().get(throttling.redis_key(fetch))
    else:
        checked = throttling.rate_check(
            key=limit.key, limit=limit.requests, window=limit.seconds, fetch=fetch, now=now
        )
        allowed, value = checked.allowed, checked.value
        if allowed:
            setattr(request, throttling.COUNTED, True)
    if local is not None:
        return allowed, local
    return allowed, remember(LOCAL, key, value, seconds)


def _built(request: HttpRequest, response: HttpResponseBase, seconds: int) -> HttpResponseBase:
    """Cache-Control on what the stack built for an anonymous request: public for the read
    endpoints' 200 and 304, never stored for errors (a 429 is one client's); the rest as the
    view left it."""
    if "Cache-Control" in response:
        return response
    if response.status_code >= 400:
        response["Cache-Control"] = "no-store"
    elif response.status_code in (200, 304) and _cacheable(request):
        response["Cache-Control"] = f"public, max-age={seconds}" if seconds > 0 else "no-cache"
        # A shared cache in front must not answer a request with credentials from it.
        patch_vary_headers(response, ("Authorization", "Cookie"))
    return response


def _cacheable(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return (
        request.method in ("GET", "HEAD")
        and match is not None
        and match.namespace == "api"
        and match.url_name in READ_ENDPOINTS
    )


def _storable(request: HttpRequest, response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and _cacheable(request)
        and not response.cookies
        and response.get("Cache-Control", "").startswith("public")
    )


def _store(request: HttpRequest, key: str, response: HttpResponse, seconds: int) -> None:
    match = request.resolver_match
    entry = Entry(
        at=time.time(),
        since=match is None or match.url_name not in ETAG_ONLY,
        headers=list(response.items()),
        body=response.content,
    )
    store(LOCAL, key, entry, seconds)
