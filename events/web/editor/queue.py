"""Reads for the review queue: ready articles that still wait for an editor, newest first,
with everything a row shows, in a constant number of queries per page.

An article waits while it has an undecided suggestion, or while nothing links it to any event
yet (no suggestion and no decision). Once every link is decided it leaves the queue.

A page is one SQL statement, written out rather than built by the ORM: each row's links (with
their events' labels in the page's language and their deciders) and its first mentions come
with it as JSON arrays, read into small dataclasses; the header counts are one more. The
ORM's version (a queryset with subqueries, three prefetches, ~160 model instances, two count
querysets) cost ~14 ms of CPU a page to compile, instantiate and match up on a machine where
this costs ~0.4 ms, for the same ~1 ms of database time.

Measured on 100,000 ready articles (70% decided, 20% with suggestions, 10% unlinked), after
VACUUM ANALYZE: a page's statement ~1 ms (it walks the newest articles and stops when the
page is full; the links and mentions are read for those 26 rows only). The two header counts
stop at 1,000 (each an exact count read ~86k index rows, 15 + 18 ms).
"""

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone
from django.utils.formats import number_format

from events.models import Article, ArticleState, LinkState

PAGE_SIZE = 25
# The header counts stop here ("1,000+"); see review_counts.
REVIEW_COUNT_CAP = 1000
MENTIONS_SHOWN = 8


class Show:
    WAITING = "waiting"
    SUGGESTED = "suggested"
    UNLINKED = "unlinked"
    CHOICES = (WAITING, SUGGESTED, UNLINKED)


@dataclass(slots=True)
class QueueLink:
    """One of a row's event links; the fields after ``decided_by`` are filled in by
    ``rows.rows_prepare``."""

    pk: int
    state: str
    score: float
    event_slug: str
    event_title: str  # in English, as the buttons' accessible names read it
    event_label: str  # in the page's language when curated
    decided_by: str  # the decider's username, "" while undecided
    event_url: str = ""
    confirm_url: str = ""
    reject_url: str = ""
    state_label: str = ""
    score_text: str = ""


@dataclass(slots=True)
class QueueRow:
    """One article of the queue as its row shows it."""

    pk: int
    title: str
    canonical_url: str
    language: str
    published_at: datetime | None
    outlet: str | None  # the outlet's name, None without an outlet
    copy_of: str | None  # the original's title (or address) when this is a copy
    copies: int  # how many articles are copies of this one
    links: list[QueueLink]  # undecided first, then by score
    names: list[tuple[str, int]]  # (entity name, count), the most frequent first
    # Filled in by ``rows.rows_prepare``.
    dom_id: str = ""
    attach_id: str = ""
    heading: str = ""
    on_the_web: bool = False
    language_badge: str = ""
    attach_url: str = ""
    update_url: str = ""
    start_url: str = ""
    published_iso: str = ""
    published_text: str = ""


# ``open`` per article: true when it has an undecided suggestion, false when every link is
# decided, NULL when it has no link at all. One correlated lookup on the (article, event)
# index per row, so walking the newest articles stops as soon as a page is full (an OR of two
# EXISTS is planned as hashes of the whole link table).
_OPEN = (
    "(SELECT bool_or(l.state = %(suggested)s) FROM events_articleevent l WHERE l.article_id = a.id)"
)
_SHOW = {
    # Undecided or unlinked, in one lookup per row.
    Show.WAITING: f"coalesce({_OPEN}, true)",
    Show.SUGGESTED: _OPEN,
    Show.UNLINKED: "NOT EXISTS (SELECT 1 FROM events_articleevent l WHERE l.article_id = a.id)",
}
# An event's label: its curated title in the page's language, else its English title.
_LABEL = (
    "coalesce((SELECT t.title FROM events_eventtranslation t WHERE t.event_id = e.id"
    " AND t.language = %(language)s AND t.title <> ''), e.title)"
)
_LINKS = (
    "(SELECT json_agg(json_build_array(l.id, l.state, l.score, e.slug, e.title,"  # noqa: S608
    f" {_LABEL}, coalesce(u.username, '')) ORDER BY l.state, l.score DESC, l.id)"
    " FROM events_articleevent l JOIN events_event e ON e.id = l.event_id"
    " LEFT JOIN events_user u ON u.id = l.decided_by_id WHERE l.article_id = a.id)"
)
# The entity's name as a lookup by key per mention: a join is planned as a hash of the whole
# entity table for every row.
_NAMES = (
    "(SELECT json_agg(json_build_array((SELECT en.name FROM events_entity en"
    " WHERE en.id = n.entity_id), n.count) ORDER BY n.count DESC, n.first_start)"
    " FROM (SELECT m.entity_id, m.count, m.first_start FROM events_mention m"
    " WHERE m.article_id = a.id ORDER BY m.count DESC, m.first_start LIMIT %(mentions)s) n)"
)
_ROWS = (
    "SELECT a.id, a.title, a.canonical_url, a.language, a.published_at, o.name,"  # noqa: S608
    " coalesce(nullif(d.title, ''), d.canonical_url),"
    " (SELECT count(*) FROM events_article c WHERE c.duplicate_of_id = a.id),"
    f" {_LINKS}, {_NAMES}"
    " FROM events_article a LEFT JOIN events_outlet o ON o.id = a.outlet_id"
    " LEFT JOIN events_article d ON d.id = a.duplicate_of_id WHERE "
)


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

    def after(self) -> tuple[str, dict[str, Any]]:
        """The condition on ``a`` (an article) for the rows after this one, and its values."""
        if self.published_at is None:
            condition = (
                "((a.published_at IS NULL AND a.id < %(after_id)s) OR a.published_at IS NOT NULL)"
            )
            return condition, {"after_id": self.id}
        stamp = self.published_at
        if timezone.is_naive(stamp):  # as the ORM reads a naive value: in the default zone
            stamp = timezone.make_aware(stamp, timezone.get_default_timezone())
        condition = (
            "(a.published_at < %(after_at)s"
            " OR (a.published_at = %(after_at)s AND a.id < %(after_id)s))"
        )
        return condition, {"after_at": stamp, "after_id": self.id}


