"""The reader pages' anonymous micro-cache: the HTML of home, an event (its page, the whole
timeline, its articles and their htmx fragments), an article, an entity and search, kept a few
seconds in Redis for visitors without credentials and answered before the rest of the stack
runs (sessions, locale, time zone, CSRF, auth, messages, CSP), as the API's micro-cache does
for its reads (events.api.microcache; both use events.microcache).

What it serves, and to whom:
- GET and HEAD of the pages in PAGES, from a request with no ``Authorization`` header, no
  session cookie and no pending messages: nobody who could be shown a draft, the review queue
  or an article's text ever fills or reads it. Editors' pages, sign-in, the time-zone page and
  everything else pass through untouched.
- Only 200s are kept, and only when they set no cookie, left ``Cache-Control`` alone and carry
  no CSP nonce; 404s, redirects and errors are built every time.
- The key (``page_variant``) is everything a page's HTML depends on: scheme, host, path and
  query (links back to the page, the search box), the UI language as LocaleMiddleware resolves
  it (the language cookie, else Accept-Language, else the default: so the raw headers of a
  thousand browsers make two variants, not a thousand), the time zone as TimezoneMiddleware
  resolves it, and the htmx headers that choose a fragment over the whole page. The pages use
  no CSP nonce (django-csp adds one only when a template asks for it); a response carrying one
  is not kept, so a later template that asks cannot freeze one visitor's nonce.

CSRF hole-punching: every page carries the language switch, a POST form with a CSRF token,
which must be each visitor's own. While a page is built for the cache, the ``csrf_token`` the
templates see (``csrf_hole``, a context processor) is a random placeholder of the token's
length, new for every build and stored with the entry; every serve, hit or miss, replaces it
with ``get_token(request)`` inside CsrfViewMiddleware's request and response steps, so the
visitor gets the CSRF cookie that token belongs to, exactly as on a page built for them. The
placeholder is random, so no text on a page can ask for the token to be put elsewhere. A view
that asked for the real token (``get_token``) would make the response set the CSRF cookie, and
a response that sets a cookie is never kept: one visitor's token cannot reach the store.

Staleness: an anonymous page is at most ``WEB_ANON_CACHE_SECONDS`` old (0 switches the cache
off) plus the time it took to build; a hit carries ``Age``. Cache-Control of the reader pages
is ``private, no-cache`` for everyone: the HTML carries a CSRF token and the response sets the
cookie it goes with, and a shared cache in front that kept both would hand one visitor's token
(and cookie) to the next, who could then be sent a forged form by the first; a browser may keep
its own copy but asks again before reusing it. The micro-cache is what makes the origin fast.

Stampede guard (events.microcache): when a hot page's entry expires, the requests that miss in
the same instant do not all build it; the first takes a short lock in Redis and builds, the
others wait for its entry (at most WAIT_SECONDS, then they build too). A page that is not kept
(a 404) releases the lock with no entry, and the waiting requests build their own.

Bounded by the build rate: every distinct URL (a new ``?q=``, an unknown parameter) is built
once before it is kept, so what a client can make it store is what the server can build in a
TTL, each entry gone after the TTL.
"""

import hashlib
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import DisallowedHost
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.csrf import CSRF_TOKEN_LENGTH, CsrfViewMiddleware, get_token
from django.urls import Resolver404, resolve
from django.utils import translation
from django.utils.cache import patch_vary_headers

from events.api.microcache import API_PREFIX
from events.microcache import (
    Entry,
    LocalEntries,
    is_anonymous,
    preconditions,
    read_or_claim,
    release,
    store,
)
from events.web.middleware import TIMEZONE_COOKIE, zone_or_none

# URL names (namespace "web") of the pages anyone may read.
PAGES = frozenset(
    {"home", "event", "event-timeline", "event-articles", "article", "entity", "search"}
)
# Request headers htmx sends that choose what a page's view answers (a fragment or the page).
HTMX_HEADERS = ("HX-Request", "HX-Boosted", "HX-History-Restore-Request", "HX-Target")
# Per process, for the local copies of entries: a few dozen pages of 50-150 KB.
LOCAL_MAX_BYTES = 16 * 1024 * 1024
# Bump when the stored form or the key changes, so no process reads an entry it cannot use.
VERSION = 1
# Set on a request whose page is being built for the cache: its placeholder for the token.
HOLE = "page_cache_hole"
# Both the private cache and the Vary a cache in front must key on (see the docstring).
CACHE_CONTROL = "private, no-cache"
VARY = ("Cookie", "Accept-Language", "HX-Request")

LOCAL = LocalEntries(max_bytes=LOCAL_MAX_BYTES)


def ttl() -> int:
    # With CSRF_USE_SESSIONS the token lives in a session: every visitor would need one.
    return 0 if settings.CSRF_USE_SESSIONS else int(settings.WEB_ANON_CACHE_SECONDS)


