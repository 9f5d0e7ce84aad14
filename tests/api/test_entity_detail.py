"""GET /api/v1/entities/{id}/: aliases, the events the entity takes part in (with its role,
titles in the `lang` language), the count of listed articles mentioning it and of the
citations quoting it (drafts' citations for editors only)."""

import pytest

from events import models
from events.services import timeline
from tests import factories
from tests.api.conftest import check_schema, cited_update, problem_fields, query_count, send

pytestmark = pytest.mark.django_db
PATH = "/api/v1/entities/{id}/"


def _url(entity: models.Entity, query: str = "") -> str:
    return f"/api/v1/entities/{entity.pk}/{query}"


def _quoting(event: models.Event, status: str) -> models.Entity:
    """The speaker of a new update's citation in ``status``."""
    update = cited_update(event, status=status)
    return update.citations.get().speaker


@pytest.fixture
def tokayev() -> models.Entity:
    entity = factories.EntityFactory(name="Kassym-Jomart Tokayev", slug="tokayev")
    models.EntityAlias.objects.create(entity=entity, name="Токаев", language="bg")
    return entity


def test_detail_lists_events_with_role_and_counts(client, openapi, tokayev) -> None:
    csto = factories.EventFactory(slug="csto", title="CSTO deployment")
    models.EventTranslation.objects.create(event=csto, language="bg", title="Мисия на ОДКС")
    protests = factories.EventFactory(slug="protests", title="Protests")
    models.Participant.objects.create(event=csto, entity=tokayev, role="actor")
    models.Participant.objects.create(event=protests, entity=tokayev, role="target")
    for _ in range(2):
        article = factories.ArticleFactory()
        models.Mention.objects.create(article=article, entity=tokayev, first_start=0, first_end=6)

    response = client.get(_url(tokayev, "?lang=bg"))

    assert response.status_code == 200, response.content
    check_schema(openapi, PATH, "get", response)
    body = response.json()
    assert [a["name"] for a in body["aliases"]] == ["Токаев"]
    assert sorted((e["slug"], e["title"], e["role"]) for e in body["events"]) == [
        ("csto", "Мисия на ОДКС", "actor"),
        ("protests", "Protests", "target"),
    ]
    assert body["events_url"] == f"/api/v1/events/?entity={tokayev.pk}"
    assert (body["articles"], body["quotes"]) == (2, 0)
    assert body["articles_url"] == f"/api/v1/articles/?entity={tokayev.pk}"
    listed = client.get(body["articles_url"]).json()["results"]
    assert len(listed) == body["articles"]


def test_article_count_is_of_listed_articles_only(client, tokayev) -> None:
    original = factories.ArticleFactory()
    copies = [factories.ArticleFactory(duplicate_of=original)]
    unlisted = [
        factories.ArticleFactory(state="pending"),
        factories.ArticleFactory(state="failed", failure_reason="HTTP 404"),
    ]
    for article in [original, *copies, *unlisted]:
        models.Mention.objects.create(article=article, entity=tokayev, first_start=0, first_end=6)
    models.Mention.objects.create(
        article=factories.ArticleFactory(), entity=factories.EntityFactory(),
        first_start=0, first_end=3,
    )  # fmt: skip

    assert client.get(_url(tokayev)).json()["articles"] == 1


@pytest.mark.parametrize(("role", "expected"), [("anonymous", 2), ("reader", 2), ("editor", 4)])
def test_quotes_count_drafts_for_editors_only(client, as_role, role, expected) -> None:
    event = factories.EventFactory()
    speaker = _quoting(event, "published")
    for status in ("retracted", "draft", "in_review"):
        update = cited_update(event, status=status)
        update.citations.update(speaker=speaker)
        if status == "in_review":
            timeline.update_submit(update=update, by=None)
    _quoting(event, "published")  # someone else's quote

    body = client.get(_url(speaker), **as_role(role)).json()

    assert body["quotes"] == expected
    assert models.Update.objects.filter(status="in_review").count() == 1


def test_merged_events_are_not_listed(client, tokayev) -> None:
    winner = factories.EventFactory(slug="csto")
    loser = factories.EventFactory(slug="csto-troops", merged_into=winner)
    models.Participant.objects.create(event=loser, entity=tokayev, role="actor")
    models.Participant.objects.create(event=winner, entity=tokayev, role="actor")

    assert [e["slug"] for e in client.get(_url(tokayev)).json()["events"]] == ["csto"]


@pytest.mark.parametrize(
    ("url", "status", "field"),
    [
        ("/api/v1/entities/999999/", 404, None),
        ("/api/v1/entities/not-a-number/", 404, None),
        ("?lang=bulgarian", 400, "lang"),
    ],
)
def test_bad_requests_are_problems(client, openapi, tokayev, url, status, field) -> None:
    response = client.get(_url(tokayev, url) if url.startswith("?") else url)

    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    if field:
        assert problem_fields(response) == {field}
        check_schema(openapi, PATH, "get", response)


def test_patch_still_edits_through_the_detail_url(client, as_role, tokayev) -> None:
    edited = send(client, "patch", _url(tokayev), {"description": "President"}, **as_role("editor"))
    refused = send(client, "patch", _url(tokayev), {"description": "X"}, **as_role("reader"))

    assert edited.status_code == 200, edited.content
    assert (edited.json()["description"], refused.status_code) == ("President", 403)
    assert client.get(_url(tokayev)).json()["description"] == "President"


def _add(entity: models.Entity, count: int) -> None:
    for n in range(count):
        event = factories.EventFactory()
        models.EventTranslation.objects.create(event=event, language="bg", title=f"Събитие {n}")
        models.Participant.objects.create(event=event, entity=entity, role="actor")
        models.EntityAlias.objects.create(entity=entity, name=f"alias {event.pk}")
        article = factories.ArticleFactory()
        models.Mention.objects.create(article=article, entity=entity, first_start=0, first_end=3)
        update = cited_update(event)
        update.citations.update(speaker=entity)


def test_query_count_does_not_grow_with_rows(client, tokayev) -> None:
    _add(tokayev, 2)
    few = query_count(client, _url(tokayev, "?lang=bg"))
    _add(tokayev, 18)

    body = client.get(_url(tokayev, "?lang=bg")).json()
    assert (len(body["events"]), body["articles"], body["quotes"]) == (20, 20, 20)
    assert query_count(client, _url(tokayev, "?lang=bg")) == few


def test_entity_list_items_stay_light(client, tokayev) -> None:
    item = client.get("/api/v1/entities/").json()["results"][0]

    assert "events" not in item and "articles" not in item and "quotes" not in item
