"""Reads of events for pages and the API."""

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from events.models import (
    PUBLIC_STATUSES,
    ArticleEvent,
    ArticleState,
    Citation,
    Event,
    EventStatus,
    LinkState,
    Update,
)

# Developing events first, then scheduled, then the rest; newest first within each.
STATUS_ORDER = [
    EventStatus.DEVELOPING,
    EventStatus.SCHEDULED,
    EventStatus.CONCLUDED,
    EventStatus.CANCELLED,
]


def _count(queryset: QuerySet, expression: object) -> Coalesce:
    """A correlated COUNT subquery: several counts over different joins never multiply."""
    counted = queryset.order_by().values("event_id").annotate(n=Count(expression, distinct=True))
    return Coalesce(Subquery(counted.values("n")[:1], output_field=IntegerField()), Value(0))


def event_list_public() -> QuerySet[Event]:
    """Events, developing first, with their translations, published-update count, article
    count and independent-source count (a syndicated copy counts as its original), in a
    constant number of queries however many there are."""
    links = ArticleEvent.objects.filter(event=OuterRef("pk"), article__state=ArticleState.READY)
    links = links.exclude(state=LinkState.REJECTED)
    updates = Update.objects.filter(event=OuterRef("pk"), status__in=PUBLIC_STATUSES)
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
    )
    return (
        Event.objects.prefetch_related("translations")
        .annotate(
            public_updates=_count(updates, "id"),
            article_count=_count(links, "article_id"),
            source_count=_count(links, Coalesce("article__duplicate_of_id", "article_id")),
        )
        .order_by(rank, "-start", "slug")
    )


def event_timeline(*, event: Event) -> QuerySet[Update]:
    """The lines readers see, in time order, with what backs each."""
    return (
        event.updates.filter(status__in=PUBLIC_STATUSES)
        .prefetch_related(
            Prefetch(
                "citations",
                queryset=Citation.objects.select_related("outlet", "speaker")
                .select_related("article__outlet")
                .defer("article__text", "article__minhash"),
            )
        )
        .order_by("occurred_at", "id")
    )
