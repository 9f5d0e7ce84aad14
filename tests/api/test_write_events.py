"""Editor writes on events: POST /events/, PATCH /events/{slug}/, relations, participants and
translations; per role, per bad input, validated against the OpenAPI schema."""

import pytest
from django.test import Client

from events import models
from events.services.users import editor_ensure
from tests import factories
from tests.api.conftest import JSON, PROBLEM, check_schema, problem_fields, send

pytestmark = pytest.mark.django_db

NEW_EVENT = {
    "title": "NATO-Russia Council meeting",
    "kind": "meeting",
    "status": "scheduled",
    "start": "2022-01-12T09:00:00Z",
    "start_precision": "minute",
    "place": "Brussels",
    "latitude": 50.85,
    "longitude": 4.35,
}


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_only_editors_create_events(client, as_role, role, status) -> None:
    response = send(client, "post", "/api/v1/events/", NEW_EVENT, **as_role(role))

    assert response.status_code == status
    assert response["Content-Type"] == PROBLEM
    assert not models.Event.objects.exists()


def test_editor_creates_an_event(client, as_role, openapi) -> None:
    response = send(client, "post", "/api/v1/events/", NEW_EVENT, **as_role("editor"))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["slug"] == "nato-russia-council-meeting"
    assert body["coordinates"] == {"latitude": 50.85, "longitude": 4.35}
    assert response["Location"] == "/api/v1/events/nato-russia-council-meeting/"
    check_schema(openapi, "/api/v1/events/", "post", response)
    event = models.Event.objects.get()
    assert event.created_by.username == "api-editor"
    change = models.Change.objects.get(kind="event", object_id=event.pk, action="created")
    assert change.actor_id == event.created_by_id


def test_cyrillic_title_gets_a_transliterated_slug(client, as_role) -> None:
    body = {"title": "Протести в Алмати", "kind": "protest"}

    response = send(client, "post", "/api/v1/events/", body, **as_role("editor"))

    assert response.status_code == 201, response.content
    assert response.json()["slug"] == "protesti-v-almati"
    assert response.json()["status"] == "developing"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NEW_EVENT, "kind": "war"}, "kind"),
        ({**NEW_EVENT, "titel": "typo"}, "titel"),
        ({**NEW_EVENT, "start": "12 January"}, "start"),
        ({**NEW_EVENT, "end": "2022-01-11T00:00:00Z"}, "end"),
        ({**NEW_EVENT, "longitude": None}, "longitude"),
        ({**NEW_EVENT, "latitude": 123.0}, "latitude"),
        ({**NEW_EVENT, "slug": "Not a slug!"}, "slug"),
        ({k: v for k, v in NEW_EVENT.items() if k != "title"}, "title"),
        (["not", "an", "object"], "non_field_errors"),
    ],
)
def test_bad_event_bodies_are_400_naming_the_field(client, as_role, openapi, body, field) -> None:
    response = send(client, "post", "/api/v1/events/", body, **as_role("editor"))

    assert problem_fields(response) == {field}
    check_schema(openapi, "/api/v1/events/", "post", response)
    assert not models.Event.objects.exists()


def test_malformed_json_is_a_400_problem(client, as_role) -> None:
    response = client.post("/api/v1/events/", "{not json", content_type=JSON, **as_role("editor"))

    assert response.status_code == 400
    assert response.json()["type"].endswith("/parse-error")


def test_taken_slug_is_a_400_naming_slug(client, as_role) -> None:
    factories.EventFactory(slug="csto")

    response = send(
        client, "post", "/api/v1/events/", {**NEW_EVENT, "slug": "csto"}, **as_role("editor")
    )

    assert problem_fields(response) == {"slug"}


def _session_editor(csrf: bool) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(editor_ensure(username="desk", password="correct horse battery"))
    return client


def test_signed_in_editor_writes_with_the_csrf_token_only(as_role) -> None:
    client = _session_editor(csrf=True)
    token = "a" * 32
    client.cookies["csrftoken"] = token

    refused = send(client, "post", "/api/v1/events/", NEW_EVENT)
    accepted = send(client, "post", "/api/v1/events/", NEW_EVENT, HTTP_X_CSRFTOKEN=token)

    assert refused.status_code == 403
    assert "CSRF" in refused.json()["detail"]
    assert accepted.status_code == 201, accepted.content


def test_signed_in_reader_cannot_write() -> None:
    client = Client()
    client.force_login(factories.UserFactory(username="reader-session"))

    assert send(client, "post", "/api/v1/events/", NEW_EVENT).status_code == 403


def test_patch_edits_and_refuses_the_slug(client, as_role, openapi) -> None:
    factories.EventFactory(slug="protests", title="Protests")
    url = "/api/v1/events/protests/"

    edited = send(client, "patch", url, {"status": "concluded"}, **as_role("editor"))
    slug = send(client, "patch", url, {"slug": "other"}, **as_role("editor"))
    empty = send(client, "patch", url, {}, **as_role("editor"))
    reader = send(client, "patch", url, {"status": "cancelled"}, **as_role("reader"))
    missing = send(
        client, "patch", "/api/v1/events/none/", {"status": "concluded"}, **as_role("editor")
    )

    assert edited.status_code == 200
    assert edited.json()["status"] == "concluded"
    check_schema(openapi, "/api/v1/events/{slug}/", "patch", edited)
    assert problem_fields(slug) == {"slug"}
    assert problem_fields(empty) == {"non_field_errors"}
    assert reader.status_code == 403
    assert missing.status_code == 404
    assert models.Event.objects.get().status == "concluded"


