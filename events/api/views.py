"""API v1 views: thin; reads come from events.selectors.api, filtered by the caller's role."""

from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import filters
from events.api import serializers as s
from events.api.conditional import (
    ArticleDetailConditional,
    EventDetailConditional,
    EventTimelineConditional,
)
from events.api.labels import label_language
from events.api.permissions import EditorsWrite, can_read_text, is_editor
from events.api.write_articles import ArticleSubmitMixin
from events.api.write_entities import EntityCreateMixin
from events.api.write_entities import EntityDetailApi as EntityWriteApi
from events.api.write_events import EventCreateMixin, EventEditMixin, MergedRedirectMixin
from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleState,
    Citation,
    Entity,
    Event,
    Mention,
    Outlet,
    Participant,
    Update,
)
from events.selectors import api as selectors
from events.selectors.events import event_timeline

LANG_PARAMETER = OpenApiParameter(
    "lang",
    OpenApiTypes.STR,
    description="Language of titles and summaries (ISO 639-1); English where not curated. "
    "Without it, the first curated language of Accept-Language.",
)


PROBLEMS = s.problems(400, 401, 404, 429)


def flag(request: Request, name: str) -> bool:
    raw = request.query_params.get(name, "false").lower()
    if raw not in ("true", "false", "1", "0"):
        raise exceptions.ValidationError({name: ["Expected true or false."]})
    return raw in ("true", "1")


class LangContextMixin(generics.GenericAPIView):
    def get_serializer_context(self) -> dict[str, Any]:
        context = super().get_serializer_context()
        context["lang"] = label_language(self.request)  # lang=, else Accept-Language
        return context


@extend_schema_view(
    get=extend_schema(parameters=[LANG_PARAMETER], responses={200: s.EventSerializer, **PROBLEMS})
)
class EventListApi(EventCreateMixin, LangContextMixin, generics.ListAPIView):
    permission_classes = [EditorsWrite]
    serializer_class = s.EventSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EventFilter
    cursor_ordering = "-id"

    def get_queryset(self) -> QuerySet[Event]:
        # A merged event is a tombstone: its URL redirects, it is not listed.
        return selectors.event_list_api().filter(merged_into__isnull=True)


@extend_schema_view(
    get=extend_schema(
        parameters=[LANG_PARAMETER],
        responses={
            200: s.EventDetailSerializer,
            301: OpenApiResponse(description="Merged into another event; Location names it."),
            **PROBLEMS,
        },
    )
)
class EventDetailApi(
    EventDetailConditional,
    MergedRedirectMixin,
    EventEditMixin,
    LangContextMixin,
    generics.RetrieveAPIView,
):
    permission_classes = [EditorsWrite]
    serializer_class = s.EventDetailSerializer
    lookup_field = "slug"

    def get_queryset(self) -> QuerySet[Event]:
        return selectors.event_detail_api()


@extend_schema(
    parameters=[
        OpenApiParameter(
            "include_drafts",
            OpenApiTypes.BOOL,
            description="Editors only: also drafts and lines in review. Ignored for others.",
        )
    ],
    responses={200: s.UpdateSerializer, **PROBLEMS},
)
class EventTimelineApi(EventTimelineConditional, generics.ListAPIView):
    """The event's timeline in time order; retracted lines stay, with their reason."""

    serializer_class = s.UpdateSerializer  # the schema; items are built by s.timeline_items
    cursor_ordering = ("occurred_at", "id")
    # A page's rendered body is kept in the cache under its validators (see conditional.py).
    cache_body_seconds = 600

    def get_queryset(self) -> QuerySet[Update]:
        event = get_object_or_404(Event, slug=self.kwargs["slug"])
        include_drafts = flag(self.request, "include_drafts") and is_editor(self.request)
        return event_timeline(event=event, include_drafts=include_drafts)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        page = self.paginate_queryset(selectors.timeline_item_rows(self.get_queryset())) or []
        citations = selectors.timeline_item_citations([row["id"] for row in page])
        return self.get_paginated_response(s.timeline_items(page, citations))


def article_page(view: generics.GenericAPIView, *link_fields: str) -> Response:
    """A page of the view's filtered articles as lean items (s.article_items): the page's rows,
    then their mentions and event links; ``link_fields`` adds an event's link columns."""
    rows = selectors.article_item_rows(view.filter_queryset(view.get_queryset()), *link_fields)
    page = view.paginate_queryset(rows) or []
    mentions, links = selectors.article_item_relations([row["id"] for row in page])
    items = s.article_items(page, mentions, links, with_link=bool(link_fields))
    return view.get_paginated_response(items)


