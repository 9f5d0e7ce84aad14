"""Updates over the API: list and detail per role (drafts only for editors), creation with
citations, the draft → in_review → published → retracted workflow, corrections."""

import pytest

from events import models
from tests import factories
from tests.api.conftest import check_schema, cited_update, problem_fields, send

pytestmark = pytest.mark.django_db


@pytest.fixture
def event() -> models.Event:
    return factories.EventFactory(slug="csto")


@pytest.fixture
def article() -> models.Article:
    return factories.ArticleFactory(text="Токаев поиска съдействие от ОДКС.")


def _new_update(article: models.Article, **extra) -> dict:
    return {
        "occurred_at": "2022-01-05T20:00:00Z",
        "headline": "Tokayev asks the CSTO for help",
        "citations": [
            {
                "article": article.pk,
                "outlet": article.outlet_id,
                "quote": "Токаев поиска съдействие",
                "quote_language": "bg",
                "translation": "Tokayev asked for assistance",
                "translation_language": "en",
            }
        ],
        **extra,
    }


@pytest.mark.parametrize("role", ["anonymous", "reader", "editor"])
def test_drafts_are_listed_for_editors_only(client, as_role, event, role) -> None:
    published = cited_update(event, headline="Published")
    draft = cited_update(event, status="draft", headline="Draft")

    listed = client.get("/api/v1/updates/", **as_role(role)).json()["results"]
    draft_detail = client.get(f"/api/v1/updates/{draft.pk}/", **as_role(role))
    drafts = client.get("/api/v1/updates/?status=draft", **as_role(role)).json()["results"]

    ids = {item["id"] for item in listed}
    if role == "editor":
        assert ids == {published.pk, draft.pk}
        assert draft_detail.status_code == 200
        assert [d["id"] for d in drafts] == [draft.pk]
    else:
        assert ids == {published.pk}
        assert draft_detail.status_code == 404
        assert drafts == []


def test_update_list_filters_and_bad_status(client, event) -> None:
    cited_update(event)
    cited_update(factories.EventFactory(slug="other"))

    by_event = client.get("/api/v1/updates/?event=csto").json()["results"]
    bad = client.get("/api/v1/updates/?status=gone")

    assert [u["event"] for u in by_event] == ["csto"]
    assert problem_fields(bad) == {"status"}


def test_editor_creates_a_draft_with_citations(client, as_role, openapi, event, article) -> None:
    response = send(
        client, "post", "/api/v1/events/csto/updates/", _new_update(article), **as_role("editor")
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["event"], body["version"]) == ("draft", "csto", 1)
    citation = body["citations"][0]
    assert citation["translation"] == "Tokayev asked for assistance"
    assert citation["span"] == {"start": 0, "end": len("Токаев поиска съдействие")}
    assert response["Location"] == f"/api/v1/updates/{body['id']}/"
    check_schema(openapi, "/api/v1/events/{slug}/updates/", "post", response)
    update = models.Update.objects.get()
    assert update.author.username == "api-editor"
    assert models.Change.objects.filter(kind="update", object_id=update.pk).exists()


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("reader", 403)])
def test_only_editors_create_updates(client, as_role, event, article, role, status) -> None:
    response = send(
        client, "post", "/api/v1/events/csto/updates/", _new_update(article), **as_role(role)
    )

    assert response.status_code == status
    assert not models.Update.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"headline": ""}, "headline"),
        ({"occurred_at": "yesterday"}, "occurred_at"),
        ({"language": "english"}, "language"),
        ({"citations": [{"quote": "words"}]}, "citations.0.article"),
        ({"citations": [{"article": 999999}]}, "citations.0.article"),
        ({"citations": [{"outlet": None, "article": None}]}, "citations.0.article"),
        ({"citations": [{"article": "ARTICLE", "translation": "x"}]}, "citations.0.translation"),
        ({"citations": "none"}, "citations"),
    ],
)
def test_bad_update_bodies_name_the_field_and_write_nothing(
    client, as_role, event, article, change, field
) -> None:
    for citation in (
        change.get("citations", []) if isinstance(change.get("citations"), list) else []
    ):
        if citation.get("article") == "ARTICLE":
            citation["article"] = article.pk
    response = send(
        client,
        "post",
        "/api/v1/events/csto/updates/",
        _new_update(article, **change),
        **as_role("editor"),
    )

    assert field in problem_fields(response)
    assert not models.Update.objects.exists()
    assert not models.Citation.objects.exists()


def test_a_quote_not_in_the_article_at_the_span_writes_nothing(
    client, as_role, event, article
) -> None:
    body = _new_update(article)
    body["citations"][0].update(span_start=3, span_end=10)

    response = send(client, "post", "/api/v1/events/csto/updates/", body, **as_role("editor"))

    assert problem_fields(response) == {"span_start"}
    assert not models.Update.objects.exists()


