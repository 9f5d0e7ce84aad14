"""``GET /api/v1/changes/``: the change feed for clients that mirror the data.

Creations, edits, publications, retractions, merges and deletions (tombstones) of events,
updates, articles and entities, in the order of events.selectors.changes, with an opaque
cursor to resume from. A client stores ``next`` (or the last item's ``cursor``) and asks again:
nothing is repeated and nothing is missed, even when transactions commit out of order.
Anonymous clients and readers see public changes only; editors also see drafts.
"""

import base64
import binascii
import re
from typing import Any
from urllib.parse import urlencode

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api.permissions import is_editor
from events.api.serializers import problems
from events.models import Change, ChangeAction, ChangeKind
from events.selectors.changes import Cursor, change_paths, changes_since
from events.selectors.refs import is_id

DEFAULT_LIMIT = 100
MAX_LIMIT = 500
_CURSOR = re.compile(r"(\d{1,19})\.(\d{1,19})")
_MAX_BIGINT = 2**63 - 1


def cursor_encode(cursor: Cursor) -> str:
    raw = f"{cursor[0]}.{cursor[1]}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(token: str) -> Cursor:
    """The position in ``token``; ValueError if it is not one this API handed out."""
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise ValueError("not a cursor") from error
    match = _CURSOR.fullmatch(raw)
    if not match:
        raise ValueError("not a cursor")
    cursor = int(match[1]), int(match[2])
    # Only the exact token this API wrote: the decoder would skip stray characters.
    if max(cursor) > _MAX_BIGINT or cursor_encode(cursor) != token:
        raise ValueError("not a cursor")
    return cursor


class ChangeSerializer(serializers.Serializer):
    cursor = serializers.CharField(help_text="Resume after this change with `?since=<cursor>`.")
    kind = serializers.ChoiceField(choices=ChangeKind.choices)
    id = serializers.IntegerField(help_text="Id of the event, update, article or entity.")
    key = serializers.CharField(
        help_text="The event's slug, the article's canonical URL, or the id as text."
    )
    action = serializers.ChoiceField(
        choices=ChangeAction.choices,
        help_text="`merged`: the event became a redirect to `data.merged_into`; "
        "`deleted`: a tombstone, the object is gone.",
    )
    at = serializers.DateTimeField()
    # A declared field named like Serializer.data: the metaclass moves it into _declared_fields.
    data = serializers.DictField(  # type: ignore[assignment]
        help_text="Events: `merged_into` or `previous_slug`; updates: `event` and `status`."
    )
    url = serializers.CharField(
        allow_null=True, help_text="API URL of the object; null if deleted."
    )


class ChangePageSerializer(serializers.Serializer):
    results = ChangeSerializer(many=True)
    next = serializers.CharField(help_text="The URL to ask next (also when there is nothing new).")
    has_more = serializers.BooleanField(help_text="More changes are ready now; ask `next` at once.")


EXAMPLE = {
    "results": [
        {
            "cursor": "MjYwOTQuMTI",
            "kind": "update",
            "id": 7,
            "key": "7",
            "action": "published",
            "at": "2022-01-06T08:15:00Z",
            "data": {"event": "csto-deployment", "status": "published"},
            "url": "http://127.0.0.1:8000/api/v1/updates/7/",
        },
        {
            "cursor": "MjYwOTUuMTM",
            "kind": "event",
            "id": 3,
            "key": "csto-troops",
            "action": "merged",
            "at": "2022-01-06T08:20:00Z",
            "data": {"merged_into": "csto-deployment"},
            "url": "http://127.0.0.1:8000/api/v1/events/csto-troops/",
        },
    ],
    "next": "http://127.0.0.1:8000/api/v1/changes/?since=MjYwOTUuMTM",
    "has_more": False,
}


def _limit(request: Request) -> int:
    raw = request.query_params.get("limit")
    if raw is None:
        return DEFAULT_LIMIT
    if not is_id(raw) or int(raw) < 1:
        raise exceptions.ValidationError({"limit": [f"Must be an integer from 1 to {MAX_LIMIT}."]})
    return min(int(raw), MAX_LIMIT)


def _kinds(request: Request) -> list[str]:
    raw = request.query_params.get("kinds", "")
    kinds = [kind.strip() for kind in raw.split(",") if kind.strip()]
    unknown = sorted(set(kinds) - set(ChangeKind.values))
    if unknown:
        expected = ", ".join(ChangeKind.values)
        raise exceptions.ValidationError(
            {"kinds": [f"Unknown kind {unknown[0]!r}; expected some of: {expected}."]}
        )
    return kinds


def _since(request: Request) -> Cursor | None:
    raw = request.query_params.get("since")
    if raw is None or raw == "":
        return None
    try:
        return cursor_decode(raw)
    except ValueError as error:
        raise exceptions.ValidationError(
            {"since": ["Invalid cursor: use a `cursor` or `next` this API returned."]}
        ) from error


@extend_schema(
    parameters=[
        OpenApiParameter(
            "since",
            OpenApiTypes.STR,
            description="Opaque cursor from an earlier response; absent: from the beginning.",
        ),
        OpenApiParameter(
            "limit",
            OpenApiTypes.INT,
            description=f"Page size, default {DEFAULT_LIMIT}, at most {MAX_LIMIT}.",
        ),
        OpenApiParameter(
            "kinds",
            OpenApiTypes.STR,
            description="Comma-separated kinds to keep: " + ", ".join(ChangeKind.values) + ".",
            examples=[OpenApiExample("Timeline changes", value="event,update")],
        ),
    ],
    responses={200: ChangePageSerializer, **problems(400, 401, 429)},
    examples=[OpenApiExample("A page", value=EXAMPLE, response_only=True, status_codes=["200"])],
)
class ChangesApi(APIView):
    """The change feed, oldest first. A change made by a transaction still running is held
    back until it ends (the feed never skips past it), so a row may show up a little late,
    never out of order."""

    def get(self, request: Request) -> Response:
        since, limit, kinds = _since(request), _limit(request), _kinds(request)
        page = changes_since(
            cursor=since, limit=limit, include_private=is_editor(request), kinds=kinds
        )
        path = change_paths()
        results = [_item(change, path(change), request) for change in page.changes]
        query: dict[str, Any] = {}
        if page.cursor is not None:
            query["since"] = cursor_encode(page.cursor)
        if "limit" in request.query_params:
            query["limit"] = limit
        if kinds:
            query["kinds"] = ",".join(kinds)
        next_url = request.build_absolute_uri(request.path)
        if query:
            next_url += "?" + urlencode(query)
        return Response({"results": results, "next": next_url, "has_more": page.has_more})


def _item(change: Change, path: str | None, request: Request) -> dict[str, Any]:
    return {
        "cursor": cursor_encode((change.txid, change.pk)),
        "kind": change.kind,
        "id": change.object_id,
        "key": change.object_key,
        "action": change.action,
        "at": serializers.DateTimeField().to_representation(change.at),
        "data": change.data,
        "url": request.build_absolute_uri(path) if path else None,
    }