def test_relation_add_then_again_is_200_with_the_same_link(client, as_role, openapi) -> None:
    factories.EventFactory(slug="csto")
    factories.EventFactory(slug="protests")
    url = "/api/v1/events/csto/relations/"
    body = {"kind": "response_to", "event": "protests"}

    first = send(client, "post", url, body, **as_role("editor"))
    again = send(client, "post", url, body, **as_role("editor"))
    detail = client.get("/api/v1/events/protests/").json()

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json() == {
        "kind": "response_to",
        "direction": "out",
        "event": "protests",
        "note": "",
    }
    check_schema(openapi, "/api/v1/events/{slug}/relations/", "post", first)
    assert detail["relations"] == [{"kind": "response_to", "direction": "in", "event": "csto"}]
    assert models.EventRelation.objects.count() == 1


def test_incoming_relation_and_undirected_duplicates(client, as_role) -> None:
    factories.EventFactory(slug="crisis")
    factories.EventFactory(slug="protests")

    incoming = {"kind": "part_of", "event": "protests", "direction": "in"}
    part = send(client, "post", "/api/v1/events/crisis/relations/", incoming, **as_role("editor"))
    related = send(client, "post", "/api/v1/events/crisis/relations/",
                   {"kind": "related", "event": "protests"}, **as_role("editor"))  # fmt: skip
    related_back = send(client, "post", "/api/v1/events/protests/relations/",
                        {"kind": "related", "event": "crisis"}, **as_role("editor"))  # fmt: skip

    assert part.status_code == 201
    relation = models.EventRelation.objects.get(kind="part_of")
    assert (relation.source.slug, relation.target.slug) == ("protests", "crisis")
    assert (related.status_code, related_back.status_code) == (201, 200)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "response_to", "event": "nowhere"}, "event"),
        ({"kind": "response_to", "event": "csto"}, "target"),
        ({"kind": "enemy_of", "event": "protests"}, "kind"),
        ({"kind": "related", "event": "protests", "direction": "up"}, "direction"),
    ],
)
def test_bad_relations_are_400(client, as_role, body, field) -> None:
    factories.EventFactory(slug="csto")
    factories.EventFactory(slug="protests")

    response = send(client, "post", "/api/v1/events/csto/relations/", body, **as_role("editor"))

    assert problem_fields(response) == {field}
    assert not models.EventRelation.objects.exists()


def test_relation_delete(client, as_role, openapi) -> None:
    csto, protests = factories.EventFactory(slug="csto"), factories.EventFactory(slug="protests")
    models.EventRelation.objects.create(source=csto, target=protests, kind="response_to")
    url = "/api/v1/events/csto/relations/response_to/protests/"

    reader = client.delete(url, **as_role("reader"))
    deleted = client.delete(url, **as_role("editor"))
    again = client.delete(url, **as_role("editor"))
    bad_kind = client.delete("/api/v1/events/csto/relations/hates/protests/", **as_role("editor"))

    assert reader.status_code == 403
    assert deleted.status_code == 204
    check_schema(openapi, "/api/v1/events/{slug}/relations/{kind}/{other}/", "delete", deleted)
    assert again.status_code == 404
    assert problem_fields(bad_kind) == {"kind"}
    assert not models.EventRelation.objects.exists()


def test_participants_add_idempotently_and_remove(client, as_role, openapi) -> None:
    factories.EventFactory(slug="csto")
    tokayev = factories.EntityFactory(slug="tokayev", name="Kassym-Jomart Tokayev")
    url = "/api/v1/events/csto/participants/"

    first = send(client, "post", url, {"entity": "tokayev", "role": "actor"}, **as_role("editor"))
    again = send(
        client, "post", url, {"entity": str(tokayev.pk), "role": "actor"}, **as_role("editor")
    )
    unknown = send(client, "post", url, {"entity": "nobody", "role": "actor"}, **as_role("editor"))
    bad_role = send(client, "post", url, {"entity": "tokayev", "role": "hero"}, **as_role("editor"))

    assert (first.status_code, again.status_code) == (201, 200)
    assert first.json()["entity"]["id"] == tokayev.pk
    check_schema(openapi, "/api/v1/events/{slug}/participants/", "post", first)
    assert problem_fields(unknown) == {"entity"}
    assert problem_fields(bad_role) == {"role"}
    removed = client.delete(f"{url}tokayev/actor/", **as_role("editor"))
    assert removed.status_code == 204
    assert not models.Participant.objects.exists()


