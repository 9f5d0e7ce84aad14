"""Reads of events for pages and the API."""

from django.db.models import Count, Prefetch, Q, QuerySet

from events.models import PUBLIC_STATUSES, Citation, Event, EventStatus, Update

# Developing events first, then scheduled, then the rest; newest first within each.
STATUS_ORDER = [
    EventStatus.DEVELOPING,
    EventStatus.SCHEDULED,
    EventStatus.CONCLUDED,
    EventStatus.CANCELLED,
]


def event_list_public() -> QuerySet[Event]:
    """Events with their translations and published-update counts, in a constant number of
    queries however many there are."""
    return (
        Event.objects.prefetch_related("translations")
        .annotate(public_updates=Count("updates", filter=Q(updates__status__in=PUBLIC_STATUSES)))
        .order_by("-start", "slug")
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
                .defer("article__text", "article__minhash", "article__band_keys"),
            )
        )
        .order_by("occurred_at", "id")
    )
