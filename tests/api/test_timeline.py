"""GET /api/v1/events/{slug}/timeline/: public lines in time order; drafts for editors only."""

import datetime as dt

import pytest

from tests import factories
from tests.api.conftest import OCCURRED, cited_update, query_count

pytestmark = pytest.mark.django_db


@pytest.fixture
def event():
    event = factories.EventFactory(slug="csto-deployment")
    cited_update(event, headline="Published later", occurred_at=OCCURRED + dt.timedelta(days=1))
    cited_update(event, headline="Published earlier")
    cited_update(event, status="retracted", headline="Retracted")
    cited_update(event, status="draft", headline="Draft line")
    return event


def _headlines(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["headline"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("role", "query"),
    [
        ("anonymous", ""),
        ("anonymous", "?include_drafts=true"),
        ("reader", "?include_drafts=true"),
        ("editor", ""),
    ],
)
def test_drafts_never_reach_the_timeline_unless_an_editor_asks(
    client, as_role, event, role: str, query: str
) -> None:
    response = client.get(f"/api/v1/events/csto-deployment/timeline/{query}", **as_role(role))

    assert _headlines(response) == ["Published earlier", "Retracted", "Published later"]


def test_editor_sees_drafts_with_include_drafts(client, as_role, event) -> None:
    response = client.get(
        "/api/v1/events/csto-deployment/timeline/?include_drafts=true", **as_role("editor")
    )

    assert "Draft line" in _headlines(response)


def test_retracted_line_keeps_its_reason(client, event) -> None:
    items = client.get("/api/v1/events/csto-deployment/timeline/").json()["results"]

    retracted = next(item for item in items if item["status"] == "retracted")
    assert retracted["retraction_reason"] == "Misattributed quote"


def test_timeline_citations_name_article_outlet_speaker_and_quote(client) -> None:
    event = factories.EventFactory(slug="csto")
    article = factories.ArticleFactory(
        title="Токаев поиска помощ", text="Президентът Токаев поиска съдействие от ОДКС."
    )
    cited_update(event, article=article)

    citation = client.get("/api/v1/events/csto/timeline/").json()["results"][0]["citations"][0]

    assert citation["article"] == {
        "id": article.pk, "url": article.canonical_url, "title": "Токаев поиска помощ"
    }  # fmt: skip
    assert citation["outlet"] == article.outlet.name
    assert citation["speaker"]["name"] == "Kassym-Jomart Tokayev"
    assert citation["quote"] == "Токаев поиска съдействие"
    assert citation["quote_language"] == "bg"
    assert citation["translation"] == "Tokayev asked for assistance"
    start = article.text.index("Токаев")
    assert citation["span"] == {"start": start, "end": start + len("Токаев поиска съдействие")}


def test_timeline_query_count_does_not_grow_with_lines(client) -> None:
    event = factories.EventFactory(slug="long")
    for _ in range(2):
        cited_update(event)
    url = "/api/v1/events/long/timeline/?page_size=200"
    few = query_count(client, url)
    for _ in range(18):
        cited_update(event)

    assert query_count(client, url) == few
