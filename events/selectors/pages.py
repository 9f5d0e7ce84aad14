"""Reads for the readers' pages: each in a constant number of queries however many rows.

The per-event extras of a list (latest line, coverage per day) are fetched for all listed
events in one query each, never one per event."""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone

from events.models import (
    PUBLIC_STATUSES,
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    Event,
    EventRelation,
    EventTranslation,
    LinkState,
    Mention,
    Participant,
    Update,
    UpdateStatus,
)
from events.selectors.events import ARTICLE_HEAVY_FIELDS

# Never needed to list or show an article's metadata (the text only on its own page).
ARTICLE_LIST_DEFER = (*ARTICLE_HEAVY_FIELDS, "search")
# Links readers see; editors also see the automatic suggestions still waiting for a decision.
READER_LINK_STATES = (LinkState.CONFIRMED,)
EDITOR_LINK_STATES = (LinkState.CONFIRMED, LinkState.SUGGESTED)
COUNTED_LINK_STATES = (LinkState.CONFIRMED, LinkState.SUGGESTED)


def link_states(*, editor: bool) -> tuple[str, ...]:
    return EDITOR_LINK_STATES if editor else READER_LINK_STATES


def latest_published_updates(*, event_ids: Sequence[int]) -> dict[int, Update]:
    """Each event's most recent published line, for all events in one query."""
    updates = (
        Update.objects.filter(event_id__in=event_ids, status=UpdateStatus.PUBLISHED)
        .order_by("event_id", "-occurred_at", "-id")
        .distinct("event_id")
    )
    return {update.event_id: update for update in updates}


# Articles per day of each event and its article and independent-source counts (as
# event_list_public counts them: links not rejected, articles READY, a copy counting as its
# original), from one read of the events' links and their articles. The counts were two
# correlated subqueries per listed event, each a pass over its links (home: ~2,900 links
# of the biggest event read three times, ~5 ms of 8).
_COVERAGE_AND_COUNTS_SQL = """
SELECT GROUPING({day}), l.event_id, {day}, count(*),
       count(DISTINCT l.article_id), count(DISTINCT COALESCE(a.duplicate_of_id, a.id))
FROM events_articleevent l
JOIN events_article a ON a.id = l.article_id AND a.state = %s
WHERE l.event_id = ANY(%s) AND l.state = ANY(%s)
GROUP BY GROUPING SETS ((l.event_id, {day}), (l.event_id))
"""


@dataclass(frozen=True)
class LinkCounts:
    articles: int
    sources: int


def coverage_and_counts(
    *, event_ids: Sequence[int]
) -> tuple[dict[int, list[tuple[dt.date, int]]], dict[int, LinkCounts]]:
    """Per event of ``event_ids``: its READY articles per day (in the active time zone;
    undated articles on no day), and its article and independent-source counts, in one
    query. The counted link states (suggested and confirmed) are every state but rejected,
    as event_list_public counts."""
    day, day_params = connection.ops.datetime_cast_date_sql(
        "a.published_at", (), timezone.get_current_timezone_name()
    )
    params = [
        *day_params,
        *day_params,
        ArticleState.READY,
        list(event_ids),
        list(COUNTED_LINK_STATES),
        *day_params,
    ]
    days: dict[int, list[tuple[dt.date, int]]] = defaultdict(list)
    counts: dict[int, LinkCounts] = {}
    with connection.cursor() as cursor:
        cursor.execute(_COVERAGE_AND_COUNTS_SQL.format(day=day), params)
        for per_event, event_id, on, n, articles, sources in cursor.fetchall():
            if per_event:
                counts[event_id] = LinkCounts(articles, sources)
            elif on is not None:
                days[event_id].append((on, n))
    for points in days.values():
        points.sort()
    return dict(days), counts


def event_page(*, slug: str) -> Event | None:
    """One event with its labels and participants."""
    participants = Participant.objects.select_related("entity")
    return (
        Event.objects.prefetch_related(
            "translations", Prefetch("participations", queryset=participants)
        )
        .filter(slug=slug)
        .first()
    )


@dataclass(frozen=True)
class RelatedEvent:
    """One typed link as read from the event: its kind, whether the event is its source,
    and the other event's slug and title in the page's language."""

    kind: str
    outgoing: bool
    slug: str
    label: str


