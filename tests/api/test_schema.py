"""The OpenAPI schema: generated without warnings, and real responses validate against it."""

from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from jsonschema import Draft202012Validator

from events import models
from tests import factories
from tests.api.conftest import cited_update

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


def _json_schema(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable`` as JSON Schema 2020-12 (``type: [T, "null"]``)."""
    if isinstance(node, list):
        return [_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: _json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def openapi(client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return _json_schema(response.json())


def _validate(openapi: dict[str, Any], path: str, response, media: str) -> None:
    assert response["Content-Type"] == media
    operation = openapi["paths"][path]["get"]
    schema = operation["responses"][str(response.status_code)]["content"][media]["schema"]
    validator = Draft202012Validator({**schema, "components": openapi["components"]})
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == []


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
        _validate(openapi, path, client.get(url, **as_role("reader")), media)