def _read(where: str, params: dict[str, Any], language: str) -> list[QueueRow]:
    with connection.cursor() as cursor:
        cursor.execute(
            _ROWS + where,
            {
                **params,
                "language": language,
                "suggested": LinkState.SUGGESTED,
                "mentions": MENTIONS_SHOWN,
            },
        )
        return [
            QueueRow(
                pk,
                title,
                url,
                lang,
                published_at,
                outlet,
                copy_of,
                copies,
                [QueueLink(*link) for link in links or ()],
                [(name, count) for name, count in names or ()],
            )
            for pk, title, url, lang, published_at, outlet, copy_of, copies, links, names in (
                cursor.fetchall()
            )
        ]


def review_page(
    *,
    show: str = Show.WAITING,
    include_duplicates: bool = False,
    cursor: Cursor | None = None,
    language: str = "en",
) -> tuple[list[QueueRow], Cursor | None]:
    """One page of the queue (events labelled in ``language``) and the cursor of the next
    page (None on the last)."""
    conditions = ["a.state = %(ready)s", _SHOW[show]]
    params: dict[str, Any] = {"ready": ArticleState.READY}
    if not include_duplicates:
        conditions.append("a.duplicate_of_id IS NULL")
    if cursor is not None:
        condition, values = cursor.after()
        conditions.append(condition)
        params.update(values)
    where = " AND ".join(conditions)
    params["limit"] = PAGE_SIZE + 1
    page = _read(
        f"{where} ORDER BY a.published_at DESC, a.id DESC LIMIT %(limit)s", params, language
    )
    if len(page) <= PAGE_SIZE:
        return page, None
    last = page[PAGE_SIZE - 1]
    return page[:PAGE_SIZE], Cursor(last.published_at, last.pk)


def review_row(*, article_id: int, language: str = "en") -> QueueRow:
    """One queue row, for an action that redraws it in place (whether it still waits or not).
    Raises Article.DoesNotExist when there is no such article."""
    rows = _read("a.id = %(id)s", {"id": article_id}, language)
    if not rows:
        raise Article.DoesNotExist
    return rows[0]


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


_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM events_article a WHERE a.state = %(ready)s"  # noqa: S608
    " AND a.duplicate_of_id IS NULL AND {} EXISTS (SELECT 1 FROM events_articleevent l"
    " WHERE l.article_id = a.id {}) LIMIT %(limit)s) capped"
)
_COUNTS = (
    f"SELECT ({_COUNT.format('', 'AND l.state = %(suggested)s')}), ({_COUNT.format('NOT', '')})"
)


def review_counts() -> QueueCounts:
    """What is waiting (originals only; copies follow their original), as a semi-join and an
    anti-join. Each counts over a ``LIMIT cap + 1`` subquery so it stops early: exact counts
    read the whole article index and link table (~86k index rows, 15 + 18 ms at 100,000
    articles), and past a thousand the exact number does not help an editor."""
    cap = REVIEW_COUNT_CAP
    with connection.cursor() as cursor:
        cursor.execute(
            _COUNTS,
            {"ready": ArticleState.READY, "suggested": LinkState.SUGGESTED, "limit": cap + 1},
        )
        suggested, unlinked = cursor.fetchone()
    # The two are disjoint (an article with a suggestion has a link), so their sum is
    # exact below the cap and above it whenever either is.
    return QueueCounts(min(suggested + unlinked, cap + 1), suggested, unlinked, cap)