def test_workflow_submit_publish_retract(client, as_role, openapi, event) -> None:
    update = cited_update(event, status="draft")
    base = f"/api/v1/updates/{update.pk}"

    submitted = client.post(f"{base}/submit/", **as_role("editor"))
    again = client.post(f"{base}/submit/", **as_role("editor"))
    published = client.post(f"{base}/publish/", **as_role("editor"))
    no_reason = send(client, "post", f"{base}/retract/", {"reason": "  "}, **as_role("editor"))
    retracted = send(
        client, "post", f"{base}/retract/", {"reason": "Misattributed"}, **as_role("editor")
    )

    assert submitted.json()["status"] == "in_review"
    assert problem_fields(again) == {"status"}
    assert published.json()["status"] == "published"
    check_schema(openapi, "/api/v1/updates/{id}/publish/", "post", published)
    assert problem_fields(no_reason) == {"reason"}
    assert retracted.status_code == 200
    assert (retracted.json()["status"], retracted.json()["retraction_reason"]) == (
        "retracted", "Misattributed",
    )  # fmt: skip
    check_schema(openapi, "/api/v1/updates/{id}/retract/", "post", retracted)
    versions = list(
        models.UpdateVersion.objects.filter(update=update).values_list(
            "changed_by__username", flat=True
        )
    )
    assert versions.count("api-editor") == 3


def test_publishing_without_a_citation_is_a_400_naming_citations(client, as_role, event) -> None:
    draft = factories.UpdateFactory(event=event)

    response = client.post(f"/api/v1/updates/{draft.pk}/publish/", **as_role("editor"))

    assert problem_fields(response) == {"citations"}
    assert "citation" in response.json()["errors"]["citations"][0]
    assert models.Update.objects.get().status == "draft"


def test_readers_cannot_move_updates(client, as_role, event) -> None:
    update = cited_update(event, status="draft")

    for action in ("submit", "publish", "retract"):
        assert (
            client.post(f"/api/v1/updates/{update.pk}/{action}/", **as_role("reader")).status_code
            == 403
        )
        assert client.post(f"/api/v1/updates/{update.pk}/{action}/").status_code == 401
    assert models.Update.objects.get().status == "draft"


def test_correcting_a_published_update_needs_a_note(client, as_role, openapi, event) -> None:
    update = cited_update(event)
    url = f"/api/v1/updates/{update.pk}/"

    silent = send(client, "patch", url, {"headline": "Corrected"}, **as_role("editor"))
    noted = send(
        client,
        "patch",
        url,
        {"headline": "Corrected", "correction_note": "Date fixed"},
        **as_role("editor"),
    )

    assert problem_fields(silent) == {"correction_note"}
    assert noted.status_code == 200
    assert (noted.json()["headline"], noted.json()["correction_note"]) == (
        "Corrected",
        "Date fixed",
    )
    check_schema(openapi, "/api/v1/updates/{id}/", "patch", noted)


def test_a_retracted_update_cannot_be_edited_or_cited(client, as_role, event, article) -> None:
    update = cited_update(event, status="retracted")

    edit = send(
        client,
        "patch",
        f"/api/v1/updates/{update.pk}/",
        {"body": "x", "correction_note": "y"},
        **as_role("editor"),
    )
    cite = send(
        client,
        "post",
        f"/api/v1/updates/{update.pk}/citations/",
        {"article": article.pk},
        **as_role("editor"),
    )

    assert problem_fields(edit) == {"status"}
    assert problem_fields(cite) == {"status"}


def test_citation_add(client, as_role, openapi, event, article) -> None:
    draft = factories.UpdateFactory(event=event)
    speaker = factories.EntityFactory()
    body = {"article": article.pk, "speaker": speaker.pk, "quote": "ОДКС", "quote_language": "bg"}

    response = send(
        client, "post", f"/api/v1/updates/{draft.pk}/citations/", body, **as_role("editor")
    )

    assert response.status_code == 201, response.content
    assert response.json()["citations"][0]["speaker"]["id"] == speaker.pk
    check_schema(openapi, "/api/v1/updates/{id}/citations/", "post", response)


def test_update_list_queries_do_not_grow_with_rows(client, as_role, event) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/updates/", **as_role("editor")).status_code == 200
        return len(queries)

    cited_update(event)
    cited_update(event, status="draft")
    count()  # the first request also records the key's use
    few = count()
    for n in range(10):
        cited_update(event, headline=f"Line {n}")

    assert count() == few
