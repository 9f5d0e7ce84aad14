"""Conditional GET for read views: ``ETag`` / ``Last-Modified``, and ``304`` when unchanged.

The validators come from the change log (events.models.Change), which the database writes for
every change of an event, update, article or entity, whatever path made it: one indexed query
counts the change rows of everything a response shows (the event and its related events and
participants; a timeline's updates, their cited articles and speakers; an article, its
entities and events) and takes the largest id and time. The set of committed rows only grows,
so the count changes whenever something shown changed, even when transactions commit out of
id order (a maximum alone would miss a change committed late with a lower id). Outlets and
scored event suggestions are not in the log; their ``updated_at`` joins in.

The ETag also covers the caller's role (editors see drafts, readers article text) and the
request's variant (``request_variant``: host, the full path with its query string, Accept,
Accept-Language, the language and time-zone cookies): two different bodies never share one.
Non-editors' validators count public changes only, so an editor's draft work does not
invalidate public caches.
``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110 13.2.2).

The validators are read before the response: a change committed in between makes the ETag
older than the body, which costs the client one more full response later, never a stale 304.

A view that sets ``cache_body_seconds`` also keeps the rendered body of each 200 in the cache
(Redis), keyed by its ETag (role, variant, validators) plus the time zone the datetimes are
written in and the database: a repeated request then costs the validator query and a cache
read. Nothing is ever invalidated by hand: a change moves the
validators, so the next request asks for another key and the old body expires unread. The
body is never older than its key (it is built after the validators were read). Bodies in
another format than plain JSON (``Accept: application/json; indent=4``) are not kept.
"""

import datetime as dt
import hashlib
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest
from django.utils import timezone
from django.utils.http import http_date, parse_header_parameters, parse_http_date_safe
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from events.api.permissions import Role, request_role
from events.web.middleware import TIMEZONE_COOKIE

# Each query returns (found, change count, max change id, max change time, max other time)
# for one object; ``found`` is 0 when the object does not exist (the view then answers 404).
EVENT_SQL = """
WITH target AS (SELECT id FROM events_event WHERE slug = %(key)s),
shown (kind, id) AS (
    SELECT 'event', id FROM target
    UNION SELECT 'event', r.target_id
          FROM events_eventrelation r JOIN target t ON r.source_id = t.id
    UNION SELECT 'event', r.source_id
          FROM events_eventrelation r JOIN target t ON r.target_id = t.id
    UNION SELECT 'entity', p.entity_id
          FROM events_participant p JOIN target t ON p.event_id = t.id
)
SELECT (SELECT count(*) FROM target), count(c.id), max(c.id), max(c.at), NULL::timestamptz
FROM events_change c JOIN shown s ON c.kind = s.kind AND c.object_id = s.id
WHERE c.public OR %(editor)s
"""

TIMELINE_SQL = """
WITH target AS (SELECT id FROM events_event WHERE slug = %(key)s),
-- Non-editors: the lines they can see only, so drafts (and their citations) neither show
-- in nor change the public validator.
updates AS (
    SELECT u.id FROM events_update u JOIN target t ON u.event_id = t.id
    WHERE %(editor)s OR u.status IN ('published', 'retracted')
),
cited AS (
    SELECT c.article_id, c.speaker_id, c.outlet_id
    FROM events_citation c JOIN updates u ON c.update_id = u.id
),
shown (kind, id) AS (
    SELECT 'update', id FROM updates
    UNION SELECT 'article', article_id FROM cited WHERE article_id IS NOT NULL
    UNION SELECT 'entity', speaker_id FROM cited WHERE speaker_id IS NOT NULL
)
SELECT (SELECT count(*) FROM target), count(c.id), max(c.id), max(c.at),
       (SELECT max(o.updated_at) FROM events_outlet o
         WHERE o.id IN (SELECT outlet_id FROM cited
                        UNION SELECT a.outlet_id FROM events_article a
                              WHERE a.id IN (SELECT article_id FROM cited)))
FROM events_change c JOIN shown s ON c.kind = s.kind AND c.object_id = s.id
WHERE c.public OR %(editor)s
"""