@extend_schema_view(get=extend_schema(responses={200: s.ArticleSerializer, **PROBLEMS}))
class ArticleListApi(ArticleSubmitMixin, generics.ListAPIView):
    permission_classes = [EditorsWrite]
    serializer_class = s.ArticleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ArticleFilter
    cursor_ordering = "-id"

    def get_queryset(self) -> QuerySet[Article]:
        include_duplicates = flag(self.request, "include_duplicates")
        return selectors.article_list_api(include_duplicates=include_duplicates)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return article_page(self)


@extend_schema(responses={200: s.ArticleDetailSerializer, **PROBLEMS})
class ArticleDetailApi(ArticleDetailConditional, generics.RetrieveAPIView):
    """An article; its `text` only for readers and editors."""

    serializer_class = s.ArticleDetailSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.article_detail_api()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "include_text": can_read_text(self.request)}


@extend_schema_view(get=extend_schema(responses={200: s.EntitySerializer, **PROBLEMS}))
class EntityListApi(EntityCreateMixin, generics.ListAPIView):
    permission_classes = [EditorsWrite]
    serializer_class = s.EntitySerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.EntityFilter
    cursor_ordering = "id"

    def get_queryset(self) -> QuerySet[Entity]:
        return selectors.entity_list_api()


def _count_by(rows: QuerySet, key: str) -> Coalesce:
    """A correlated COUNT of ``rows`` (filtered on ``key`` = OuterRef) as an annotation."""
    counted = rows.order_by().values(key).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def entity_detail_api(*, editor: bool) -> QuerySet[Entity]:
    """Entities with aliases, the events they take part in (labels prefetched), the count of
    listed articles mentioning them and of the citations quoting them, in constant queries."""
    mentions = Mention.objects.filter(
        entity=OuterRef("pk"),
        article__state=ArticleState.READY,
        article__duplicate_of__isnull=True,
    )
    quotes = Citation.objects.filter(speaker=OuterRef("pk"))
    if not editor:
        quotes = quotes.filter(Q(update__isnull=True) | Q(update__status__in=PUBLIC_STATUSES))
    participations = (
        Participant.objects.filter(event__merged_into__isnull=True)
        .select_related("event")
        .prefetch_related("event__translations")
        .order_by("-event__start", "event__slug", "role")
    )
    return (
        selectors.entity_list_api()
        .prefetch_related(Prefetch("participations", queryset=participations))
        .annotate(
            article_count=_count_by(mentions, "entity"), quote_count=_count_by(quotes, "speaker")
        )
    )


class EntityDetailApi(LangContextMixin, EntityWriteApi):
    """GET adds the entity's events, article count and quote count; PATCH as before."""

    serializer_class = s.EntityDetailSerializer

    def get_queryset(self) -> QuerySet[Entity]:
        return entity_detail_api(editor=is_editor(self.request))

    @extend_schema(
        parameters=[LANG_PARAMETER],
        responses={200: s.EntityDetailSerializer, **PROBLEMS},
        examples=[
            OpenApiExample(
                "Tokayev",
                response_only=True,
                value={
                    "id": 7,
                    "slug": "kassym-jomart-tokayev",
                    "name": "Kassym-Jomart Tokayev",
                    "kind": "person",
                    "wikidata_id": "Q1363634",
                    "description": "President of Kazakhstan",
                    "aliases": [{"id": 3, "name": "Токаев", "language": "bg", "is_acronym": False}],
                    "events": [
                        {"slug": "csto-deployment", "title": "CSTO deployment", "role": "actor"}
                    ],
                    "events_url": "/api/v1/events/?entity=7",
                    "articles": 12,
                    "articles_url": "/api/v1/articles/?entity=7",
                    "quotes": 2,
                },
            )
        ],
        description="An entity with its aliases, the events it takes part in (with its role), "
        "how many listed articles mention it and how many citations quote it.",
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)


@extend_schema(responses={200: s.OutletSerializer, **PROBLEMS})
class OutletListApi(generics.ListAPIView):
    serializer_class = s.OutletSerializer
    cursor_ordering = "id"

    def get_queryset(self) -> QuerySet[Outlet]:
        return selectors.outlet_list_api()


@extend_schema(exclude=True)
class NotFoundApi(APIView):
    """Any other path under /api/v1/: a 404 problem, not the HTML page."""

    def get(self, request: Request, *args: object, **kwargs: object) -> Response:
        raise exceptions.NotFound(f"No API endpoint at {request.path}.")

    post = put = patch = delete = get
