"""GET /api/v1/search/: events, timeline lines, articles and entities ranked by relevance.

The lists' ``q`` narrows a list and keeps its cursor order, so a client paging through it
sees every match exactly once; this endpoint answers "what fits best" instead: the top
``limit`` of each kind, best first, with their ``rank``, and no pagination (a relevance order
has no stable cursor)."""

from typing import Any

from django.db.models import F, Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from events.api import serializers as s
from events.api.labels import label_language
from events.api.permissions import is_editor
from events.models import (
    ArticleEvent,
    Citation,
    EventRelation,
    LinkState,
    Mention,
)
from events.selectors.pages import ARTICLE_LIST_DEFER
from events.selectors.search import (
    MAX_QUERY_LENGTH,
    ParsedQuery,
    SearchError,
    SearchFilters,
    parse_query,
    ranked_articles,
    search_entities,
    search_events,
    search_updates,
)

DEFAULT_LIMIT = 10
MAX_LIMIT = 50


class SearchParams(serializers.Serializer):
    q = serializers.CharField(
        max_length=MAX_QUERY_LENGTH,
        help_text='Words, any language: "a phrase", this OR that, -word and -"a phrase" left out.',
    )
    limit = serializers.IntegerField(
        min_value=1, max_value=MAX_LIMIT, default=DEFAULT_LIMIT, help_text="Rows per kind."
    )
    date_from = serializers.DateField(required=False, help_text="From this day (inclusive).")
    date_to = serializers.DateField(required=False, help_text="To this day (inclusive).")
    language = serializers.RegexField(
        r"^[a-z]{2}$", required=False, help_text="Lines and articles in this ISO 639-1 language."
    )
    outlet = serializers.CharField(max_length=200, required=False, help_text="Outlet id or slug.")
    entity = serializers.CharField(max_length=200, required=False, help_text="Entity id or slug.")
    event = serializers.SlugField(max_length=200, required=False, help_text="Event slug.")
    lang = serializers.CharField(required=False, help_text="Label language (ISO 639-1).")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        start, end = attrs.get("date_from"), attrs.get("date_to")
        if start and end and start > end:
            raise serializers.ValidationError({"date_to": ["Must not be before date_from."]})
        return attrs


class RankedEventSerializer(s.EventSerializer):
    rank = serializers.FloatField()

    class Meta(s.EventSerializer.Meta):
        fields = [*s.EventSerializer.Meta.fields, "rank"]


class RankedUpdateSerializer(s.UpdateSerializer):
    event = serializers.SlugField(source="event.slug")
    rank = serializers.FloatField()

    class Meta(s.UpdateSerializer.Meta):
        fields = [*s.UpdateSerializer.Meta.fields, "event", "rank"]


class RankedArticleSerializer(s.ArticleSerializer):
    rank = serializers.FloatField()

    class Meta(s.ArticleSerializer.Meta):
        fields = [*s.ArticleSerializer.Meta.fields, "rank"]


class RankedEntitySerializer(s.EntitySerializer):
    rank = serializers.FloatField()

    class Meta(s.EntitySerializer.Meta):
        fields = [*s.EntitySerializer.Meta.fields, "rank"]


class SearchResultsSerializer(serializers.Serializer):
    q = serializers.CharField()
    events = RankedEventSerializer(many=True)
    updates = RankedUpdateSerializer(many=True)
    articles = RankedArticleSerializer(many=True)
    entities = RankedEntitySerializer(many=True)


def _filters(params: dict[str, Any]) -> SearchFilters:
    return SearchFilters(
        date_from=params.get("date_from"),
        date_to=params.get("date_to"),
        language=params.get("language", ""),
        outlet=params.get("outlet", ""),
        entity=params.get("entity", ""),
        event=params.get("event", ""),
    )


@extend_schema(
    parameters=[SearchParams],
    responses={200: SearchResultsSerializer, **s.problems(400, 401, 429)},
)
class SearchApi(APIView):
    """Best matches of each kind for `q`, most relevant first. Drafts only for editors;
    articles as metadata (their text is at /api/v1/articles/{id}/ for readers)."""

    def get(self, request: Request) -> Response:
        params_in = SearchParams(data=request.query_params)
        params_in.is_valid(raise_exception=True)
        params = params_in.validated_data
        filters = _filters(params)
        context = {"request": request, "view": self, "lang": label_language(request)}
        try:
            parsed = parse_query(params["q"], language=filters.language)
        except SearchError as error:
            raise exceptions.ValidationError({error.field: [str(error)]}) from error
        data: dict[str, Any] = {"q": " ".join(params["q"].split())}
        data.update(events=[], updates=[], articles=[], entities=[])
        if parsed is None:
            return Response(data)
        limit, editor = params["limit"], is_editor(request)
        events = _events(parsed, filters, limit)
        updates = _updates(parsed, filters, editor, limit)
        articles = _articles(parsed, filters, editor, limit)
        entities = search_entities(parsed.q).prefetch_related("aliases").order_by("-rank", "name")
        data["events"] = RankedEventSerializer(events, many=True, context=context).data
        data["updates"] = RankedUpdateSerializer(updates, many=True, context=context).data
        data["articles"] = RankedArticleSerializer(articles, many=True, context=context).data
        data["entities"] = RankedEntitySerializer(entities[:limit], many=True, context=context).data
        return Response(data)


def _events(parsed: ParsedQuery, filters: SearchFilters, limit: int) -> list[Any]:
    events = search_events(parsed, filters=filters).prefetch_related(
        "translations",
        Prefetch("relations_out", queryset=EventRelation.objects.select_related("target")),
        Prefetch("relations_in", queryset=EventRelation.objects.select_related("source")),
    )
    return list(events.order_by("-rank", F("start").desc(nulls_last=True), "-id")[:limit])


def _updates(parsed: ParsedQuery, filters: SearchFilters, editor: bool, limit: int) -> list[Any]:
    citations = Citation.objects.select_related("outlet", "speaker", "article").defer(
        *(f"article__{name}" for name in ARTICLE_LIST_DEFER)
    )
    updates = (
        search_updates(parsed, editor=editor, filters=filters)
        .select_related("event")
        .prefetch_related(Prefetch("citations", queryset=citations))
    )
    return list(updates.order_by("-rank", "-occurred_at", "-id")[:limit])


def _articles(parsed: ParsedQuery, filters: SearchFilters, editor: bool, limit: int) -> list[Any]:
    articles = (
        ranked_articles(parsed, filters=filters, editor=editor)
        .select_related("outlet")
        .defer(*ARTICLE_LIST_DEFER)
        .prefetch_related(
            Prefetch("mentions", queryset=Mention.objects.select_related("entity")),
            Prefetch(
                "event_links",
                queryset=ArticleEvent.objects.exclude(state=LinkState.REJECTED).select_related(
                    "event"
                ),
            ),
        )
    )
    return list(articles[:limit])
