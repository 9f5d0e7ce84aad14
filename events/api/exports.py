"""GET /api/v1/events/{slug}/export/{fmt}/: one event in the format another program reads.

Anonymous, public material only (never drafts, whoever asks). The Accept header does not
choose the format, the path does: a calendar app asking for text/calendar gets the calendar,
not a 406. Responses carry an ETag (a hash of the bytes, so it changes with anything shown)
and Last-Modified; a request whose If-None-Match matches gets 304. If-Modified-Since alone
is not trusted for 304: a renamed outlet or a removed relation changes an export without
changing any row's timestamp it could be compared with.
"""

import hashlib
from collections.abc import Iterable

from django.http import HttpResponse, HttpResponseBase, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api.errors import PROBLEM_CONTENT_TYPE, problem
from events.api.serializers import problems
from events.exports import FORMATS, event_for_export, export_data
from events.models import Event

DESCRIPTIONS = {
    "atom": "The published timeline as an Atom 1.0 feed; retracted lines titled [Retracted].",
    "ics": "iCalendar: the event, its parts and linked meetings that have a start.",
    "csv": "One row per timeline line and citation; UTF-8 with BOM.",
    "timelinejs": "TimelineJS 3 JSON: a title slide and one slide per line.",
    "jsonld": "A schema.org Event with its timeline as a LiveBlogPosting.",
    "geojson": "RFC 7946 FeatureCollection of the event and linked events with coordinates.",
}
JSON_FORMATS = ("timelinejs", "jsonld", "geojson")


def _media_type(name: str) -> str:
    return FORMATS[name].media_type.split(";")[0]


class PathChoosesFormat(BaseContentNegotiation):
    """Always the first renderer (JSON, for problems): the path names the export's format."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


@extend_schema(
    parameters=[
        OpenApiParameter("slug", OpenApiTypes.STR, OpenApiParameter.PATH),
        OpenApiParameter(
            "fmt",
            OpenApiTypes.STR,
            OpenApiParameter.PATH,
            enum=list(FORMATS),
            description="; ".join(f"`{name}`: {text}" for name, text in DESCRIPTIONS.items()),
        ),
    ],
    responses={
        **{
            (200, _media_type(name)): OpenApiResponse(
                OpenApiTypes.OBJECT if name in JSON_FORMATS else OpenApiTypes.STR,
                description=DESCRIPTIONS[name],
            )
            for name in FORMATS
        },
        (301, "text/plain"): OpenApiResponse(
            description="The event was merged into another: its export, at Location."
        ),
        (304, "text/plain"): OpenApiResponse(description="Unchanged since the given ETag."),
        **problems(404, 429),
    },
)
class EventExportApi(APIView):
    """One event as Atom, iCalendar, CSV, TimelineJS, JSON-LD or GeoJSON."""

    content_negotiation_class = PathChoosesFormat

    def get(self, request: Request, slug: str, fmt: str) -> HttpResponseBase:
        export = FORMATS.get(fmt)
        if export is None:
            return _unknown_format(fmt)
        event = get_object_or_404(event_for_export(), slug=slug)
        if event.merged_into_id is not None:
            winner = Event.objects.only("slug").get(pk=event.merged_into_id)
            return HttpResponsePermanentRedirect(
                reverse("api:event-export", args=[winner.slug, fmt])
            )
        data = export_data(event=event, request=request, with_timeline=export.with_timeline)
        body = export.render(data)
        response = HttpResponse(body, content_type=export.media_type)
        if export.filename is not None:
            response["Content-Disposition"] = f'attachment; filename="{export.filename(data)}"'
        etag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
        last_modified = int(data.last_modified.timestamp())
        response["ETag"] = etag
        response["Last-Modified"] = http_date(last_modified)
        conditional = get_conditional_response(request, etag=etag, response=response)
        return conditional if conditional is not None else response


def _unknown_format(fmt: str) -> Response:
    allowed = list(FORMATS)
    body = problem(
        "not-found",
        status_code=status.HTTP_404_NOT_FOUND,
        detail=f"No export format {fmt!r}; one of: {', '.join(allowed)}.",
        formats=allowed,
    )
    return Response(body, status=status.HTTP_404_NOT_FOUND, content_type=PROBLEM_CONTENT_TYPE)
