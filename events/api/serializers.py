"""Response shapes of API v1. Field names are contract (DESIGN.md): extend, never rename."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from events.api.errors import PROBLEM_CONTENT_TYPE
from events.models import (
    Article,
    Citation,
    Entity,
    EntityAlias,
    Event,
    EventTranslation,
    Outlet,
    Participant,
    RelationKind,
    Update,
)

DIRECTIONS = [("out", "this event → event"), ("in", "event → this event")]


class RelationSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=RelationKind.choices)
    direction = serializers.ChoiceField(choices=DIRECTIONS)
    event = serializers.SlugField(help_text="Slug of the other event.")


class EventSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField(
        help_text="In the `lang` language when curated, else English."
    )
    relations = serializers.SerializerMethodField()

    class Meta:
        model = Event
        fields = [
            "slug",
            "title",
            "kind",
            "status",
            "start",
            "start_precision",
            "end",
            "end_precision",
            "place",
            "relations",
            "updated_at",
        ]

    def get_title(self, event: Event) -> str:
        return event.label(self.context.get("lang", "en"))

    @extend_schema_field(RelationSerializer(many=True))
    def get_relations(self, event: Event) -> list[dict[str, str]]:
        out = [
            {"kind": r.kind, "direction": "out", "event": r.target.slug}
            for r in event.relations_out.all()
        ]
        into = [
            {"kind": r.kind, "direction": "in", "event": r.source.slug}
            for r in event.relations_in.all()
        ]
        return out + into


class TranslationSerializer(serializers.ModelSerializer):
    class Meta:
        model = EventTranslation
        fields = ["language", "title", "summary"]


class EntityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "name", "kind"]


class ParticipantSerializer(serializers.ModelSerializer):
    entity = EntityRefSerializer()

    class Meta:
        model = Participant
        fields = ["entity", "role", "note"]


class CoordinatesSerializer(serializers.Serializer):
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()


class EventDetailSerializer(EventSerializer):
    summary = serializers.SerializerMethodField()
    translations = TranslationSerializer(many=True)
    participants = ParticipantSerializer(many=True, source="participations")
    coordinates = serializers.SerializerMethodField()

    class Meta(EventSerializer.Meta):
        fields = [
            *EventSerializer.Meta.fields,
            "summary",
            "translations",
            "participants",
            "coordinates",
        ]

    def get_summary(self, event: Event) -> str:
        return event.summary_in(self.context.get("lang", "en"))

    @extend_schema_field(CoordinatesSerializer(allow_null=True))
    def get_coordinates(self, event: Event) -> dict[str, float] | None:
        if event.latitude is None or event.longitude is None:
            return None
        return {"latitude": event.latitude, "longitude": event.longitude}


class CitedArticleSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="canonical_url")

    class Meta:
        model = Article
        fields = ["id", "url", "title"]


class SpeakerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Entity
        fields = ["id", "name"]


class SpanSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()


class CitationSerializer(serializers.ModelSerializer):
    article = CitedArticleSerializer(allow_null=True)
    outlet = serializers.SerializerMethodField()
    speaker = SpeakerSerializer(allow_null=True)
    span = serializers.SerializerMethodField()

    class Meta:
        model = Citation
        fields = ["article", "outlet", "speaker", "quote", "quote_language", "translation", "span"]

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Outlet name."))
    def get_outlet(self, citation: Citation) -> str | None:
        return citation.outlet.name if citation.outlet else None

    @extend_schema_field(SpanSerializer(allow_null=True))
    def get_span(self, citation: Citation) -> dict[str, int] | None:
        if citation.span_start is None or citation.span_end is None:
            return None
        return {"start": citation.span_start, "end": citation.span_end}


class UpdateSerializer(serializers.ModelSerializer):
    citations = CitationSerializer(many=True)

    class Meta:
        model = Update
        fields = [
            "id",
            "occurred_at",
            "occurred_precision",
            "headline",
            "body",
            "language",
            "status",
            "retraction_reason",
            "correction_note",
            "published_at",
            "retracted_at",
            "updated_at",
            "citations",
        ]


class OutletRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = ["id", "slug", "name"]


class ArticleEventSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="event.slug")
    title = serializers.CharField(source="event.title")
    score = serializers.FloatField()
    state = serializers.CharField()


class ArticleSerializer(serializers.ModelSerializer):
    url = serializers.CharField(source="canonical_url", help_text="Where to read it.")
    outlet = OutletRefSerializer(allow_null=True)
    entities = serializers.SerializerMethodField()
    events = ArticleEventSerializer(many=True, source="event_links")

    class Meta:
        model = Article
        fields = [
            "id",
            "url",
            "canonical_url",
            "title",
            "language",
            "published_at",
            "outlet",
            "duplicate_of",
            "entities",
            "events",
            "updated_at",
        ]

    @extend_schema_field(EntityRefSerializer(many=True))
    def get_entities(self, article: Article) -> list[dict[str, Any]]:
        return [
            {"id": m.entity.pk, "name": m.entity.name, "kind": m.entity.kind}
            for m in article.mentions.all()
        ]


class ArticleDetailSerializer(ArticleSerializer):
    text = serializers.CharField(
        required=False, help_text="Only for readers and editors; absent for anonymous clients."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "text"]

    def to_representation(self, instance: Article) -> dict[str, Any]:
        data = super().to_representation(instance)
        if not self.context.get("include_text"):
            data.pop("text", None)
        return data


class EventArticleSerializer(ArticleSerializer):
    """An article of one event: the article item plus how it is linked to that event."""

    state = serializers.CharField(
        source="link_state",
        help_text="suggested (scored, undecided), confirmed or rejected (editors only).",
    )
    score = serializers.FloatField(source="link_score", help_text="Suggestion score, 0 to 1.")
    origin = serializers.CharField(
        source="link_origin", help_text="auto (suggested by scoring) or editor (attached)."
    )
    decided_at = serializers.DateTimeField(
        source="link_decided_at", allow_null=True, help_text="When an editor decided; null if not."
    )

    class Meta(ArticleSerializer.Meta):
        fields = [*ArticleSerializer.Meta.fields, "state", "score", "origin", "decided_at"]


# --- lean items -----------------------------------------------------------------------------------
# The hot list pages (timeline, article lists) build their items here from plain rows
# (QuerySet.values(), events.selectors.api), not through the ModelSerializers above: those stay
# the documented schema (the views name them in extend_schema) and serve details, search and
# writes. Each function returns exactly what its serializer would, key for key and value for
# value (tests/api/test_lean_items.py compares them): DRF's CharField/ChoiceField/IntegerField
# pass a database value through; None stays None; a datetime is DRF's DateTimeField output.
Row = Mapping[str, Any]


def _datetimes() -> Any:
    """DRF's DateTimeField.to_representation in the active time zone (the ``tz`` cookie may
    change it per request): ISO 8601, ``Z`` for UTC; None (or empty) as None."""
    zone = timezone.get_current_timezone()

    def represent(value: dt.datetime | None) -> str | None:
        if not value:
            return None
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return represent


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)


def citation_item(row: Row) -> dict[str, Any]:
    """CitationSerializer's output for a row of selectors.api.CITATION_ITEM_FIELDS."""
    start, end = row["span_start"], row["span_end"]
    return {
        "article": None
        if row["article_id"] is None
        else {
            "id": row["article_id"],
            "url": row["article__canonical_url"],
            "title": row["article__title"],
        },
        "outlet": None if row["outlet_id"] is None else row["outlet__name"],
        "speaker": None
        if row["speaker_id"] is None
        else {"id": row["speaker_id"], "name": row["speaker__name"]},
        "quote": row["quote"],
        "quote_language": row["quote_language"],
        "translation": row["translation"],
        "span": None if start is None or end is None else {"start": start, "end": end},
    }


