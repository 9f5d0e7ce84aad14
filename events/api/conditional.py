"""Conditional GET for read views: ``ETag`` / ``Last-Modified``, and ``304`` when unchanged.

The validators come from the change log (events.models.Change), which the database writes for
every change of an event, update, article or entity, whatever path made it: one indexed query
counts the change rows of everything a response shows (the event and its related events and
participants; a timeline's updates, their cited articles and speakers; an article, its
entities and events) and takes the largest id and time. The set of committed rows only grows,
so the count changes whenever something shown changed, even when transactions commit out of
id order (a maximum alone would miss a change committed late with a lower id). Outlets and
scored event suggestions are not in the log; their ``updated_at`` joins in.

The ETag also covers the caller's role (editors see drafts, readers article text) and the full
request path with its query string (language, cursor, include_drafts). Non-editors' validators
count public changes only, so an editor's draft work does not invalidate public caches.
``If-None-Match`` wins over ``If-Modified-Since`` (RFC 9110 13.2.2).

The validators are read before the response: a change committed in between makes the ETag
older than the body, which costs the client one more full response later, never a stale 304.
"""

import datetime as dt
import hashlib
from typing import Any

from django.db import connection
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response

from events.api.permissions import Role, request_role

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


def _validators(sql: str, key: str | int, role: Role) -> tuple[str, dt.datetime | None] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, {"key": key, "editor": role == Role.EDITOR})
        found, count, max_id, max_at, other_at = cursor.fetchone()
    if not found:
        return None
    times = [t for t in (max_at, other_at) if t is not None]
    last_modified = max(times) if times else None
    other = other_at.isoformat() if other_at else ""
    return f"{count}.{max_id}.{other}", last_modified


class ConditionalGetMixin:
    """Answers GET with ``ETag`` and ``Last-Modified``, and ``304`` when the client's copy is
    current. A view sets ``conditional_sql`` (one of the queries above) and
    ``conditional_kwarg`` (the URL keyword naming the object)."""

    conditional_sql: str = ""
    conditional_kwarg: str = "pk"

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        role = request_role(request)
        found = _validators(self.conditional_sql, kwargs[self.conditional_kwarg], role)
        if found is None:
            return super().get(request, *args, **kwargs)  # type: ignore[misc]
        state, last_modified = found
        etag = _etag(request, role, state)
        if _not_modified(request, etag, last_modified):
            response = Response(status=status.HTTP_304_NOT_MODIFIED)
        else:
            response = super().get(request, *args, **kwargs)  # type: ignore[misc]
            if response.status_code != status.HTTP_200_OK:
                return response
        response["ETag"] = etag
        if last_modified is not None:
            response["Last-Modified"] = http_date(last_modified.timestamp())
        response["Vary"] = "Authorization, Cookie, Accept-Language"
        return response


def _etag(request: Request, role: Role, state: str) -> str:
    language = request.headers.get("Accept-Language", "")
    seed = "\n".join([role.value, request.get_full_path(), language, state])
    return '"' + hashlib.sha256(seed.encode()).hexdigest()[:32] + '"'


def _not_modified(request: Request, etag: str, last_modified: dt.datetime | None) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = [tag.strip() for tag in if_none_match.split(",")]
        # Weak comparison (RFC 9110 8.8.3.2), as GET allows: W/"x" matches "x".
        return "*" in tags or any(tag.removeprefix("W/") == etag for tag in tags)
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    if since is None or last_modified is None:
        return False
    return int(last_modified.timestamp()) <= since


class EventDetailConditional(ConditionalGetMixin):
    conditional_sql = EVENT_SQL
    conditional_kwarg = "slug"


class EventTimelineConditional(ConditionalGetMixin):
    conditional_sql = TIMELINE_SQL
    conditional_kwarg = "slug"


class ArticleDetailConditional(ConditionalGetMixin):
    conditional_sql = ARTICLE_SQL
    conditional_kwarg = "pk"