ARTICLE_SQL = """
WITH target AS (
    SELECT id, outlet_id FROM events_article WHERE id = %(key)s AND state = 'ready'
),
shown (kind, id) AS (
    SELECT 'article', id FROM target
    UNION SELECT 'entity', m.entity_id FROM events_mention m JOIN target t ON m.article_id = t.id
    UNION SELECT 'event', l.event_id
          FROM events_articleevent l JOIN target t ON l.article_id = t.id
)
SELECT (SELECT count(*) FROM target), count(c.id), max(c.id), max(c.at),
       greatest((SELECT max(l.updated_at)
                   FROM events_articleevent l JOIN target t ON l.article_id = t.id),
                (SELECT o.updated_at FROM events_outlet o JOIN target t ON o.id = t.outlet_id))
FROM events_change c JOIN shown s ON c.kind = s.kind AND c.object_id = s.id
WHERE c.public OR %(editor)s
"""


# Bump when the body of a cached view changes shape, so no older body is served after a deploy.
BODY_CACHE_VERSION = 1

# The same query with the database's oid appended: cached bodies of two databases sharing one
# Redis (test runs, a restored copy) never meet, even at equal validators.
WITH_DATABASE = """SELECT v.*, (SELECT oid FROM pg_database WHERE datname = current_database())
FROM ({sql}) v"""


def read_validators(
    sql: str, key: str | int, role: Role, *, with_database: bool = False
) -> tuple[str, dt.datetime | None, int | None] | None:
    """(ETag state, Last-Modified, the database's oid when asked for), or None when the object
    does not exist. The API's conditional views and the event page's cached timeline
    (events.web.timeline) both read them."""
    with connection.cursor() as cursor:
        query = WITH_DATABASE.format(sql=sql) if with_database else sql
        cursor.execute(query, {"key": key, "editor": role == Role.EDITOR})
        found, count, max_id, max_at, other_at, *database = cursor.fetchone()
    if not found:
        return None
    times = [t for t in (max_at, other_at) if t is not None]
    last_modified = max(times) if times else None
    other = other_at.isoformat() if other_at else ""
    return f"{count}.{max_id}.{other}", last_modified, database[0] if database else None


# Query parameters any kept body may vary on besides a view's filters (see _known_query).
KNOWN_QUERY = frozenset(
    {"cursor", "page_size", "lang", "format", "include_drafts", "include_duplicates"}
)


