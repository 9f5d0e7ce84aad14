"""The hot list pages build their items without the ModelSerializers (events.api.serializers,
lean items) and the timeline keeps its rendered pages in the cache: both must answer exactly
the bytes the serializers would, and a cached page must never outlive a change."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from events import models
from events.api import serializers as s
from events.api.event_articles import event_articles_api
from events.selectors.api import article_list_api
from events.selectors.events import event_timeline
from events.services import timeline
from tests import factories
from tests.api.conftest import cited_update

pytestmark = pytest.mark.django_db

DECIDED = dt.datetime(2022, 1, 8, 12, 30, tzinfo=dt.UTC)


def _page(items: object) -> bytes:
    """The bytes DRF renders for a single page of ``items``."""
    return JSONRenderer().render({"next": None, "previous": None, "results": items})


@pytest.fixture
def csto() -> models.Event:
    """An event whose timeline and articles have every optional part both set and unset."""
    event = factories.EventFactory(slug="csto", title="CSTO deployment")
    cited_update(event, headline="Published")
    cited_update(event, status="retracted", headline="Retracted")
    cited_update(event, status="draft", headline="Draft")
    bare = timeline.update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 6, 23, 30, tzinfo=dt.UTC),
        headline="No article, speaker or span",
        by=None,
        citations=[
            timeline.CitationData(
                outlet_id=factories.OutletFactory().pk, quote="Без статия", quote_language="bg"
            )
        ],
    )
    timeline.update_publish(update=bare, by=None)
    other = factories.EventFactory(slug="other")
    entity = factories.EntityFactory(name="Tokayev")
    for n, outlet in enumerate([factories.OutletFactory(), None]):
        article = factories.ArticleFactory(outlet=outlet, published_at=None if n else DECIDED)
        models.Mention.objects.create(article=article, entity=entity, first_start=0, first_end=3)
        models.Mention.objects.create(  # mentioned more often: listed first
            article=article, entity=factories.EntityFactory(), count=3, first_start=5, first_end=8
        )
        models.ArticleEvent.objects.create(article=article, event=event, score=0.25 * (n + 1))
        models.ArticleEvent.objects.create(
            article=article, event=other, score=1, state="confirmed", decided_at=DECIDED
        )
    factories.ArticleFactory(duplicate_of=article)
    return event


@pytest.mark.parametrize("zone", ["", "Europe/Sofia"])
@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_timeline_page_is_the_update_serializers_bytes(client, as_role, csto, zone, role) -> None:
    if zone:
        client.cookies["tz"] = zone
    url = "/api/v1/events/csto/timeline/" + ("?include_drafts=true" if role == "editor" else "")

    response = client.get(url, **as_role(role))

    with timezone.override(zone or "UTC"):
        updates = event_timeline(event=csto, include_drafts=role == "editor")
        expected = _page(s.UpdateSerializer(updates, many=True).data)
    assert response.content == expected
    assert len(response.json()["results"]) == (4 if role == "editor" else 3)


@pytest.mark.parametrize("zone", ["", "America/New_York"])
def test_article_pages_are_the_article_serializers_bytes(client, csto, zone) -> None:
    if zone:
        client.cookies["tz"] = zone

    listed = client.get("/api/v1/articles/?include_duplicates=true")
    of_event = client.get("/api/v1/events/csto/articles/")

    with timezone.override(zone or "UTC"):
        articles = article_list_api(include_duplicates=True).order_by("-id")
        linked = event_articles_api(event=csto, include_duplicates=False, editor=False)
        assert listed.content == _page(s.ArticleSerializer(articles, many=True).data)
        assert of_event.content == _page(
            s.EventArticleSerializer(linked.order_by("-rank"), many=True).data
        )
    assert len(listed.json()["results"]) == 6  # 3 cited, 2 linked, 1 copy
    assert len(of_event.json()["results"]) == 2


def _get(client, url: str, **headers: str):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return response, len(queries)


def test_a_repeated_timeline_page_comes_from_the_cache_unchanged(client, csto) -> None:
    url = "/api/v1/events/csto/timeline/?page_size=2"
    built, built_queries = _get(client, url)
    cached, cached_queries = _get(client, url)

    assert cached.content == built.content
    assert dict(cached.headers) == dict(built.headers)
    assert built_queries == 4  # validators, event, lines, citations
    assert cached_queries == 1  # validators only
    assert built["Content-Type"] == "application/json"


def test_a_change_to_what_a_page_shows_is_served_at_once(client, csto) -> None:
    url = "/api/v1/events/csto/timeline/"
    before = client.get(url).json()["results"]
    article = models.Article.objects.get(pk=before[0]["citations"][0]["article"]["id"])
    article.title = "Renamed"
    article.save(update_fields=["title"])
    after = client.get(url).json()["results"]
    cited_update(csto, headline="Newest")
    newest = client.get(url).json()["results"]

    assert after[0]["citations"][0]["article"]["title"] == "Renamed"
    assert len(newest) == len(before) + 1


def test_cached_pages_are_kept_per_role_zone_and_format(client, as_role, csto) -> None:
    url = "/api/v1/events/csto/timeline/?include_drafts=true"
    public = client.get(url).content
    editor = client.get(url, **as_role("editor")).content
    client.cookies["tz"] = "Asia/Almaty"
    almaty = client.get(url).content
    indented = client.get(url, HTTP_ACCEPT="application/json; indent=2").content

    assert b"Draft" in editor and b"Draft" not in public
    assert b"+05:00" in almaty and b"+05:00" not in public
    assert indented.startswith(b'{\n  "next"')
    assert client.get(url).content == almaty  # an indented page is not kept for others


def test_event_filter_compares_the_events_id(client, csto) -> None:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/api/v1/articles/?event=csto")
    listing = next(q["sql"] for q in queries if 'FROM "events_article"' in q["sql"])

    assert len(response.json()["results"]) == 2
    assert f'"event_id" = {csto.pk}' in listing
    assert '"events_event"' not in listing.split("WHERE", 1)[1]


def test_a_repeated_event_articles_page_comes_from_the_cache(client, csto) -> None:
    url = "/api/v1/events/csto/articles/?page_size=1"
    built, built_queries = _get(client, url)
    cached, cached_queries = _get(client, url)
    link = models.ArticleEvent.objects.get(event=csto, article_id=built.json()["results"][0]["id"])
    link.state, link.decided_at = "rejected", DECIDED
    link.save(update_fields=["state", "decided_at", "updated_at"])
    after, _ = _get(client, url)

    assert cached.content == built.content
    assert dict(cached.headers) == dict(built.headers)
    assert (built_queries, cached_queries) == (5, 2)  # event, validators; page, its relations
    assert after.json()["results"][0]["id"] != built.json()["results"][0]["id"]
