"""GET /api/v1/events/{slug}/articles/: an event's articles with their link state and score,
per role (rejected links for editors only), filters, cursor pages, merged-event redirects."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import models
from events.services.suggestions import link_reject
from tests import factories
from tests.api.conftest import check_schema, problem_fields, query_count
from tests.api.test_articles import ITEM_FIELDS

pytestmark = pytest.mark.django_db
URL = "/api/v1/events/csto/articles/"
PATH = "/api/v1/events/{slug}/articles/"
DECIDED = dt.datetime(2022, 1, 8, tzinfo=dt.UTC)


def _link(event, article=None, *, score=0.5, state="suggested", **article_fields):
    article = article or factories.ArticleFactory(**article_fields)
    decided = None if state == "suggested" else DECIDED
    models.ArticleEvent.objects.create(
        article=article, event=event, score=score, state=state, decided_at=decided,
        origin="editor" if state == "confirmed" else "auto",
    )  # fmt: skip
    return article


@pytest.fixture
def event() -> models.Event:
    return factories.EventFactory(slug="csto", title="CSTO deployment")


@pytest.fixture
def links(event) -> dict[str, models.Article]:
    return {
        "confirmed": _link(event, score=0.9, state="confirmed", title="Confirmed"),
        "suggested": _link(event, score=0.6, title="Suggested"),
        "rejected": _link(event, score=0.3, state="rejected", title="Rejected"),
    }


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["title"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("anonymous", ["Confirmed", "Suggested"]),
        ("reader", ["Confirmed", "Suggested"]),
        ("editor", ["Confirmed", "Suggested", "Rejected"]),
    ],
)
def test_rejected_links_are_shown_to_editors_only(
    client, as_role, openapi, links, role, expected
) -> None:
    response = client.get(URL, **as_role(role))

    assert _titles(response) == expected
    check_schema(openapi, PATH, "get", response)


def test_item_is_the_article_item_plus_its_link(client, event, links) -> None:
    other = factories.EventFactory(slug="protests", title="Protests")
    _link(other, links["confirmed"], score=0.4)
    entity = factories.EntityFactory(name="CSTO", kind="organisation")
    models.Mention.objects.create(
        article=links["confirmed"], entity=entity, first_start=0, first_end=4
    )

    item = client.get(URL).json()["results"][0]

    assert set(item) == ITEM_FIELDS | {"state", "score", "origin", "decided_at"}
    assert (item["state"], item["score"], item["origin"]) == ("confirmed", 0.9, "editor")
    assert item["decided_at"] == "2022-01-08T00:00:00Z"
    assert item["entities"] == [{"id": entity.pk, "name": "CSTO", "kind": "organisation"}]
    assert {e["slug"] for e in item["events"]} == {"csto", "protests"}
    assert "text" not in item
    suggested = client.get(URL).json()["results"][1]
    assert (suggested["state"], suggested["origin"], suggested["decided_at"]) == (
        "suggested", "auto", None,
    )  # fmt: skip


def test_unlisted_articles_never_show(client, as_role, event) -> None:
    original = _link(event, title="Original")
    _link(event, title="Copy", duplicate_of=original)
    pending = factories.ArticleFactory(title="Still fetching", state="pending")
    failed = factories.ArticleFactory(title="Gone", state="failed", failure_reason="HTTP 404")
    _link(event, pending, state="confirmed")
    _link(event, failed, state="confirmed")
    _link(factories.EventFactory(), title="Other event's")

    for role in ("anonymous", "editor"):
        titles = _titles(client.get(URL, **as_role(role)))
        assert "Still fetching" not in titles and "Gone" not in titles
        assert "Other event's" not in titles and "Copy" not in titles
    with_copies = _titles(client.get(f"{URL}?include_duplicates=true"))
    assert "Copy" in with_copies and "Original" in with_copies


@pytest.mark.parametrize(
    ("role", "query", "expected"),
    [
        ("editor", "state=rejected", ["Rejected"]),
        ("editor", "state=confirmed", ["Confirmed"]),
        ("anonymous", "state=suggested", ["Suggested", "English"]),
        ("anonymous", "state=rejected", []),
        ("reader", "state=rejected", []),
        ("anonymous", "language=en", ["English"]),
        ("editor", "language=en&state=rejected", []),
    ],
)
def test_filters(client, as_role, event, links, role, query, expected) -> None:
    _link(event, score=0.1, title="English", detected_language="en")

    assert _titles(client.get(f"{URL}?{query}", **as_role(role))) == expected


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("state=deleted", "state"),
        ("cursor=not-a-cursor", "cursor"),
        ("include_duplicates=maybe", "include_duplicates"),
        ("page_size=0", "page_size"),
        ("published_after=yesterday", "published_after"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(client, as_role, openapi, event, query, field) -> None:
    response = client.get(f"{URL}?{query}", **as_role("editor"))

    assert problem_fields(response) == {field}
    check_schema(openapi, PATH, "get", response)


def test_unknown_event_is_a_404_problem(client) -> None:
    response = client.get("/api/v1/events/no-such-event/articles/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_ordered_by_score_then_newest(client, event) -> None:
    day = dt.datetime(2022, 1, 5, tzinfo=dt.UTC)
    _link(event, score=0.5, title="Older", published_at=day)
    _link(event, score=0.5, title="Newer", published_at=day + dt.timedelta(hours=1))
    _link(event, score=0.5, title="Undated", published_at=None)
    _link(event, score=0.8, title="Best", published_at=day - dt.timedelta(days=1))

    assert _titles(client.get(URL)) == ["Best", "Newer", "Older", "Undated"]


def _walk(client, url: str) -> list[str]:
    titles: list[str] = []
    while url:
        body = client.get(url).json()
        titles += [item["title"] for item in body["results"]]
        url = body["next"]
    return titles


def test_cursor_pages_every_article_once_despite_ties_and_inserts(client, event) -> None:
    day = dt.datetime(2022, 1, 5, tzinfo=dt.UTC)
    for n in range(7):  # equal scores and equal times: only the id tells them apart
        _link(event, score=0.5, title=f"A{n}", published_at=day)

    first = client.get(f"{URL}?page_size=3").json()
    # Arriving while a client pages: one sorts before its position, one after.
    _link(event, score=0.9, title="Late best", published_at=day)
    _link(event, score=0.5, title="Late tie", published_at=day - dt.timedelta(days=1))
    rest = _walk(client, first["next"])

    seen = [item["title"] for item in first["results"]] + rest
    assert sorted(seen) == sorted([f"A{n}" for n in range(7)] + ["Late tie"])
    assert len(seen) == len(set(seen))
    back = client.get(client.get(first["next"]).json()["previous"]).json()["results"]
    assert [item["title"] for item in back] == [item["title"] for item in first["results"]]


def test_merged_event_redirects_to_the_winner(client, event) -> None:
    loser = factories.EventFactory(slug="csto-troops", merged_into=event)

    response = client.get(f"/api/v1/events/{loser.slug}/articles/?state=confirmed")

    assert response.status_code == 301
    assert response["Location"] == f"{URL}?state=confirmed"


def _add(event: models.Event, count: int) -> None:
    for n in range(count):
        article = _link(event, score=n / 100, state=("confirmed", "suggested", "rejected")[n % 3])
        models.Mention.objects.create(
            article=article, entity=factories.EntityFactory(), first_start=0, first_end=3
        )
        _link(factories.EventFactory(), article)


@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_query_count_does_not_grow_with_rows(client, as_role, event, role) -> None:
    url = f"{URL}?page_size=200"
    _add(event, 2)
    client.get(url, **as_role(role))  # a key's first use records when it was last used
    few = query_count(client, url, **as_role(role))
    _add(event, 18)

    assert len(client.get(url, **as_role(role)).json()["results"]) > 2
    assert query_count(client, url, **as_role(role)) == few


@pytest.mark.django_db(transaction=True)  # validators read committed change-log rows
def test_etag_gives_304_until_something_listed_changes(client, as_role) -> None:
    event = factories.EventFactory(slug="csto")
    first_article = _link(event, score=0.9)
    second_article = _link(event, score=0.4)
    entity = factories.EntityFactory()
    models.Mention.objects.create(article=first_article, entity=entity, first_start=0, first_end=3)
    first = client.get(URL)
    etag = first["ETag"]

    assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(URL, **as_role("editor"))["ETag"] != etag

    # The same entity, already shown, now also mentioned by the other article.
    models.Mention.objects.create(article=second_article, entity=entity, first_start=0, first_end=3)
    after_mention = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert after_mention.status_code == 200
    etag = after_mention["ETag"]

    link = models.ArticleEvent.objects.get(article=second_article, event=event)
    link_reject(link=link, by=factories.UserFactory())
    after_reject = client.get(URL, HTTP_IF_NONE_MATCH=etag)
    assert after_reject.status_code == 200
    assert [item["id"] for item in after_reject.json()["results"]] == [first_article.pk]


def test_304_costs_two_queries(client, event, links) -> None:
    etag = client.get(URL)["ETag"]

    with CaptureQueriesContext(connection) as queries:
        assert client.get(URL, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 2  # the event's slug, then the validators
