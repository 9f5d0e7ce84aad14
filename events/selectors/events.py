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

# Columns a list or a timeline never needs; an article's text only in detail views.
ARTICLE_HEAVY_FIELDS = ("text", "minhash", "failure_reason", "raw_html_sha256")

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


def event_list_public(*, link_counts: bool = True) -> QuerySet[Event]:
    """Events, developing first, with their translations, published-update count, article
    count and independent-source count (a syndicated copy counts as its original), in a
    constant number of queries however many there are. Without ``link_counts`` the last two
    are left out (the home page reads them with its coverage charts,
    ``events.selectors.pages.coverage_and_counts``)."""
    links = ArticleEvent.objects.filter(event=OuterRef("pk"), article__state=ArticleState.READY)
    links = links.exclude(state=LinkState.REJECTED)
    updates = Update.objects.filter(event=OuterRef("pk"), status__in=PUBLIC_STATUSES)
    rank = Case(
        *(When(status=status, then=Value(i)) for i, status in enumerate(STATUS_ORDER)),
        default=Value(len(STATUS_ORDER)),
    )
    events = Event.objects.prefetch_related("translations").annotate(
        public_updates=_count(updates, "id")
    )
    if link_counts:
        events = events.annotate(
            article_count=_count(links, "article_id"),
            source_count=_count(links, Coalesce("article__duplicate_of_id", "article_id")),
        )
    return events.order_by(rank, "-start", "slug")


def event_timeline(*, event: Event, include_drafts: bool = False) -> QuerySet[Update]:
    """The lines readers see (published and retracted), in time order, with what backs each;
    also drafts and lines in review when ``include_drafts`` (callers pass it only for
    editors)."""
    updates = event.updates.all()
    if not include_drafts:
        updates = updates.filter(status__in=PUBLIC_STATUSES)
    citations = Citation.objects.select_related("outlet", "speaker", "article__outlet").defer(
        *(f"article__{name}" for name in ARTICLE_HEAVY_FIELDS)
    )
    return updates.prefetch_related(Prefetch("citations", queryset=citations)).order_by(
        "occurred_at", "id"
    )