def timeline_items(
    updates: Iterable[Row], citations: Mapping[int, Sequence[Row]]
) -> list[dict[str, Any]]:
    """UpdateSerializer's output for rows of selectors.api.UPDATE_ITEM_FIELDS, with their
    citation rows by update id."""
    when = _datetimes()
    return [
        {
            "id": u["id"],
            "occurred_at": when(u["occurred_at"]),
            "occurred_precision": u["occurred_precision"],
            "headline": u["headline"],
            "body": u["body"],
            "language": u["language"],
            "status": u["status"],
            "retraction_reason": u["retraction_reason"],
            "correction_note": u["correction_note"],
            "published_at": when(u["published_at"]),
            "retracted_at": when(u["retracted_at"]),
            "updated_at": when(u["updated_at"]),
            "citations": [citation_item(c) for c in citations.get(u["id"], ())],
        }
        for u in updates
    ]


def article_items(
    articles: Iterable[Row],
    mentions: Mapping[int, Sequence[Row]],
    links: Mapping[int, Sequence[Row]],
    *,
    with_link: bool = False,
) -> list[dict[str, Any]]:
    """ArticleSerializer's output (EventArticleSerializer's when ``with_link``) for rows of
    selectors.api.ARTICLE_ITEM_FIELDS, with their mention and event-link rows by article id."""
    when = _datetimes()
    items = []
    for a in articles:
        item = {
            "id": a["id"],
            "url": a["canonical_url"],
            "canonical_url": a["canonical_url"],
            "title": a["title"],
            "language": a["language"],
            "published_at": when(a["published_at"]),
            "outlet": None
            if a["outlet_id"] is None
            else {"id": a["outlet_id"], "slug": a["outlet__slug"], "name": a["outlet__name"]},
            "duplicate_of": a["duplicate_of_id"],
            "entities": [
                {"id": m["entity_id"], "name": m["entity__name"], "kind": m["entity__kind"]}
                for m in mentions.get(a["id"], ())
            ],
            "events": [
                {
                    "slug": link["event__slug"],
                    "title": link["event__title"],
                    "score": _float(link["score"]),
                    "state": link["state"],
                }
                for link in links.get(a["id"], ())
            ],
            "updated_at": when(a["updated_at"]),
        }
        if with_link:
            item["state"] = a["link_state"]
            item["score"] = _float(a["link_score"])
            item["origin"] = a["link_origin"]
            item["decided_at"] = when(a["link_decided_at"])
        items.append(item)
    return items


