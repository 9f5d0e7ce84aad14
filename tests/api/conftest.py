import datetime as dt
from collections.abc import Callable

import pytest

from events import models
from events.services import timeline
from events.services.tokens import token_create
from tests import factories

OCCURRED = dt.datetime(2022, 1, 5, 10, 0, tzinfo=dt.UTC)


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Token {key}"}


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
