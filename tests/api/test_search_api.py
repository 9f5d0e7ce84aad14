"""Full-text `q` on the API lists, GET /api/v1/search/, and the label language of events."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import models
from events.selectors import search
from tests import factories
from tests.api.conftest import cited_update

pytestmark = pytest.mark.django_db


def _ok(response) -> dict:
    assert response.status_code == 200, response.content
    return response.json()


def _problem(response, field: str) -> dict:
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert field in body["errors"], body
    return body


def _tokayev() -> models.Entity:
    tokayev = factories.EntityFactory(name="Kassym-Jomart Tokayev", slug="tokayev")
    models.EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    return tokayev


# q on the lists ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("протестите", ["protests"]),  # Bulgarian translation, inflected query
        ("protest", ["protests"]),  # English stemming
        ("Kazakstan", ["protests"]),  # typo in a title word
        ("Tokaev", ["csto"]),  # typo in a participant's name
        ("Токаев", ["csto"]),  # the participant's Bulgarian alias
    ],
)
def test_event_q_is_full_text_in_any_language(client, q: str, expected: list[str]) -> None:
    protests = factories.EventFactory(slug="protests", title="Protests in Kazakhstan")
    models.EventTranslation.objects.create(event=protests, language="bg", title="Протести")
    csto = factories.EventFactory(slug="csto", title="CSTO deployment")
    models.Participant.objects.create(event=csto, entity=_tokayev(), role="actor")

    body = _ok(client.get("/api/v1/events/", {"q": q}))

    assert [item["slug"] for item in body["results"]] == expected


def test_article_q_matches_text_and_inflections_and_keeps_the_list_order(client) -> None:
    older = factories.ArticleFactory(title="Изявление", text="Президентът Токаев поиска помощ.")
    newer = factories.ArticleFactory(title="Протест срещу Токаева", text="")
    factories.ArticleFactory(title="Цените на газа", text="Нищо общо.")

    body = _ok(client.get("/api/v1/articles/", {"q": "Токаев"}))

    assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]


@pytest.mark.parametrize("common", [False, True])
def test_article_q_finds_the_same_rows_whichever_plan_shape(client, monkeypatch, common) -> None:
    """Rare words collect ids from the indexes first, common ones walk the list's order
    (chosen by PostgreSQL's estimate); both must list the same rows in the same order."""
    monkeypatch.setattr(search, "COMMON_MATCHES", 0 if common else 10**9)
    older = factories.ArticleFactory(title="Изявление", text="Президентът Токаев поиска помощ.")
    newer = factories.ArticleFactory(title="Токаева", text="", detected_language="bg")
    factories.ArticleFactory(title="Цените на газа", text="Нищо общо.")

    body = _ok(client.get("/api/v1/articles/", {"q": "Токаев", "page_size": 1}))
    page_two = _ok(client.get(body["next"]))

    assert [item["id"] for item in body["results"] + page_two["results"]] == [newer.pk, older.pk]
    assert page_two["next"] is None


def test_article_q_combines_with_filters_and_pages_with_the_cursor(client) -> None:
    for n in range(5):
        factories.ArticleFactory(title=f"Токаев {n}", detected_language="bg")
    factories.ArticleFactory(title="Tokayev said", text="Tokayev.", detected_language="en")
    body = _ok(client.get("/api/v1/articles/", {"q": "Токаев", "language": "bg", "page_size": 2}))
    seen = [item["id"] for item in body["results"]]

    while body["next"]:
        body = _ok(client.get(body["next"]))
        seen += [item["id"] for item in body["results"]]

    assert len(seen) == len(set(seen)) == 5


def test_entity_q_tolerates_typos_and_scripts(client) -> None:
    tokayev = _tokayev()
    factories.EntityFactory(name="NATO", slug="nato")

    for q in ("Токаеб", "Tokaev", "токаев"):
        body = _ok(client.get("/api/v1/entities/", {"q": q}))
        assert [item["id"] for item in body["results"]] == [tokayev.pk], q


def test_overlong_or_nul_q_is_a_400_naming_q(client) -> None:
    for q in ("x" * 201, "a\x00b"):
        _problem(client.get("/api/v1/events/", {"q": q}), "q")
        _problem(client.get("/api/v1/articles/", {"q": q}), "q")
        _problem(client.get("/api/v1/entities/", {"q": q}), "q")


def test_q_with_tsquery_syntax_is_plain_text(client) -> None:
    factories.ArticleFactory(title="Токаев")

    for q in ("'a' & b:* | !c", "\\", "(", "Токаев:*&!"):
        assert client.get("/api/v1/articles/", {"q": q}).status_code == 200, q


# GET /api/v1/search/ -----------------------------------------------------------------------


def test_search_ranks_each_kind_by_relevance(client) -> None:
    body_only = factories.ArticleFactory(title="Цените на газа", text="Токаев говори за цените.")
    in_title = factories.ArticleFactory(title="Токаев поиска помощ", text="Токаев поиска помощ.")
    event = factories.EventFactory(slug="csto", title="CSTO deployment")
    models.Participant.objects.create(event=event, entity=_tokayev(), role="actor")

    body = _ok(client.get("/api/v1/search/", {"q": "Токаев"}))

    assert set(body) == {"q", "events", "updates", "articles", "entities"}
    assert [a["id"] for a in body["articles"]] == [in_title.pk, body_only.pk]
    assert body["articles"][0]["rank"] > body["articles"][1]["rank"]
    assert [e["slug"] for e in body["events"]] == ["csto"]
    assert [e["slug"] for e in body["entities"]] == ["tokayev"]
    assert "text" not in body["articles"][0]


@pytest.mark.parametrize(
    ("role", "sees_draft"), [("anonymous", False), ("reader", False), ("editor", True)]
)
def test_search_shows_drafts_only_to_editors(client, as_role, role: str, sees_draft: bool) -> None:
    event = factories.EventFactory()
    published = cited_update(event, headline="Tokayev asks the CSTO for help")
    draft = cited_update(event, status="draft", headline="Tokayev draft line")

    body = _ok(client.get("/api/v1/search/", {"q": "Tokayev"}, **as_role(role)))

    expected = {published.pk, draft.pk} if sees_draft else {published.pk}
    assert {u["id"] for u in body["updates"]} == expected


def test_search_filters(client) -> None:
    factories.OutletFactory(slug="bbc")
    early = factories.ArticleFactory(
        title="Токаев early", published_at=dt.datetime(2022, 1, 3, tzinfo=dt.UTC)
    )
    factories.ArticleFactory(
        title="Токаев late", published_at=dt.datetime(2022, 1, 9, tzinfo=dt.UTC)
    )

    body = _ok(client.get("/api/v1/search/", {"q": "Токаев", "date_to": "2022-01-05"}))

    assert [a["id"] for a in body["articles"]] == [early.pk]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/search/?q=Tokayev&entity={}",
        "/api/v1/search/?q=Tokayev&outlet={}",
        "/api/v1/events/?entity={}",
        "/api/v1/articles/?entity={}",
        "/api/v1/articles/?outlet={}",
    ],
)
@pytest.mark.parametrize("ref", ["²", "٣", "99999999999999999999"])
def test_id_or_slug_filters_take_non_ascii_digits_and_huge_ids_as_no_match(
    client, path: str, ref: str
) -> None:
    """str.isdigit() is true for "²" and "٣", which int() refuses: that was a 500."""
    tokayev = factories.EntityFactory(name="Kassym-Jomart Tokayev")
    factories.ArticleFactory(title="Tokayev asks the CSTO for help")
    event = factories.EventFactory(title="Tokayev asks the CSTO for help")
    models.Participant.objects.create(event=event, entity=tokayev, role="actor")

    body = _ok(client.get(path.format(ref)))

    assert (body["results"] if "results" in body else body["articles"]) == []