class AliasSerializer(serializers.ModelSerializer):
    class Meta:
        model = EntityAlias
        fields = ["id", "name", "language", "is_acronym"]


class EntitySerializer(serializers.ModelSerializer):
    aliases = AliasSerializer(many=True)

    class Meta:
        model = Entity
        fields = ["id", "slug", "name", "kind", "wikidata_id", "description", "aliases"]


class EntityEventSerializer(serializers.Serializer):
    slug = serializers.SlugField(source="event.slug")
    title = serializers.SerializerMethodField(
        help_text="In the `lang` language when curated, else English."
    )
    role = serializers.CharField(help_text="The entity's part in the event (actor, target, ...).")

    def get_title(self, participation: Participant) -> str:
        return participation.event.label(self.context.get("lang", "en"))


class EntityDetailSerializer(EntitySerializer):
    events = EntityEventSerializer(many=True, source="participations")
    events_url = serializers.SerializerMethodField(help_text="The same events as a list.")
    articles = serializers.IntegerField(
        source="article_count", help_text="Listed articles (originals) mentioning it."
    )
    articles_url = serializers.SerializerMethodField(help_text="Those articles.")
    quotes = serializers.IntegerField(
        source="quote_count",
        help_text="Citations quoting it as the speaker (on published lines, for non-editors).",
    )

    class Meta(EntitySerializer.Meta):
        fields = [
            *EntitySerializer.Meta.fields,
            "events",
            "events_url",
            "articles",
            "articles_url",
            "quotes",
        ]

    def get_events_url(self, entity: Entity) -> str:
        return f"{reverse('api:event-list')}?entity={entity.pk}"

    def get_articles_url(self, entity: Entity) -> str:
        return f"{reverse('api:article-list')}?entity={entity.pk}"


class OutletSerializer(serializers.ModelSerializer):
    homepage = serializers.CharField(help_text="URL, or empty when unknown.")
    domains: serializers.SlugRelatedField = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="domain"
    )

    class Meta:
        model = Outlet
        fields = ["id", "slug", "name", "kind", "country", "languages", "homepage", "domains"]


class ProblemSerializer(serializers.Serializer):
    type = serializers.URLField()
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    # A declared field, not Serializer.errors: the metaclass moves it into _declared_fields.
    errors = serializers.DictField(  # type: ignore[assignment]
        child=serializers.ListField(child=serializers.CharField()), required=False
    )


def problems(*codes: int) -> dict[Any, Any]:
    """Responses of ``codes`` as problem+json, for ``extend_schema(responses=...)``."""
    return {(code, PROBLEM_CONTENT_TYPE): ProblemSerializer for code in codes}
