"""Reads for the review queue: ready articles that still wait for an editor, newest first,
with everything a row shows, in a constant number of queries per page.

An article waits while it has an undecided suggestion, or while nothing links it to any event
yet (no suggestion and no decision). Once every link is decided it leaves the queue.
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from events.models import Article, ArticleEvent, ArticleState, Event, LinkState, Mention

# A row never shows the article text; these columns are the heavy ones.
HEAVY_FIELDS = ("text", "minhash", "search", "failure_reason", "raw_html_sha256")
PAGE_SIZE = 25
MENTIONS_SHOWN = 8


class Show:
    WAITING = "waiting"
    SUGGESTED = "suggested"
    UNLINKED = "unlinked"
    CHOICES = (WAITING, SUGGESTED, UNLINKED)


def _has_suggestion() -> Exists:
    return Exists(ArticleEvent.objects.filter(article=OuterRef("pk"), state=LinkState.SUGGESTED))


def _has_link() -> Exists:
    return Exists(ArticleEvent.objects.filter(article=OuterRef("pk")))


def _filter_for(show: str) -> Q:
    if show == Show.SUGGESTED:
        return Q(_has_suggestion())
    if show == Show.UNLINKED:
        return ~Q(_has_link())
    return Q(_has_suggestion()) | ~Q(_has_link())


@dataclass(frozen=True)
class Cursor:
    """Where the next page starts: the last row's (published_at, id). Rows are ordered
    newest first with undated articles first (PostgreSQL's DESC puts NULLs first)."""

    published_at: datetime | None
    id: int

    def encode(self) -> str:
        stamp = self.published_at.isoformat() if self.published_at else ""
        return base64.urlsafe_b64encode(f"{stamp}|{self.id}".encode()).decode()

    @classmethod
    def decode(cls, value: str) -> "Cursor":
        """Raises ValueError for anything this class did not encode."""
        try:
            stamp, _, pk = base64.urlsafe_b64decode(value.encode()).decode().partition("|")
            published_at = datetime.fromisoformat(stamp) if stamp else None
            return cls(published_at, int(pk))
        except (binascii.Error, UnicodeError, ValueError) as error:
            raise ValueError("this page link is not valid; start from the first page") from error

    def after(self) -> Q:
        if self.published_at is None:
            return Q(published_at__isnull=True, id__lt=self.id) | Q(published_at__isnull=False)
        return Q(published_at__lt=self.published_at) | Q(
            published_at=self.published_at, id__lt=self.id
        )


def _rows(articles: QuerySet[Article]) -> QuerySet[Article]:
    copies = (
        Article.objects.filter(duplicate_of=OuterRef("pk"))
        .order_by()
        .values("duplicate_of")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    links = ArticleEvent.objects.select_related("event", "decided_by").order_by(
        "state", "-score", "id"
    )
    mentions = Mention.objects.select_related("entity").order_by("-count", "first_start")
    return (
        articles.select_related("outlet", "duplicate_of")
        .defer(*HEAVY_FIELDS, *(f"duplicate_of__{name}" for name in HEAVY_FIELDS))
        .annotate(copies=Coalesce(Subquery(copies, output_field=IntegerField()), 0))
        .prefetch_related(
            Prefetch("event_links", queryset=links),
            Prefetch("event_links__event__translations"),
            Prefetch("mentions", queryset=mentions),
        )
    )


def review_page(
    *, show: str = Show.WAITING, include_duplicates: bool = False, cursor: Cursor | None = None
) -> tuple[list[Article], Cursor | None]:
    """One page of the queue and the cursor of the next page (None on the last)."""
    articles = Article.objects.filter(state=ArticleState.READY).filter(_filter_for(show))
    if not include_duplicates:
        articles = articles.filter(duplicate_of__isnull=True)
    if cursor is not None:
        articles = articles.filter(cursor.after())
    page = list(_rows(articles).order_by("-published_at", "-id")[: PAGE_SIZE + 1])
    if len(page) <= PAGE_SIZE:
        return page, None
    last = page[PAGE_SIZE - 1]
    return page[:PAGE_SIZE], Cursor(last.published_at, last.pk)


def review_row(*, article_id: int) -> Article:
    """One queue row, for an action that redraws it in place (whether it still waits or not)."""
    return _rows(Article.objects.filter(pk=article_id)).get()


def review_counts() -> dict[str, int]:
    """What is waiting (originals only; copies follow their original)."""
    counts = Article.objects.filter(state=ArticleState.READY, duplicate_of__isnull=True).aggregate(
        waiting=Count("id", filter=_filter_for(Show.WAITING)),
        suggested=Count("id", filter=_filter_for(Show.SUGGESTED)),
        unlinked=Count("id", filter=_filter_for(Show.UNLINKED)),
    )
    counts["suggestions"] = ArticleEvent.objects.filter(
        state=LinkState.SUGGESTED,
        article__state=ArticleState.READY,
        article__duplicate_of__isnull=True,
    ).count()
    return counts


def event_choices() -> list[tuple[str, str]]:
    """(slug, title) of every event, for the "attach to another event" field."""
    return list(Event.objects.order_by("title").values_list("slug", "title"))