def csrf_hole(request: HttpRequest) -> dict[str, str]:
    """Context processor (after Django's own ``csrf``): the placeholder as ``csrf_token``
    while the page is built for the cache, else nothing (the real, lazy token stays)."""
    hole = getattr(request, HOLE, None)
    return {"csrf_token": hole} if hole else {}


def page_variant(request: HttpRequest) -> list[str]:
    """Everything about an anonymous request that its page's HTML depends on (see the module
    docstring). DisallowedHost from a host not in ALLOWED_HOSTS propagates."""
    urlconf = getattr(request, "urlconf", None) or settings.ROOT_URLCONF
    prefixed, _ = is_language_prefix_patterns_used(urlconf)
    # What LocaleMiddleware and TimezoneMiddleware will activate, read the same way.
    language = translation.get_language_from_request(request, check_path=prefixed)
    zone = zone_or_none(request.COOKIES.get(TIMEZONE_COOKIE, ""))
    return [
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        language,
        zone.key if zone else "",
        *(request.headers.get(name, "") for name in HTMX_HEADERS),
    ]


def entry_key(request: HttpRequest) -> str:
    variant = "\n".join(page_variant(request))
    return f"web-anon:{VERSION}:{hashlib.sha256(variant.encode()).hexdigest()}"


def is_reader_page(request: HttpRequest) -> bool:
    if request.path_info.startswith(API_PREFIX):
        return False
    try:
        match = resolve(request.path_info, getattr(request, "urlconf", None))
    except Resolver404:
        return False
    return match.namespace == "web" and match.url_name in PAGES


class PageCacheMiddleware:
    """Place it after SecurityMiddleware, WhiteNoise and the API's micro-cache, before the
    session middleware: a hit skips every middleware after it (CsrfViewMiddleware's cookie
    steps excepted); the security headers are still added on the way out."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.method not in ("GET", "HEAD") or not is_reader_page(request):
            return self.get_response(request)
        seconds = ttl()
        if (
            seconds <= 0
            or not is_anonymous(request)
            or CookieStorage.cookie_name in request.COOKIES  # messages to show, once
            or preconditions(request)
        ):
            return _private(self.get_response(request))
        try:
            key = entry_key(request)
        except DisallowedHost:
            return self.get_response(request)  # answered by the stack, as always
        # The entry, or the build lock unless another request is building it (its copy will
        # do): one round trip to Redis, none when this process has the entry.
        entry, claimed = read_or_claim(LOCAL, key, seconds)
        if entry is not None:
            return _with_token(request, entry.hole, entry.response)
        return self._build(request, key, seconds, claimed=claimed)

    def _build(
        self, request: HttpRequest, key: str, seconds: int, *, claimed: bool
    ) -> HttpResponseBase:
        """The page built for the cache, kept when it may be; the lock (when ``claimed``)
        released with the store, in the same round trip, or alone when nothing is kept."""
        released = not claimed
        try:
            hole = secrets.token_hex(CSRF_TOKEN_LENGTH // 2)  # a token's length
            setattr(request, HOLE, hole)
            response = self.get_response(request)
            delattr(request, HOLE)
            if not isinstance(response, HttpResponse):  # streamed: never built with the hole
                return _private(response)
            storable = _storable(response)
            _private(response)
            if storable:
                entry = Entry(
                    at=time.time(),
                    since=True,
                    headers=list(response.items()),
                    body=response.content,
                    hole=hole,
                )
                store(LOCAL, key, entry, seconds, release_lock=claimed)
                released = True
        finally:
            if not released:
                release(key)
        # Whatever the status (a 404 page has the language switch too), the token goes in.
        return _with_token(request, hole, lambda _request: response)


def _storable(response: HttpResponse) -> bool:
    return (
        response.status_code == 200
        and not response.cookies
        and "Cache-Control" not in response
        and "nonce-" not in response.get("Content-Security-Policy", "")
    )


def _private(response: HttpResponseBase) -> HttpResponseBase:
    """Cache-Control and Vary of a reader page, whoever asked (see the module docstring);
    redirects are left as the view made them."""
    if 300 <= response.status_code < 400:
        return response
    response.headers.setdefault("Cache-Control", CACHE_CONTROL)
    patch_vary_headers(response, VARY)
    return response


def _with_token(
    request: HttpRequest, hole: str, respond: Callable[[HttpRequest], HttpResponse]
) -> HttpResponse:
    """``respond``'s response with ``hole`` replaced by this request's CSRF token, through
    CsrfViewMiddleware's request and response steps: the token is the visitor's, from their
    cookie or a new one, and the response sets the cookie it goes with, as on a page built
    for them. A response without the hole (a 304, a page without a form) is left as it is."""

    def punched(request: HttpRequest) -> HttpResponse:
        response = respond(request)
        if hole and hole.encode() in response.content:
            token = get_token(request).encode()
            response.content = response.content.replace(hole.encode(), token)
            response["Content-Length"] = str(len(response.content))
        return response

    response = CsrfViewMiddleware(punched)(request)
    assert isinstance(response, HttpResponse)  # noqa: S101 - what punched returned
    return response
