"""Reads for the HTTP API: each list in a constant number of queries however many rows."""

from django.db.models import Prefetch, QuerySet

from events.models import (
    Article,
    ArticleEvent,
    ArticleState,
    Entity,
    Event,
    EventRelation,
    LinkState,
    Mention,
    Outlet,
    Participant,
)
from events.selectors.events import ARTICLE_HEAVY_FIELDS


def event_list_api() -> QuerySet[Event]:
    """Events with their labels and typed relations in both directions."""
    return Event.objects.prefetch_related(
        "translations",
        Prefetch("relations_out", queryset=EventRelation.objects.select_related("target")),
        Prefetch("relations_in", queryset=EventRelation.objects.select_related("source")),
    )


def event_detail_api() -> QuerySet[Event]:
    return event_list_api().prefetch_related(
        Prefetch("participations", queryset=Participant.objects.select_related("entity"))
    )


def article_list_api(*, include_duplicates: bool = False) -> QuerySet[Article]:
    """Successfully extracted articles with their outlet, entities and (not rejected) events."""
    articles = Article.objects.filter(state=ArticleState.READY)
    if not include_duplicates:
        articles = articles.filter(duplicate_of__isnull=True)
    return (
        articles.select_related("outlet")
        .defer(*ARTICLE_HEAVY_FIELDS)
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


def article_detail_api() -> QuerySet[Article]:
    """Any listed article, duplicates included, text loaded."""
    return (
        article_list_api(include_duplicates=True)
        .defer(None)
        .defer(*(name for name in ARTICLE_HEAVY_FIELDS if name != "text"))
    )


def entity_list_api() -> QuerySet[Entity]:
    return Entity.objects.prefetch_related("aliases")


def outlet_list_api() -> QuerySet[Outlet]:
    return Outlet.objects.prefetch_related("domains")
