import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from jsonschema import Draft202012Validator

from events import models
from events.services import timeline
from events.services.tokens import token_create
from tests import factories

OCCURRED = dt.datetime(2022, 1, 5, 10, 0, tzinfo=dt.UTC)
JSON = "application/json"
PROBLEM = "application/problem+json"


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


def json_schema(node: Any) -> Any:
    """OpenAPI 3.0 ``nullable`` as JSON Schema 2020-12 (``type: [T, "null"]``)."""
    if isinstance(node, list):
        return [json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: json_schema(value) for key, value in node.items()}
    if node.pop("nullable", False):
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@pytest.fixture
def openapi(client) -> dict[str, Any]:
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    return json_schema(response.json())


def check_schema(openapi: dict[str, Any], path: str, method: str, response) -> None:
    """The response's body matches what the schema documents for its path, method and code."""
    operation = openapi["paths"][path][method]
    documented = operation["responses"][str(response.status_code)]
    if "content" not in documented:
        assert not response.content
        return
    media = response["Content-Type"]
    schema = documented["content"][media]["schema"]
    validator = Draft202012Validator({**schema, "components": openapi["components"]})
    assert [e.message for e in validator.iter_errors(response.json())] == []


def validate_get(openapi: dict[str, Any], path: str, response, media: str) -> None:
    """A GET's response has ``media`` and matches what the schema documents for it."""
    assert response["Content-Type"] == media
    operation = openapi["paths"][path]["get"]
    schema = operation["responses"][str(response.status_code)]["content"][media]["schema"]
    validator = Draft202012Validator({**schema, "components": openapi["components"]})
    errors = [error.message for error in validator.iter_errors(response.json())]
    assert errors == []


def send(client, method: str, url: str, body: Any = None, **headers: str):
    call = getattr(client, method)
    return (
        call(url, body, content_type=JSON, **headers) if body is not None else call(url, **headers)
    )


def problem_fields(response, status: int = 400) -> set[str]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    return set(response.json().get("errors", {}))


def query_count(client, url: str, **headers: str) -> int:
    """Statements run by a GET of ``url`` (asserted to answer 200)."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, **headers).status_code == 200
    return len(queries)


@pytest.fixture
def reader_key(db) -> str:
    return token_create(user=factories.UserFactory(username="api-reader"), role="reader")[1]


@pytest.fixture
def editor_key(db) -> str:
    return token_create(user=factories.UserFactory(username="api-editor"), role="editor")[1]


@pytest.fixture
def as_role(reader_key: str, editor_key: str) -> Callable[[str], dict[str, str]]:
    """Request headers for ``anonymous``, ``reader`` or ``editor``."""
    keys = {"reader": reader_key, "editor": editor_key}
    return lambda role: auth(keys[role]) if role in keys else {}


def cited_update(
    event: models.Event,
    *,
    status: str = "published",
    headline: str = "Tokayev asks the CSTO for help",
    occurred_at: dt.datetime = OCCURRED,
    article: models.Article | None = None,
) -> models.Update:
    """An update on ``event`` with one citation, moved to ``status`` through the services."""
    article = article or factories.ArticleFactory(text="Токаев поиска съдействие от ОДКС.")
    update = timeline.update_create(
        event=event,
        occurred_at=occurred_at,
        headline=headline,
        by=None,
        citations=[
            timeline.CitationData(
                article_id=article.pk,
                outlet_id=article.outlet_id,
                speaker_id=factories.EntityFactory(name="Kassym-Jomart Tokayev").pk,
                quote="Токаев поиска съдействие",
                quote_language="bg",
                translation="Tokayev asked for assistance",
                translation_language="en",
            )
        ],
    )
    if status in ("published", "retracted"):
        update = timeline.update_publish(update=update, by=None)
    if status == "retracted":
        update = timeline.update_retract(update=update, by=None, reason="Misattributed quote")
    return update
