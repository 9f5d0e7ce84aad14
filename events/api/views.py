"""API v1 views: thin; reads come from events.selectors.api, filtered by the caller's role."""

from typing import Any

from django.db.models import (
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Collate, Concat
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import exceptions, generics, status
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
    LinkState,
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


def _flag(request: Request, name: str) -> bool:
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

    serializer_class = s.UpdateSerializer
    cursor_ordering = ("occurred_at", "id")

    def get_queryset(self) -> QuerySet[Update]:
        event = get_object_or_404(Event, slug=self.kwargs["slug"])
        include_drafts = _flag(self.request, "include_drafts") and is_editor(self.request)
        return event_timeline(event=event, include_drafts=include_drafts)


@extend_schema_view(get=extend_schema(responses={200: s.ArticleSerializer, **PROBLEMS}))
class ArticleListApi(ArticleSubmitMixin, generics.ListAPIView):
    permission_classes = [EditorsWrite]
    serializer_class = s.ArticleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = filters.ArticleFilter
    cursor_ordering = "-id"

    def get_queryset(self) -> QuerySet[Article]:
        include_duplicates = _flag(self.request, "include_duplicates")
        return selectors.article_list_api(include_duplicates=include_duplicates)


@extend_schema(responses={200: s.ArticleDetailSerializer, **PROBLEMS})
class ArticleDetailApi(ArticleDetailConditional, generics.RetrieveAPIView):
    """An article; its `text` only for readers and editors."""

    serializer_class = s.ArticleDetailSerializer

    def get_queryset(self) -> QuerySet[Article]:
        return selectors.article_detail_api()

    def get_serializer_context(self) -> dict[str, Any]:
        return {**super().get_serializer_context(), "include_text": can_read_text(self.request)}


class EventArticleFilter(filters.ArticleFilter):
    """The article list's filters (less ``event``: the path names it) plus the link's state."""

    event = None
    state = django_filters.ChoiceFilter(
        field_name="link_state",
        choices=LinkState.choices,
        help_text="The link's state. Rejected links are listed for editors only.",
    )


def _link_rank() -> Collate:
    """One unique, sortable text per article of an event: score, then publication time
    (unknown last), then id, each zero-padded; compared byte-wise (collation C). The cursor
    keeps its place by it even when articles with equal scores arrive meanwhile."""
    score = Func(
        F("link_score"), template="lpad(floor(%(expressions)s * 1e9)::bigint::text, 10, '0')"
    )
    published = Func(
        F("published_at"),
        template="coalesce(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'), "
        "'00000000000000000000')",
    )
    article = Func(F("id"), template="lpad(%(expressions)s::text, 19, '0')")
    return Collate(Concat(score, published, article, output_field=CharField()), "C")


def event_articles_api(
    *, event: Event, include_duplicates: bool, editor: bool
) -> QuerySet[Article]:
    """The event's listed articles, each with its link to the event (rejected ones for editors
    only), in the article list's constant number of queries."""
    states = LinkState.values if editor else [LinkState.CONFIRMED, LinkState.SUGGESTED]
    # One filter() call: the annotations below read the same joined link row.
    articles = selectors.article_list_api(include_duplicates=include_duplicates).filter(
        event_links__event=event, event_links__state__in=states
    )
    return articles.annotate(
        link_state=F("event_links__state"),
        link_score=F("event_links__score"),
        link_origin=F("event_links__origin"),
        link_decided_at=F("event_links__decided_at"),
    ).annotate(rank=_link_rank())


# One item; drf-spectacular wraps list examples in the page envelope itself.
EVENT_ARTICLE_EXAMPLE = {
    "id": 42,
    "url": "https://www.bbc.com/news/world-asia-59885928",
    "canonical_url": "https://www.bbc.com/news/world-asia-59885928",
    "title": "Kazakhstan: Russian-led alliance sends troops",
    "language": "en",
    "published_at": "2022-01-06T08:10:00Z",
    "outlet": {"id": 3, "slug": "bbc", "name": "BBC"},
    "duplicate_of": None,
    "entities": [{"id": 7, "name": "CSTO", "kind": "organisation"}],
    "events": [
        {"slug": "csto-deployment", "title": "CSTO deployment", "score": 0.92,
         "state": "confirmed"}
    ],
    "updated_at": "2022-01-06T09:00:00Z",
    "state": "confirmed",
    "score": 0.92,
    "origin": "auto",
    "decided_at": "2022-01-06T10:15:00Z",
}  # fmt: skip


@extend_schema(
    responses={
        200: s.EventArticleSerializer,
        301: OpenApiResponse(description="Merged into another event; Location names its list."),
        **PROBLEMS,
    },
    examples=[OpenApiExample("CSTO deployment", value=EVENT_ARTICLE_EXAMPLE, response_only=True)],
)
class EventArticlesApi(generics.ListAPIView):
    """The event's articles with their link to it: `state` (suggested, confirmed; rejected for
    editors only), `score`, `origin` and `decided_at`; highest score first, then newest."""

    serializer_class = s.EventArticleSerializer
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventArticleFilter
    cursor_ordering = "-rank"

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.event = get_object_or_404(
            Event.objects.only("pk", "merged_into_id"), slug=kwargs["slug"]
        )
        if self.event.merged_into_id is not None:
            return _merged_redirect(request, self.event.merged_into_id, "api:event-articles")
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> QuerySet[Article]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Article.objects.none()
        return event_articles_api(
            event=self.event,
            include_duplicates=_flag(self.request, "include_duplicates"),
            editor=is_editor(self.request),
        )


def _merged_redirect(request: Request, winner_id: int, url_name: str) -> Response:
    """301 to ``url_name`` of the event a merged one went into, keeping the query string."""
    winner = Event.objects.values_list("slug", flat=True).get(pk=winner_id)
    location = reverse(url_name, args=[winner])
    if request.META.get("QUERY_STRING"):
        location += "?" + request.META["QUERY_STRING"]
    return Response(status=status.HTTP_301_MOVED_PERMANENTLY, headers={"Location": location})


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