def test_translations_put_and_delete(client, as_role, openapi) -> None:
    factories.EventFactory(slug="protests", title="Protests")
    url = "/api/v1/events/protests/translations/bg/"

    created = send(client, "put", url, {"title": "Протести"}, **as_role("editor"))
    replaced = send(
        client, "put", url, {"title": "Протестите", "summary": "Кратко"}, **as_role("editor")
    )
    english = send(
        client,
        "put",
        "/api/v1/events/protests/translations/en/",
        {"title": "x"},
        **as_role("editor"),
    )
    bad = send(
        client,
        "put",
        "/api/v1/events/protests/translations/bulgarian/",
        {"title": "x"},
        **as_role("editor"),
    )
    shown = client.get("/api/v1/events/protests/?lang=bg").json()

    assert (created.status_code, replaced.status_code) == (201, 200)
    check_schema(openapi, "/api/v1/events/{slug}/translations/{language}/", "put", replaced)
    assert problem_fields(english) == problem_fields(bad) == {"language"}
    assert (shown["title"], shown["summary"]) == ("Протестите", "Кратко")
    assert client.delete(url, **as_role("editor")).status_code == 204
    assert client.delete(url, **as_role("editor")).status_code == 404


def test_write_on_a_missing_event_is_404(client, as_role) -> None:
    response = send(client, "post", "/api/v1/events/none/relations/",
                    {"kind": "related", "event": "x"}, **as_role("editor"))  # fmt: skip

    assert response.status_code == 404
    assert response["Content-Type"] == PROBLEM


def test_merge_moves_everything_and_the_loser_redirects(client, as_role, openapi) -> None:
    winner = factories.EventFactory(slug="csto-deployment")
    loser = factories.EventFactory(slug="csto-troops", status="concluded")
    other = factories.EventFactory(slug="protests")
    article = factories.ArticleFactory()
    both = factories.ArticleFactory()
    models.ArticleEvent.objects.create(article=article, event=loser, score=0.4)
    models.ArticleEvent.objects.create(article=both, event=winner, score=0.2)
    models.ArticleEvent.objects.create(
        article=both, event=loser, score=0.9, state="confirmed", decided_at="2022-01-07T00:00Z"
    )
    models.EventRelation.objects.create(source=loser, target=other, kind="response_to")
    models.EventRelation.objects.create(source=winner, target=other, kind="response_to")
    models.EventRelation.objects.create(source=loser, target=winner, kind="related")
    tokayev = factories.EntityFactory()
    models.Participant.objects.create(event=loser, entity=tokayev, role="actor")
    models.Participant.objects.create(event=winner, entity=tokayev, role="actor")
    update = factories.UpdateFactory(event=loser)

    response = send(client, "post", "/api/v1/events/csto-troops/merge/",
                    {"into": "csto-deployment"}, **as_role("editor"))  # fmt: skip

    assert response.status_code == 200, response.content
    assert response.json()["slug"] == "csto-deployment"
    check_schema(openapi, "/api/v1/events/{slug}/merge/", "post", response)
    loser.refresh_from_db()
    assert (loser.merged_into_id, loser.status) == (winner.pk, "concluded")
    links = {(link.article_id, link.state) for link in winner.article_links.all()}
    assert links == {(article.pk, "suggested"), (both.pk, "confirmed")}
    assert not loser.article_links.exists()
    assert list(winner.relations_out.values_list("target__slug", "kind")) == [
        ("protests", "response_to")
    ]
    assert not models.EventRelation.objects.filter(kind="related").exists()
    assert winner.participations.count() == 1
    assert models.Update.objects.get(pk=update.pk).event_id == winner.pk
    redirect = client.get("/api/v1/events/csto-troops/?lang=bg")
    assert redirect.status_code == 301
    assert redirect["Location"] == "/api/v1/events/csto-deployment/?lang=bg"
    listed = [e["slug"] for e in client.get("/api/v1/events/").json()["results"]]
    assert "csto-troops" not in listed
    assert models.Change.objects.filter(kind="event", object_id=loser.pk, action="merged").exists()


@pytest.mark.parametrize(("into", "field"), [("csto", "into"), ("nowhere", "into"), ("", "into")])
def test_bad_merges_are_400_and_change_nothing(client, as_role, into, field) -> None:
    factories.EventFactory(slug="csto")

    response = send(
        client, "post", "/api/v1/events/csto/merge/", {"into": into}, **as_role("editor")
    )

    assert problem_fields(response) == {field}
    assert models.Event.objects.get().merged_into_id is None


def test_merging_twice_is_refused(client, as_role) -> None:
    for slug in ("a", "b", "c"):
        factories.EventFactory(slug=slug)
    send(client, "post", "/api/v1/events/a/merge/", {"into": "b"}, **as_role("editor"))

    again = send(client, "post", "/api/v1/events/a/merge/", {"into": "c"}, **as_role("editor"))
    into_merged = send(
        client, "post", "/api/v1/events/c/merge/", {"into": "a"}, **as_role("editor")
    )
    reader = send(client, "post", "/api/v1/events/c/merge/", {"into": "b"}, **as_role("reader"))

    assert problem_fields(again) == problem_fields(into_merged) == {"into"}
    assert reader.status_code == 403
    assert models.Event.objects.get(slug="a").merged_into.slug == "b"