def event_relations(*, event: Event, language: str) -> list[RelatedEvent]:
    """Typed links in both directions, each with the other event's title in ``language``
    (curated, else English), in two queries of plain rows: an event with a couple of hundred
    links built that many model instances (and their translations) on every request."""
    rows = (
        EventRelation.objects.filter(Q(source=event) | Q(target=event))
        .order_by("kind", "id")
        .values_list(
            "kind",
            "source_id",
            "source__slug",
            "source__title",
            "target_id",
            "target__slug",
            "target__title",
        )
    )
    others: list[tuple[str, bool, int, str, str]] = []  # (kind, outgoing, the other's row)
    for kind, source_id, source_slug, source_title, target_id, target_slug, target_title in rows:
        if source_id == event.pk:
            others.append((kind, True, target_id, target_slug, target_title))
        else:
            others.append((kind, False, source_id, source_slug, source_title))
    curated = dict(
        EventTranslation.objects.filter(
            event_id__in={other[2] for other in others}, language=language
        )
        .exclude(title="")
        .values_list("event_id", "title")
    )
    return [
        RelatedEvent(kind, outgoing, slug, curated.get(pk, title))
        for kind, outgoing, pk, slug, title in others
    ]


@dataclass
class ArticleGroup:
    """An original and the copies of it linked to the same event (syndication, reprints)."""

    article: Article
    state: str = ""
    copies: list[Article] = field(default_factory=list)


@dataclass(frozen=True)
class EventArticles:
    page: Page
    groups: list[ArticleGroup]
    coverage: list[tuple[dt.date, int]]  # (day, linked READY articles), in order


# An event's linked articles in one pass (the link's state, the article READY): each
# original's id, newest first, and the links per day (in the active time zone) of the
# coverage chart. Grouping sets give both from one read of the links and their articles:
# the ids and the chart's counts were two passes over the same ~2,700 links and articles
# (12-16 + 7-9 ms at 100k articles, an editor's page), now one (~13 ms). A copy's original
# is read only for copies, for its publication time (the order of the list).
_ROOTS_AND_DAYS_SQL = """
SELECT GROUPING(COALESCE(a.duplicate_of_id, a.id)), COALESCE(a.duplicate_of_id, a.id),
       {day}, count(*)
FROM events_articleevent l
JOIN events_article a ON a.id = l.article_id AND a.state = %s
LEFT JOIN events_article r ON r.id = a.duplicate_of_id
WHERE l.event_id = %s AND l.state = ANY(%s)
GROUP BY GROUPING SETS ((COALESCE(a.duplicate_of_id, a.id)), ({day}))
ORDER BY 1,
         max(CASE WHEN a.duplicate_of_id IS NULL THEN a.published_at ELSE r.published_at END)
             DESC NULLS LAST,
         2 DESC
"""


def _roots_and_days(
    event: Event, states: Iterable[str]
) -> tuple[list[int], list[tuple[dt.date, int]]]:
    """The ids of the originals of the event's articles (an article linked through a copy
    only counts too), newest first, and (day, links) of the days with dated articles."""
    day, day_params = connection.ops.datetime_cast_date_sql(
        "a.published_at", (), timezone.get_current_timezone_name()
    )
    sql = _ROOTS_AND_DAYS_SQL.format(day=day)
    # The day expression appears in the select list before the WHERE clause's parameters.
    params = [*day_params, ArticleState.READY, event.pk, list(states), *day_params]
    roots: list[int] = []
    days: list[tuple[dt.date, int]] = []
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for grouped_by_day, root, on, n in cursor.fetchall():
            if not grouped_by_day:
                roots.append(root)
            elif on is not None:
                days.append((on, n))
    days.sort()
    return roots, days


