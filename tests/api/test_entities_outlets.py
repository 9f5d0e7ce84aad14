"""GET /api/v1/entities/ and /api/v1/outlets/."""

import pytest

from events import models
from tests import factories
from tests.api.conftest import query_count

pytestmark = pytest.mark.django_db


def test_entities_are_listed_with_their_aliases(client) -> None:
    entity = factories.EntityFactory(name="CSTO", kind="organisation")
    models.EntityAlias.objects.create(entity=entity, name="ОДКБ", language="ru")
    models.EntityAlias.objects.create(entity=entity, name="ОДКС", language="bg")

    item = client.get("/api/v1/entities/").json()["results"][0]

    assert item["name"] == "CSTO"
    assert {(a["name"], a["language"]) for a in item["aliases"]} == {("ОДКБ", "ru"), ("ОДКС", "bg")}


def test_entities_are_found_by_alias(client) -> None:
    entity = factories.EntityFactory(name="Kassym-Jomart Tokayev")
    models.EntityAlias.objects.create(entity=entity, name="Токаев", language="bg")
    models.EntityAlias.objects.create(entity=entity, name="Токаева", language="ru")
    factories.EntityFactory(name="Ned Price")

    results = client.get("/api/v1/entities/?q=токаев").json()["results"]

    assert [item["id"] for item in results] == [entity.pk]


def test_outlets_are_listed_with_domains(client) -> None:
    outlet = factories.OutletFactory(name="BBC", languages=["en", "ru"])
    models.OutletDomain.objects.create(outlet=outlet, domain="bbc.co.uk")

    item = client.get("/api/v1/outlets/").json()["results"][0]

    assert item["name"] == "BBC"
    assert item["languages"] == ["en", "ru"]
    assert item["domains"] == ["bbc.co.uk"]


@pytest.mark.parametrize("path", ["/api/v1/entities/", "/api/v1/outlets/"])
def test_query_count_does_not_grow_with_rows(client, path: str) -> None:
    def add(count: int) -> None:
        for _ in range(count):
            entity = factories.EntityFactory()
            models.EntityAlias.objects.create(entity=entity, name=f"alias {entity.pk}")
            outlet = factories.OutletFactory()
            models.OutletDomain.objects.create(outlet=outlet, domain=f"{outlet.slug}.example")

    add(2)
    few = query_count(client, f"{path}?page_size=200")
    add(18)

    assert query_count(client, f"{path}?page_size=200") == few
