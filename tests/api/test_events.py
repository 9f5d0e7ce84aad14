"""GET /api/v1/events/ and /api/v1/events/{slug}/."""

import datetime as dt

import pytest

from events import models
from tests import factories
from tests.api.conftest import query_count

pytestmark = pytest.mark.django_db

ITEM_FIELDS = {
    "slug", "title", "kind", "status", "start", "start_precision", "end", "end_precision",
    "place", "relations", "updated_at",
}  # fmt: skip


def _slugs(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["slug"] for item in response.json()["results"]]


@pytest.mark.parametrize("role", ["anonymous", "reader", "editor"])
def test_event_list_items_have_the_contract_fields(client, as_role, role: str) -> None:
    factories.EventFactory(slug="kazakhstan-protests")

    body = client.get("/api/v1/events/", **as_role(role)).json()

    assert set(body) == {"next", "previous", "results"}
    assert set(body["results"][0]) == ITEM_FIELDS


def test_relations_are_typed_in_both_directions(client) -> None:
    protests = factories.EventFactory(slug="protests")
    csto = factories.EventFactory(slug="csto-deployment")
    crisis = factories.EventFactory(slug="crisis")
    models.EventRelation.objects.create(source=csto, target=protests, kind="response_to")
    models.EventRelation.objects.create(source=protests, target=crisis, kind="part_of")

    detail = client.get("/api/v1/events/protests/").json()

    assert sorted(detail["relations"], key=lambda r: r["event"]) == [
        {"kind": "part_of", "direction": "out", "event": "crisis"},
        {"kind": "response_to", "direction": "in", "event": "csto-deployment"},
    ]


def test_lang_picks_the_translated_title_and_falls_back_to_english(client) -> None:
    event = factories.EventFactory(slug="protests", title="Protests", summary="In English")
    models.EventTranslation.objects.create(
        event=event, language="bg", title="Протести", summary="На български"
    )

    bg = client.get("/api/v1/events/?lang=bg").json()["results"][0]
    ru = client.get("/api/v1/events/protests/?lang=ru").json()
    bg_detail = client.get("/api/v1/events/protests/?lang=bg").json()

    assert bg["title"] == "Протести"
    assert (ru["title"], ru["summary"]) == ("Protests", "In English")
    assert (bg_detail["title"], bg_detail["summary"]) == ("Протести", "На български")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=gas", ["gas-protests"]),
        ("q=ОДКБ", ["csto"]),
        ("kind=meeting", ["nato-russia"]),
        ("status=scheduled", ["nato-russia"]),
        ("entity=tokayev", ["csto"]),
        ("starts_after=2022-01-10T00:00:00Z", ["nato-russia"]),
        ("starts_before=2022-01-03T00:00:00Z", ["gas-protests"]),
        ("kind=protest&q=gas", ["gas-protests"]),
    ],
)
def test_event_filters(client, query: str, expected: list[str]) -> None:
    factories.EventFactory(
        slug="gas-protests", title="Protests over gas prices", kind="protest",
        start=dt.datetime(2022, 1, 2, tzinfo=dt.UTC),
    )  # fmt: skip
    csto = factories.EventFactory(
        slug="csto", title="CSTO deployment", kind="conflict",
        start=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
    )  # fmt: skip
    models.EventTranslation.objects.create(event=csto, language="ru", title="Миссия ОДКБ")
    tokayev = factories.EntityFactory(slug="tokayev", name="Tokayev")
    models.Participant.objects.create(event=csto, entity=tokayev, role="actor")
    factories.EventFactory(
        slug="nato-russia", title="NATO-Russia Council", kind="meeting", status="scheduled",
        start=dt.datetime(2022, 1, 12, tzinfo=dt.UTC),
    )  # fmt: skip

    assert sorted(_slugs(client.get(f"/api/v1/events/?{query}"))) == expected


def test_entity_filter_accepts_the_entity_id(client) -> None:
    event = factories.EventFactory(slug="csto")
    entity = factories.EntityFactory()
    models.Participant.objects.create(event=event, entity=entity, role="actor")
    factories.EventFactory()

    assert _slugs(client.get(f"/api/v1/events/?entity={entity.pk}")) == ["csto"]


def test_updated_since_filter(client) -> None:
    old = factories.EventFactory(slug="old")
    models.Event.objects.filter(pk=old.pk).update(updated_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC))
    factories.EventFactory(slug="fresh")

    assert _slugs(client.get("/api/v1/events/?updated_since=2023-01-01T00:00:00Z")) == ["fresh"]


def test_cursor_pagination_walks_every_event_once(client) -> None:
    for n in range(7):
        factories.EventFactory(slug=f"event-page-{n}")
    seen: list[str] = []
    url: str | None = "/api/v1/events/?page_size=3"

    while url:
        body = client.get(url).json()
        seen += [item["slug"] for item in body["results"]]
        url = body["next"]

    assert sorted(seen) == sorted(f"event-page-{n}" for n in range(7))


def test_event_detail_adds_summary_translations_participants_and_coordinates(client) -> None:
    event = factories.EventFactory(
        slug="nato-russia", summary="Talks in Brussels", latitude=50.85, longitude=4.35
    )
    models.EventTranslation.objects.create(event=event, language="bg", title="Съвет НАТО-Русия")
    entity = factories.EntityFactory(name="NATO", kind="organisation")
    models.Participant.objects.create(event=event, entity=entity, role="organiser")

    body = client.get("/api/v1/events/nato-russia/").json()

    assert body["summary"] == "Talks in Brussels"
    assert body["translations"] == [{"language": "bg", "title": "Съвет НАТО-Русия", "summary": ""}]
    assert body["participants"] == [
        {
            "entity": {"id": entity.pk, "name": "NATO", "kind": "organisation"},
            "role": "organiser",
            "note": "",
        }
    ]
    assert body["coordinates"] == {"latitude": 50.85, "longitude": 4.35}


def _event_with_everything(n: int) -> None:
    event = factories.EventFactory()
    models.EventTranslation.objects.create(event=event, language="bg", title=f"Събитие {n}")
    models.EventRelation.objects.create(
        source=event, target=factories.EventFactory(), kind="part_of"
    )


def test_event_list_query_count_does_not_grow_with_rows(client) -> None:
    for n in range(2):
        _event_with_everything(n)
    few = query_count(client, "/api/v1/events/?page_size=200&lang=bg")
    for n in range(2, 20):
        _event_with_everything(n)

    assert query_count(client, "/api/v1/events/?page_size=200&lang=bg") == few