def test_search_limit_caps_each_kind(client) -> None:
    for n in range(4):
        factories.ArticleFactory(title=f"Токаев {n}")

    body = _ok(client.get("/api/v1/search/", {"q": "Токаев", "limit": 2}))

    assert len(body["articles"]) == 2


def test_search_without_words_is_empty(client) -> None:
    factories.ArticleFactory(title="Токаев")

    body = _ok(client.get("/api/v1/search/", {"q": "!!!"}))

    assert body["articles"] == body["events"] == body["entities"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "q"),
        ({"q": "x" * 201}, "q"),
        ({"q": "a\x00b"}, "q"),
        ({"q": "a", "limit": "0"}, "limit"),
        ({"q": "a", "limit": "abc"}, "limit"),
        ({"q": "a", "limit": "51"}, "limit"),
        ({"q": "a", "date_from": "yesterday"}, "date_from"),
        ({"q": "a", "date_from": "2022-01-09", "date_to": "2022-01-01"}, "date_to"),
        ({"q": "a", "language": "Bulgarian"}, "language"),
        ({"q": "a", "event": "not a slug"}, "event"),
        ({"q": "a", "lang": "english"}, "lang"),
    ],
)
def test_search_bad_parameters_are_400_naming_the_field(client, params, field: str) -> None:
    _problem(client.get("/api/v1/search/", params), field)


