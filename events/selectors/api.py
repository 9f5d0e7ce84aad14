"""Reads for the HTTP API: each list in a constant number of queries however many rows."""

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Exists, OuterRef, Prefetch, QuerySet

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
    Update,
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


# --- rows for the lean list items (events.api.serializers) ---------------------------------------
# The hot list pages read plain rows (values() for the page, SQL for its related rows), not
# model instances: a 50-line timeline page or article page would otherwise build ~360
# instances and clone a related manager's queryset per row and relation. The same number of
# statements, and the same order, as the prefetches they replace.
Rows = dict[int, list[Mapping[str, Any]]]

ARTICLE_ITEM_FIELDS = (
    "id",
    "canonical_url",
    "title",
    "language",
    "published_at",
    "outlet_id",
    "outlet__slug",
    "outlet__name",
    "duplicate_of_id",
    "updated_at",
)
UPDATE_ITEM_FIELDS = (
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
)
CITATION_ITEM_FIELDS = (
    "update_id",
    "article_id",
    "article__canonical_url",
    "article__title",
    "outlet_id",
    "outlet__name",
    "speaker_id",
    "speaker__name",
    "quote",
    "quote_language",
    "translation",
    "span_start",
    "span_end",
)


def article_item_rows(articles: QuerySet[Article], *extra: str) -> QuerySet[Any]:
    """``articles`` (filtered, ordered) as rows of the list item's columns plus ``extra``
    annotations, the outlet joined."""
    return articles.prefetch_related(None).values(*ARTICLE_ITEM_FIELDS, *extra)


# The related rows of a page by plain SQL: the ORM's compiling of two filtered joins cost
# ~1.1 ms of CPU per page, the statements themselves 0.2. Each ORDER BY is the model's
# Meta.ordering, as in the prefetches the ModelSerializers read (tests/api/test_lean_items.py
# compares the two outputs).
MENTIONS_SQL = """
SELECT m.article_id, m.entity_id, e.name, e.kind
FROM events_mention m JOIN events_entity e ON e.id = m.entity_id
WHERE m.article_id = ANY(%s)
ORDER BY m.count DESC, m.first_start
"""
LINKS_SQL = """
SELECT l.article_id, v.slug, v.title, l.score, l.state
FROM events_articleevent l JOIN events_event v ON v.id = l.event_id
WHERE l.article_id = ANY(%s) AND l.state <> 'rejected'
ORDER BY l.score DESC
"""
CITATIONS_SQL = """
SELECT c.update_id, c.article_id, a.canonical_url, a.title, c.outlet_id, o.name,
       c.speaker_id, s.name, c.quote, c.quote_language, c.translation, c.span_start, c.span_end
FROM events_citation c
LEFT JOIN events_article a ON a.id = c.article_id
LEFT JOIN events_outlet o ON o.id = c.outlet_id
LEFT JOIN events_entity s ON s.id = c.speaker_id
WHERE c.update_id = ANY(%s)
ORDER BY c.position, c.id
"""
MENTION_KEYS = ("article_id", "entity_id", "entity__name", "entity__kind")
LINK_KEYS = ("article_id", "event__slug", "event__title", "score", "state")


def _grouped_rows(sql: str, ids: list[int], keys: tuple[str, ...]) -> Rows:
    """The rows of ``sql`` for ``ids`` as dicts with ``keys``, grouped by the first key."""
    grouped: Rows = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [ids])
        for row in cursor.fetchall():
            grouped[row[0]].append(dict(zip(keys, row, strict=True)))
    return grouped


def article_item_relations(article_ids: list[int]) -> tuple[Rows, Rows]:
    """The mentioned entities and the (not rejected) event links of the articles, by article
    id, in the order the article serializers show them: two queries, none for no articles."""
    if not article_ids:
        return {}, {}
    return (
        _grouped_rows(MENTIONS_SQL, article_ids, MENTION_KEYS),
        _grouped_rows(LINKS_SQL, article_ids, LINK_KEYS),
    )


def timeline_item_rows(updates: QuerySet[Update]) -> QuerySet[Any]:
    """A timeline (events.selectors.events.event_timeline: its selection and order) as rows of
    the item's columns."""
    return updates.prefetch_related(None).values(*UPDATE_ITEM_FIELDS)


def timeline_item_citations(update_ids: list[int]) -> Rows:
    """The citations of the lines, by update id, in their order: one query, none for none."""
    if not update_ids:
        return {}
    return _grouped_rows(CITATIONS_SQL, update_ids, CITATION_ITEM_FIELDS)


def id_by_slug(model: type[Event] | type[Entity] | type[Outlet], slug: str) -> int | None:
    """The id of the ``model`` row with ``slug``, if any (one indexed query). List filters
    compare ids, which the planner can use: a slug matched inside EXISTS made it join and sort
    all of an event's articles to keep 51."""
    return next(
        iter(model.objects.filter(slug=slug).order_by().values_list("pk", flat=True)[:1]), None
    )


def articles_linked_to(articles: QuerySet[Article], event_id: int | None) -> QuerySet[Article]:
    """``articles`` linked to the event (not rejected); none for no event."""
    if event_id is None:
        return articles.none()
    links = ArticleEvent.objects.filter(article=OuterRef("pk"), event_id=event_id).exclude(
        state=LinkState.REJECTED
    )
    return articles.filter(Exists(links))
