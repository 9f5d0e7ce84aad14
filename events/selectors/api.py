"""Reads for the HTTP API: each list in a constant number of queries however many rows."""

from django.db.models import Prefetch, QuerySet

from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    Event,
    EventRelation,
    LinkState,
    Mention,
    Outlet,
    Participant,
    Update,
)

# Columns an article list never needs; text only for detail views of readers and editors.
ARTICLE_HEAVY_FIELDS = ("text", "minhash", "failure_reason", "raw_html_sha256")


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


def event_timeline_api(*, event: Event, include_drafts: bool) -> QuerySet[Update]:
    """The event's public lines (published and retracted), plus drafts and lines in review
    when ``include_drafts`` (callers pass it only for editors)."""
    updates = event.updates.all()
    if not include_drafts:
        updates = updates.filter(status__in=PUBLIC_STATUSES)
    return updates.prefetch_related(
        Prefetch(
            "citations",
            queryset=Citation.objects.select_related("outlet", "speaker", "article").defer(
                *(f"article__{name}" for name in ARTICLE_HEAVY_FIELDS)
            ),
        )
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
