"""GET /api/v1/articles/ and /api/v1/articles/{id}/: metadata for all, text for readers on."""

import datetime as dt

import pytest

from events import models
from tests import factories
from tests.api.conftest import query_count

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "id", "url", "canonical_url", "title", "language", "published_at", "outlet",
    "duplicate_of", "entities", "events", "updated_at",
}  # fmt: skip


def _titles(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(item["title"] for item in response.json()["results"])


def test_only_ready_originals_are_listed_by_default(client) -> None:
    original = factories.ArticleFactory(title="Original")
    factories.ArticleFactory(title="Copy", duplicate_of=original)
    factories.ArticleFactory(title="Pending", state="pending")
    factories.ArticleFactory(title="Failed", state="failed", failure_reason="HTTP 404")

    assert _titles(client.get("/api/v1/articles/")) == ["Original"]
    with_copies = client.get("/api/v1/articles/?include_duplicates=true")
    assert _titles(with_copies) == ["Copy", "Original"]


def test_failed_article_has_no_detail(client) -> None:
    failed = factories.ArticleFactory(state="failed", failure_reason="HTTP 404")

    assert client.get(f"/api/v1/articles/{failed.pk}/").status_code == 404


def test_article_item_has_entities_and_events(client) -> None:
    article = factories.ArticleFactory(title="Токаев", detected_language="bg")
    entity = factories.EntityFactory(name="Tokayev", kind="person")
    models.Mention.objects.create(article=article, entity=entity, first_start=0, first_end=6)
    event = factories.EventFactory(slug="csto", title="CSTO deployment")
    models.ArticleEvent.objects.create(article=article, event=event, score=0.8)
    rejected = factories.EventFactory(slug="unrelated")
    models.ArticleEvent.objects.create(
        article=article, event=rejected, score=0.2, state="rejected",
        decided_at=dt.datetime(2022, 1, 8, tzinfo=dt.UTC),
    )  # fmt: skip

    item = client.get("/api/v1/articles/").json()["results"][0]

    assert set(item) == ITEM_FIELDS
    assert item["language"] == "bg"
    assert item["entities"] == [{"id": entity.pk, "name": "Tokayev", "kind": "person"}]
    assert item["events"] == [
        {"slug": "csto", "title": "CSTO deployment", "score": 0.8, "state": "suggested"}
    ]
    assert item["outlet"]["name"] == article.outlet.name
    assert "text" not in item


@pytest.mark.parametrize(
    ("role", "sees_text"), [("anonymous", False), ("reader", True), ("editor", True)]
)
def test_article_text_only_for_readers_and_editors(client, as_role, role, sees_text) -> None:
    article = factories.ArticleFactory(text="Президентът Токаев поиска съдействие.")

    body = client.get(f"/api/v1/articles/{article.pk}/", **as_role(role)).json()

    assert body["title"] == article.title
    assert ("text" in body) is sees_text
    if sees_text:
        assert body["text"] == article.text


@pytest.fixture
def corpus():
    bbc = factories.OutletFactory(slug="bbc", name="BBC")
    tokayev = factories.EntityFactory(slug="tokayev")
    event = factories.EventFactory(slug="csto")
    english = factories.ArticleFactory(
        title="Price on Kazakhstan", outlet=bbc, detected_language="en",
        text="Gas prices went up.", published_at=dt.datetime(2022, 1, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    bulgarian = factories.ArticleFactory(
        title="Токаев и ОДКС", detected_language="bg",
        published_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC),
    )  # fmt: skip
    models.Mention.objects.create(article=bulgarian, entity=tokayev, first_start=0, first_end=6)
    models.ArticleEvent.objects.create(article=bulgarian, event=event, score=0.9)
    return {"english": english, "bulgarian": bulgarian, "bbc": bbc, "tokayev": tokayev}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("event=csto", ["Токаев и ОДКС"]),
        ("language=en", ["Price on Kazakhstan"]),
        ("outlet=bbc", ["Price on Kazakhstan"]),
        ("entity=tokayev", ["Токаев и ОДКС"]),
        ("published_after=2022-01-06T00:00:00Z", ["Price on Kazakhstan"]),
        ("published_before=2022-01-06T00:00:00Z", ["Токаев и ОДКС"]),
        ("q=одкс", ["Токаев и ОДКС"]),
        ("event=no-such-event", []),
        ("updated_since=2000-01-01T00:00:00Z", ["Price on Kazakhstan", "Токаев и ОДКС"]),
    ],
)
def test_article_filters(client, corpus, query: str, expected: list[str]) -> None:
    assert _titles(client.get(f"/api/v1/articles/?{query}")) == expected


def test_outlet_and_entity_filters_accept_ids(client, corpus) -> None:
    by_outlet = client.get(f"/api/v1/articles/?outlet={corpus['bbc'].pk}")
    by_entity = client.get(f"/api/v1/articles/?entity={corpus['tokayev'].pk}")

    assert _titles(by_outlet) == ["Price on Kazakhstan"]
    assert _titles(by_entity) == ["Токаев и ОДКС"]


def _article_with_everything() -> None:
    article = factories.ArticleFactory()
    entity = factories.EntityFactory()
    models.Mention.objects.create(article=article, entity=entity, first_start=0, first_end=3)
    models.ArticleEvent.objects.create(article=article, event=factories.EventFactory())


def test_article_list_query_count_does_not_grow_with_rows(client) -> None:
    for _ in range(2):
        _article_with_everything()
    few = query_count(client, "/api/v1/articles/?page_size=200")
    for _ in range(18):
        _article_with_everything()

    assert query_count(client, "/api/v1/articles/?page_size=200") == few
