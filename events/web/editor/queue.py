"""Reads for the review queue: ready articles that still wait for an editor, newest first,
with everything a row shows, in a constant number of queries per page.

An article waits while it has an undecided suggestion, or while nothing links it to any event
yet (no suggestion and no decision). Once every link is decided it leaves the queue.

Measured on 100,000 ready articles (70% decided, 20% with suggestions, 10% unlinked), after
VACUUM ANALYZE: a page's main query 0.3 ms (it walks the newest articles and stops when the
page is full), the whole page ~25 ms. The two header counts stop at 1,000 (each an exact
count read ~86k index rows, 15 + 18 ms).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

from django.contrib.postgres.aggregates import BoolOr
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils.formats import number_format

from events.models import Article, ArticleEvent, ArticleState, LinkState, Mention

# A row never shows the article text; these columns are the heavy ones.
HEAVY_FIELDS = ("text", "minhash", "search", "failure_reason", "raw_html_sha256")
PAGE_SIZE = 25
# The header counts stop here ("1,000+"); see review_counts.
REVIEW_COUNT_CAP = 1000
MENTIONS_SHOWN = 8


class Show:
    WAITING = "waiting"
    SUGGESTED = "suggested"
    UNLINKED = "unlinked"
    CHOICES = (WAITING, SUGGESTED, UNLINKED)


def _open() -> Subquery:
    """Per article: true when it has an undecided suggestion, false when every link is
    decided, NULL when it has no link at all. One correlated lookup on the (article, event)
    index per row, so walking the newest articles stops as soon as a page is full (an OR of
    two EXISTS is planned as hashes of the whole link table)."""
    links = ArticleEvent.objects.filter(article=OuterRef("pk")).order_by().values("article")
    suggested = ExpressionWrapper(Q(state=LinkState.SUGGESTED), output_field=BooleanField())
    return Subquery(links.annotate(open=BoolOr(suggested)).values("open")[:1])


def _filter_for(show: str) -> Q:
    if show == Show.SUGGESTED:
        return Q(open=True)
    if show == Show.UNLINKED:
        return Q(open__isnull=True)
    return Q(open=True) | Q(open__isnull=True)


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
    """Each article with ``links`` (its event links, undecided first, with their events and
    deciders) and ``names`` (its mentions, most frequent first, with their entities)."""
    copies = (
        Article.objects.filter(duplicate_of=OuterRef("pk"))
        .order_by()
        .values("duplicate_of")
        .annotate(n=Count("id"))
        .values("n")[:1]
    )
    links = (
        ArticleEvent.objects.select_related("event", "decided_by")
        .prefetch_related("event__translations")
        .order_by("state", "-score", "id")
    )
    mentions = Mention.objects.select_related("entity").order_by("-count", "first_start")
    return (
        articles.select_related("outlet", "duplicate_of")
        .defer(*HEAVY_FIELDS, *(f"duplicate_of__{name}" for name in HEAVY_FIELDS))
        .annotate(copies=Coalesce(Subquery(copies, output_field=IntegerField()), 0))
        .prefetch_related(
            # Lists (to_attr), not the related managers: Django clones a queryset for each
            # article's manager, ~2 ms a page.
            Prefetch("event_links", queryset=links, to_attr="links"),
            Prefetch("mentions", queryset=mentions, to_attr="names"),
        )
    )


def review_page(
    *, show: str = Show.WAITING, include_duplicates: bool = False, cursor: Cursor | None = None
) -> tuple[list[Article], Cursor | None]:
    """One page of the queue and the cursor of the next page (None on the last)."""
    articles = (
        Article.objects.filter(state=ArticleState.READY)
        .alias(open=_open())
        .filter(_filter_for(show))
    )
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


@dataclass(frozen=True)
class QueueCounts:
    """The header's counts. Each is exact up to ``cap``; a count above it (``cap + 1``)
    means "more than ``cap``" and shows as "1,000+"."""

    waiting: int
    suggested: int
    unlinked: int
    cap: int

    @property
    def shown(self) -> dict[str, str]:
        more = f"{number_format(self.cap, force_grouping=True)}+"
        return {
            name: more if n > self.cap else str(n)
            for name, n in (
                ("waiting", self.waiting),
                ("suggested", self.suggested),
                ("unlinked", self.unlinked),
            )
        }


def review_counts() -> QueueCounts:
    """What is waiting (originals only; copies follow their original), as a semi-join and an
    anti-join. Each counts over a ``LIMIT cap + 1`` subquery so it stops early: exact counts
    read the whole article index and link table (~86k index rows, 15 + 18 ms at 100,000
    articles), and past a thousand the exact number does not help an editor."""
    cap = REVIEW_COUNT_CAP
    originals = Article.objects.filter(
        state=ArticleState.READY, duplicate_of__isnull=True
    ).order_by()
    suggestions = ArticleEvent.objects.filter(article=OuterRef("pk"), state=LinkState.SUGGESTED)
    suggested = originals.filter(Exists(suggestions))[: cap + 1].count()
    unlinked = originals.exclude(Exists(ArticleEvent.objects.filter(article=OuterRef("pk"))))[
        : cap + 1
    ].count()
    # The two are disjoint (an article with a suggestion has a link), so their sum is
    # exact below the cap and above it whenever either is.
    return QueueCounts(min(suggested + unlinked, cap + 1), suggested, unlinked, cap)