def event_articles(
    *,
    event: Event,
    states: Iterable[str],
    page: int | str | None = 1,
    per_page: int = 25,
) -> EventArticles:
    """A page of the event's articles, newest first, each copy folded under its original.

    Pages count originals (an article whose copy is linked counts once, even when only the
    copy is): three queries per page whatever its size. The originals' ids come first, all of
    them in order (~2,700 on a big event, an editor's page counting suggested links too):
    a count and a page of the same set read every link and its article twice (12 ms more
    at 100k articles). With them, from the same statement, the event's articles per day (for
    its coverage chart), as :func:`coverage_and_counts` counts them."""
    states = list(states)
    links = ArticleEvent.objects.filter(
        event=event, state__in=states, article__state=ArticleState.READY
    )
    root_ids, days = _roots_and_days(event, states)
    paginated = Paginator(root_ids, per_page).get_page(page)
    shown = (
        Article.objects.filter(pk__in=paginated.object_list)
        .select_related("outlet")
        .defer(*ARTICLE_LIST_DEFER)
        .in_bulk()
    )
    groups = {pk: ArticleGroup(article=shown[pk]) for pk in paginated.object_list if pk in shown}
    # The originals and their copies first (the primary key and duplicate_of indexes, a few
    # dozen rows), then their links to the event: an OR across the join walked every link
    # of the event and its article (6 ms for ~2,700 at 100k articles).
    family = Article.objects.filter(Q(pk__in=groups) | Q(duplicate_of_id__in=groups)).values("pk")
    linked = (
        links.filter(article_id__in=family)
        .select_related("article__outlet")
        .defer(*(f"article__{name}" for name in ARTICLE_LIST_DEFER))
        .order_by("article__published_at", "article_id")
    )
    for link in linked:
        article = link.article
        if article.pk in groups:
            groups[article.pk].state = link.state
        else:
            groups[article.duplicate_of_id].copies.append(article)
    return EventArticles(paginated, list(groups.values()), days)


def article_page(*, pk: int, editor: bool) -> Article | None:
    """One article with its outlet, original, entities and events; readers see only ready
    articles and confirmed links."""
    articles = Article.objects.all() if editor else Article.objects.filter(state=ArticleState.READY)
    event_links = ArticleEvent.objects.filter(state__in=link_states(editor=editor))
    copies = Article.objects.filter(state=ArticleState.READY).select_related("outlet")
    return (
        articles.select_related("outlet", "duplicate_of__outlet")
        .defer(*(name for name in ARTICLE_LIST_DEFER if name != "text"))
        .defer(*(f"duplicate_of__{name}" for name in ARTICLE_LIST_DEFER))
        .prefetch_related(
            Prefetch("mentions", queryset=Mention.objects.select_related("entity")),
            Prefetch(
                "event_links",
                queryset=event_links.select_related("event").order_by("-score"),
            ),
            "event_links__event__translations",
            Prefetch("duplicates", queryset=copies.defer(*ARTICLE_LIST_DEFER)),
        )
        .filter(pk=pk)
        .first()
    )


def article_citations(*, article: Article, editor: bool) -> QuerySet[Citation]:
    """The timeline lines that cite the article."""
    citations = Citation.objects.filter(article=article, update__isnull=False)
    if not editor:
        citations = citations.filter(update__status__in=PUBLIC_STATUSES)
    return citations.select_related("update__event", "speaker", "outlet").prefetch_related(
        "update__event__translations"
    )


def entity_page(*, pk: int) -> Entity | None:
    return Entity.objects.prefetch_related("aliases").filter(pk=pk).first()


def entity_participations(*, entity: Entity) -> QuerySet[Participant]:
    return (
        Participant.objects.filter(entity=entity)
        .select_related("event")
        .prefetch_related("event__translations")
        .order_by(F("event__start").desc(nulls_last=True), "event__slug")
    )


def entity_quotes(*, entity: Entity, editor: bool, limit: int = 50) -> list[Citation]:
    """What the entity said, newest first, with the line and the source."""
    citations = Citation.objects.filter(speaker=entity, update__isnull=False)
    if not editor:
        citations = citations.filter(update__status__in=PUBLIC_STATUSES)
    return list(
        citations.select_related("update__event", "outlet", "article__outlet")
        .defer(*(f"article__{name}" for name in ARTICLE_LIST_DEFER))
        .prefetch_related("update__event__translations")
        .order_by("-update__occurred_at", "-id")[:limit]
    )


def entity_timeline(*, entity: Entity, editor: bool, limit: int = 50) -> list[Update]:
    """The latest lines of the events the entity takes part in."""
    updates = Update.objects.filter(
        event__in=Participant.objects.filter(entity=entity).values("event_id")
    )
    if not editor:
        updates = updates.filter(status__in=PUBLIC_STATUSES)
    return list(
        updates.select_related("event")
        .prefetch_related("event__translations")
        .order_by("-occurred_at", "-id")[:limit]
    )