def test_search_runs_a_constant_number_of_queries(client) -> None:
    tokayev = _tokayev()

    def populate(n: int) -> None:
        for i in range(n):
            event = factories.EventFactory(title=f"Tokayev event {i}")
            models.Participant.objects.create(event=event, entity=tokayev, role="actor")
            cited_update(event, headline=f"Tokayev line {i}")
            factories.ArticleFactory(title=f"Токаев {i}")

    populate(2)
    with CaptureQueriesContext(connection) as few:
        _ok(client.get("/api/v1/search/", {"q": "Tokayev", "limit": 50}))
    populate(18)
    with CaptureQueriesContext(connection) as many:
        body = _ok(client.get("/api/v1/search/", {"q": "Tokayev", "limit": 50}))

    assert (len(body["events"]), len(body["updates"])) == (20, 20)
    assert len(body["articles"]) == 40  # cited_update adds a cited article naming Токаев
    assert len(many) == len(few)


# Label language ----------------------------------------------------------------------------


@pytest.fixture
def protests() -> models.Event:
    event = factories.EventFactory(slug="protests", title="Protests")
    models.EventTranslation.objects.create(event=event, language="bg", title="Протести")
    models.EventTranslation.objects.create(event=event, language="ru", title="Протесты")
    return event


@pytest.mark.parametrize(
    ("headers", "query", "title"),
    [
        ({}, "", "Protests"),
        ({"HTTP_ACCEPT_LANGUAGE": "bg"}, "", "Протести"),
        ({"HTTP_ACCEPT_LANGUAGE": "bg-BG,bg;q=0.9,en;q=0.8"}, "", "Протести"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr, ru;q=0.5, en;q=0.3"}, "", "Протесты"),
        ({"HTTP_ACCEPT_LANGUAGE": "fr, de"}, "", "Protests"),
        ({"HTTP_ACCEPT_LANGUAGE": "*"}, "", "Protests"),
        ({"HTTP_ACCEPT_LANGUAGE": "bg"}, "?lang=ru", "Протесты"),
        ({"HTTP_ACCEPT_LANGUAGE": "bg"}, "?lang=de", "Protests"),
    ],
)
def test_label_language_from_lang_or_accept_language(
    client, protests, headers: dict, query: str, title: str
) -> None:
    listed = _ok(client.get(f"/api/v1/events/{query}", **headers))["results"][0]
    detail = _ok(client.get(f"/api/v1/events/protests/{query}", **headers))
    searched = _ok(client.get(f"/api/v1/search/?q=protests&{query.lstrip('?')}", **headers))

    assert listed["title"] == detail["title"] == searched["events"][0]["title"] == title


def test_malformed_lang_is_a_400_naming_lang(client, protests) -> None:
    _problem(client.get("/api/v1/events/?lang=bulgarian"), "lang")
    _problem(client.get("/api/v1/events/protests/?lang=BG"), "lang")


def test_malformed_accept_language_falls_back_to_english(client, protests) -> None:
    body = _ok(client.get("/api/v1/events/", HTTP_ACCEPT_LANGUAGE=";;q=abc,\x01" + "x" * 1000))

    assert body["results"][0]["title"] == "Protests"
