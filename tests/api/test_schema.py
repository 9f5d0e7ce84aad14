"""The OpenAPI schema: generated without warnings, and real responses validate against it."""

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from events import models
from tests import factories
from tests.api.conftest import cited_update, validate_get

pytestmark = pytest.mark.django_db


def test_schema_generates_without_warnings_or_errors(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )

    paths = yaml.safe_load(target.read_text())["paths"]
    assert {"/api/v1/events/", "/api/v1/events/{slug}/timeline/", "/api/v1/articles/{id}/"} <= set(
        paths
    )


def test_schema_and_docs_are_served(client) -> None:
    schema = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    docs = client.get("/api/v1/docs/")

    assert schema.status_code == 200
    assert "tokenAuth" in schema.json()["components"]["securitySchemes"]
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn." not in html


def test_responses_validate_against_the_schema(client, openapi, as_role) -> None:
    event = factories.EventFactory(slug="csto", latitude=43.2, longitude=76.9)
    models.EventRelation.objects.create(
        source=event, target=factories.EventFactory(slug="protests"), kind="response_to"
    )
    models.Participant.objects.create(event=event, entity=factories.EntityFactory(), role="actor")
    update = cited_update(event)
    article = update.citations.get().article
    models.ArticleEvent.objects.create(article=article, event=event, score=0.5)
    models.Mention.objects.create(
        article=article, entity=factories.EntityFactory(), first_start=0, first_end=2
    )
    json = "application/json"
    checks = [
        ("/api/v1/events/", "/api/v1/events/", json),
        ("/api/v1/events/{slug}/", "/api/v1/events/csto/", json),
        ("/api/v1/events/{slug}/timeline/", "/api/v1/events/csto/timeline/", json),
        ("/api/v1/articles/", "/api/v1/articles/", json),
        ("/api/v1/articles/{id}/", f"/api/v1/articles/{article.pk}/", json),
        ("/api/v1/entities/", "/api/v1/entities/", json),
        ("/api/v1/outlets/", "/api/v1/outlets/", json),
        ("/api/v1/events/", "/api/v1/events/?kind=war", "application/problem+json"),
        ("/api/v1/events/{slug}/", "/api/v1/events/none/", "application/problem+json"),
    ]

    for path, url, media in checks:
        validate_get(openapi, path, client.get(url, **as_role("reader")), media)
