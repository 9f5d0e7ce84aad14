"""Entities and aliases over the API: create, edit, aliases in any language, per role."""

import pytest

from events import models
from tests import factories
from tests.api.conftest import check_schema, problem_fields, send

pytestmark = pytest.mark.django_db
CSTO = {
    "name": "Collective Security Treaty Organization",
    "kind": "organisation",
    "wikidata_id": "Q189036",
}


def test_editor_creates_an_entity(client, as_role, openapi) -> None:
    response = send(client, "post", "/api/v1/entities/", CSTO, **as_role("editor"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["slug"], body["aliases"]) == ("collective-security-treaty-organization", [])
    assert response["Location"] == f"/api/v1/entities/{body['id']}/"
    check_schema(openapi, "/api/v1/entities/", "post", response)
    assert client.get(response["Location"]).json()["name"] == CSTO["name"]


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_only_editors_write_entities(client, as_role, role, status) -> None:
    entity = factories.EntityFactory()

    created = send(client, "post", "/api/v1/entities/", CSTO, **as_role(role))
    edited = send(client, "patch", f"/api/v1/entities/{entity.pk}/", {"name": "X"}, **as_role(role))
    alias = send(
        client, "post", f"/api/v1/entities/{entity.pk}/aliases/", {"name": "X"}, **as_role(role)
    )

    assert (created.status_code, edited.status_code, alias.status_code) == (status,) * 3
    assert models.Entity.objects.count() == 1
    assert not models.EntityAlias.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CSTO, "wikidata_id": "189036"}, "wikidata_id"),
        ({**CSTO, "kind": "alliance"}, "kind"),
        ({**CSTO, "latitude": 10}, "longitude"),
        ({**CSTO, "name": ""}, "name"),
        ({**CSTO, "aliases": []}, "aliases"),
    ],
)
def test_bad_entity_bodies_are_400(client, as_role, openapi, body, field) -> None:
    response = send(client, "post", "/api/v1/entities/", body, **as_role("editor"))

    assert problem_fields(response) == {field}
    check_schema(openapi, "/api/v1/entities/", "post", response)
    assert not models.Entity.objects.exists()


def test_duplicate_wikidata_id_is_400(client, as_role) -> None:
    send(client, "post", "/api/v1/entities/", CSTO, **as_role("editor"))

    response = send(
        client, "post", "/api/v1/entities/", {**CSTO, "name": "ODKB"}, **as_role("editor")
    )

    assert problem_fields(response) == {"wikidata_id"}
    assert models.Entity.objects.count() == 1


def test_patch_entity(client, as_role, openapi) -> None:
    entity = factories.EntityFactory(name="Tokayev")

    edited = send(
        client,
        "patch",
        f"/api/v1/entities/{entity.pk}/",
        {"description": "President of Kazakhstan"},
        **as_role("editor"),
    )
    missing = send(client, "patch", "/api/v1/entities/999999/", {"name": "X"}, **as_role("editor"))

    assert edited.json()["description"] == "President of Kazakhstan"
    check_schema(openapi, "/api/v1/entities/{id}/", "patch", edited)
    assert missing.status_code == 404


def test_aliases_add_idempotently_and_remove(client, as_role, openapi) -> None:
    entity = factories.EntityFactory(name="CSTO")
    url = f"/api/v1/entities/{entity.pk}/aliases/"

    first = send(
        client,
        "post",
        url,
        {"name": "ОДКС", "language": "bg", "is_acronym": True},
        **as_role("editor"),
    )
    again = send(client, "post", url, {"name": "одкс", "language": "bg"}, **as_role("editor"))
    russian = send(client, "post", url, {"name": "ОДКБ", "language": "ru"}, **as_role("editor"))
    bad = send(client, "post", url, {"name": "X", "language": "bul"}, **as_role("editor"))
    empty = send(client, "post", url, {"name": " "}, **as_role("editor"))

    assert (first.status_code, again.status_code, russian.status_code) == (201, 200, 201)
    assert again.json()["id"] == first.json()["id"]
    check_schema(openapi, "/api/v1/entities/{id}/aliases/", "post", first)
    assert problem_fields(bad) == {"language"}
    assert problem_fields(empty) == {"name"}
    removed = client.delete(f"{url}{first.json()['id']}/", **as_role("editor"))
    assert removed.status_code == 204
    assert list(entity.aliases.values_list("name", flat=True)) == ["ОДКБ"]
    assert client.delete(f"{url}{first.json()['id']}/", **as_role("editor")).status_code == 404
