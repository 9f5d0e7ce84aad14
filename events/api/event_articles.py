"""GET /api/v1/events/{slug}/articles/: the event's articles with their link to it."""

from typing import Any

from django.db.models import CharField, F, Func, QuerySet
from django.db.models.functions import Collate, Concat
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as django_filters
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiExample, OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.request import Request
from rest_framework.response import Response

from events.api import serializers as s
from events.api.conditional import ConditionalGetMixin
from events.api.filters import ArticleFilter
from events.api.permissions import is_editor
from events.api.views import PROBLEMS, article_page, flag
from events.api.write_events import merged_redirect
from events.models import Article, Event, LinkState
from events.selectors import api as selectors


class EventArticleFilter(ArticleFilter):
    """The article list's filters (less ``event``: the path names it) plus the link's state."""

    event = None
    state = django_filters.ChoiceFilter(
        field_name="link_state",
        choices=LinkState.choices,
        help_text="The link's state. Rejected links are listed for editors only.",
    )


def _link_rank() -> Collate:
    """One unique, sortable text per article of an event: score, then publication time
    (unknown last), then id, each zero-padded; compared byte-wise (collation C). The cursor
    keeps its place by it even when articles with equal scores arrive meanwhile."""
    score = Func(
        F("link_score"), template="lpad(floor(%(expressions)s * 1e9)::bigint::text, 10, '0')"
    )
    published = Func(
        F("published_at"),
        template="coalesce(to_char(%(expressions)s AT TIME ZONE 'UTC', 'YYYYMMDDHH24MISSUS'), "
        "'00000000000000000000')",
    )
    article = Func(F("id"), template="lpad(%(expressions)s::text, 19, '0')")
    return Collate(Concat(score, published, article, output_field=CharField()), "C")


def event_articles_api(
    *, event: Event, include_duplicates: bool, editor: bool
) -> QuerySet[Article]:
    """The event's listed articles, each with its link to the event (rejected ones for editors
    only), in the article list's constant number of queries."""
    states = LinkState.values if editor else [LinkState.CONFIRMED, LinkState.SUGGESTED]
    # One filter() call: the annotations below read the same joined link row.
    articles = selectors.article_list_api(include_duplicates=include_duplicates).filter(
        event_links__event=event, event_links__state__in=states
    )
    return articles.annotate(
        link_state=F("event_links__state"),
        link_score=F("event_links__score"),
        link_origin=F("event_links__origin"),
        link_decided_at=F("event_links__decided_at"),
    ).annotate(rank=_link_rank())


# Validators of an event's article list (see events.api.conditional): the change rows of the
# listed articles, the entities they mention and the events they are linked to; the links'
# and outlets' updated_at (not in the change log). The second column also carries the number
# of mentions and links shown, so one added or removed changes the ETag even when all it
# points at was shown already.
EVENT_ARTICLES_SQL = """
WITH target AS (SELECT id FROM events_event WHERE slug = %(key)s),
listed AS (
    SELECT l.article_id, a.outlet_id
    FROM events_articleevent l JOIN target t ON l.event_id = t.id
    JOIN events_article a ON a.id = l.article_id AND a.state = 'ready'
    WHERE %(editor)s OR l.state <> 'rejected'
),
mentioned AS (SELECT m.entity_id FROM events_mention m JOIN listed k USING (article_id)),
links AS (
    SELECT o.event_id, o.updated_at FROM events_articleevent o JOIN listed k USING (article_id)
),
-- Listed articles are distinct already; the few entities and events are deduplicated
-- before the union, which stays small however many articles there are.
shown (kind, id) AS (
    SELECT 'article', article_id FROM listed
    UNION ALL (
        SELECT 'event', id FROM target
        UNION SELECT 'entity', entity_id FROM (SELECT DISTINCT entity_id FROM mentioned) e
        UNION SELECT 'event', event_id FROM (SELECT DISTINCT event_id FROM links) v
    )
)
SELECT (SELECT count(*) FROM target),
       concat_ws('.', count(c.id), (SELECT count(*) FROM mentioned), (SELECT count(*) FROM links)),
       max(c.id), max(c.at),
       greatest((SELECT max(updated_at) FROM links),
                (SELECT max(o.updated_at) FROM events_outlet o
                  WHERE o.id IN (SELECT outlet_id FROM listed)))
FROM events_change c JOIN shown s ON c.kind = s.kind AND c.object_id = s.id
WHERE c.public OR %(editor)s
"""


class EventArticlesConditional(ConditionalGetMixin):
    conditional_sql = EVENT_ARTICLES_SQL
    conditional_kwarg = "slug"
    # The validators are computed for every request anyway: a page is kept under them.
    cache_body_seconds = 600


# One item; drf-spectacular wraps list examples in the page envelope itself.
EVENT_ARTICLE_EXAMPLE = {
    "id": 42,
    "url": "https://www.bbc.com/news/world-asia-59885928",
    "canonical_url": "https://www.bbc.com/news/world-asia-59885928",
    "title": "Kazakhstan: Russian-led alliance sends troops",
    "language": "en",
    "published_at": "2022-01-06T08:10:00Z",
    "outlet": {"id": 3, "slug": "bbc", "name": "BBC"},
    "duplicate_of": None,
    "entities": [{"id": 7, "name": "CSTO", "kind": "organisation"}],
    "events": [
        {"slug": "csto-deployment", "title": "CSTO deployment", "score": 0.92,
         "state": "confirmed"}
    ],
    "updated_at": "2022-01-06T09:00:00Z",
    "state": "confirmed",
    "score": 0.92,
    "origin": "auto",
    "decided_at": "2022-01-06T10:15:00Z",
}  # fmt: skip


@extend_schema(
    responses={
        200: s.EventArticleSerializer,
        301: OpenApiResponse(description="Merged into another event; Location names its list."),
        **PROBLEMS,
    },
    examples=[OpenApiExample("CSTO deployment", value=EVENT_ARTICLE_EXAMPLE, response_only=True)],
)
class EventArticlesApi(EventArticlesConditional, generics.ListAPIView):
    """The event's articles with their link to it: `state` (suggested, confirmed; rejected for
    editors only), `score`, `origin` and `decided_at`; highest score first, then newest.
    Answers `ETag` / `Last-Modified`, and 304 to a client whose copy is current."""

    serializer_class = s.EventArticleSerializer  # the schema; items by s.article_items
    filter_backends = [DjangoFilterBackend]
    filterset_class = EventArticleFilter
    cursor_ordering = "-rank"

    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        self.event = get_object_or_404(
            Event.objects.only("pk", "merged_into_id"), slug=kwargs["slug"]
        )
        if self.event.merged_into_id is not None:
            return merged_redirect(request, self.event.merged_into_id, "api:event-articles")
        return super().get(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return article_page(
            self, "link_state", "link_score", "link_origin", "link_decided_at", "rank"
        )

    def get_queryset(self) -> QuerySet[Article]:
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request
            return Article.objects.none()
        return event_articles_api(
            event=self.event,
            include_duplicates=flag(self.request, "include_duplicates"),
            editor=is_editor(self.request),
        )