class ConditionalGetMixin:
    """Answers GET with ``ETag`` and ``Last-Modified``, and ``304`` when the client's copy is
    current. A view sets ``conditional_sql`` (one of the queries above) and
    ``conditional_kwarg`` (the URL keyword naming the object)."""

    conditional_sql: str = ""
    conditional_kwarg: str = "pk"
    cache_body_seconds: int = 0  # > 0: keep rendered 200 bodies this long (see above)

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        role = request_role(request)
        cached = self.cache_body_seconds > 0
        key = kwargs[self.conditional_kwarg]
        found = read_validators(self.conditional_sql, key, role, with_database=cached)
        if found is None:
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        state, last_modified, database = found
        etag = _etag(request, role, state)
        if _not_modified(request, etag, last_modified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            if cached:
                response = self._cached_body(request, f"{database}:{etag}", *args, **kwargs)
            else:
                response = super().get(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code != status.HTTP_200_OK:
                return response
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Vary"] = "Authorization, Cookie, Accept-Language"
        return response

    def _cached_body(
        self, request: Request, validators: str, *args: Any, **kwargs: Any
    ) -> Response:
        """The body under ``validators`` from the cache, else built, rendered and stored; both
        answered the same way, as the renderer's bytes."""
        renderer = request.accepted_renderer
        _, parameters = parse_header_parameters(request.accepted_media_type)
        if set(parameters) - {"q"} or not self._known_query(request):
            # indent=...: another body; an unknown parameter: a body like another's under a
            # new key, which a client could repeat to fill Redis (a page is ~100 KB, kept
            # 10 minutes). Both are built, not kept.
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        zone = timezone.get_current_timezone_name()
        key = f"api-body:{BODY_CACHE_VERSION}:{zone}:{validators}"
        body = cache.get(key)
        if body is None:
            response = super().get(request, *args, **kwargs)  # type: ignore[misc]
            if not isinstance(response, Response) or response.status_code != status.HTTP_200_OK:
                return response
            context = self.get_renderer_context()  # type: ignore[attr-defined]
            body = renderer.render(response.data, request.accepted_media_type, context)
            cache.set(key, body, self.cache_body_seconds)
        charset = renderer.charset
        content_type = f"{renderer.media_type}; charset={charset}" if charset else None
        return RenderedResponse(body, content_type or renderer.media_type)

    def _known_query(self, request: Request) -> bool:
        """Whether every query parameter is one the view reads: its filters, the page's
        cursor and size, the label language, the format and the view's own flags."""
        filterset = getattr(self, "filterset_class", None)
        known = KNOWN_QUERY | set(filterset.base_filters if filterset else ())
        return set(request.query_params) <= known


class RenderedResponse(Response):
    """A body rendered already: DRF finalizes it like any response; nothing renders it again."""

    def __init__(self, body: bytes, content_type: str) -> None:
        super().__init__()
        self.content = body  # marks it rendered
        self["Content-Type"] = content_type


def request_variant(request: HttpRequest | Request) -> list[str]:
    """Everything about a read request, besides the caller's role, that its response depends
    on: the scheme and host (absolute links: ``next``, ``url``), the path with its whole query
    string (filters, cursor, ``lang``, ``format``), ``Accept`` (its ``indent``),
    ``Accept-Language`` (labels), the language cookie (messages, ``Content-Language``) and the
    time-zone cookie (datetimes are written in the reader's zone). The ETag, the bodies kept
    under it and the anonymous micro-cache (events.api.microcache) all key on it.
    DisallowedHost from a host not in ALLOWED_HOSTS propagates."""
    headers, cookies = request.headers, request.COOKIES
    return [
        request.scheme or "",
        request.get_host(),
        request.get_full_path(),
        headers.get("Accept", ""),
        headers.get("Accept-Language", ""),
        cookies.get(settings.LANGUAGE_COOKIE_NAME, ""),
        cookies.get(TIMEZONE_COOKIE, ""),
    ]


def _etag(request: Request, role: Role, state: str) -> str:
    seed = "\n".join([role.value, *request_variant(request), state])
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def not_modified(headers: Mapping[str, str], etag: str | None, last_modified: str | None) -> bool:
    """Whether a client sending request ``headers`` has the response with these validators
    (``last_modified`` as an HTTP date): ``If-None-Match`` first, else ``If-Modified-Since``."""
    if_none_match = headers.get("If-None-Match")
    if if_none_match is not None:
        if etag is None:
            return False
        tags = [tag.strip() for tag in if_none_match.split(",")]
        # Weak comparison (RFC 9110 8.8.3.2), as GET allows: W/"x" matches "x".
        return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
    since = parse_http_date_safe(headers.get("If-Modified-Since", ""))
    modified = parse_http_date_safe(last_modified or "")
    if since is None or modified is None:
        return False
    return modified <= since


def _not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> bool:
    modified = None if last_modified is None else http_date(last_modified.timestamp())
    return not_modified(request.headers, etag, modified)


class EventDetailConditional(ConditionalGetMixin):
    conditional_sql = EVENT_SQL
    conditional_kwarg = "slug"


class EventTimelineConditional(ConditionalGetMixin):
    conditional_sql = TIMELINE_SQL
    conditional_kwarg = "slug"


class ArticleDetailConditional(ConditionalGetMixin):
    conditional_sql = ARTICLE_SQL
    conditional_kwarg = "pk"
