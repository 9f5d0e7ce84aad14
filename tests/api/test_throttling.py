"""429 with Retry-After past the rate, counted per API key and per anonymous IP."""

import uuid

import pytest

from events.services.tokens import token_create
from tests import factories
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db


@pytest.fixture
def low_rates(settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "3/min", "anonymous": "2/min"},
    }


def _ip() -> str:
    """An address no other test (or earlier run on this Redis) has used."""
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


def test_anonymous_client_is_limited_per_ip(client, low_rates) -> None:
    ip, other_ip = _ip(), _ip()
    statuses = [client.get("/api/v1/events/", REMOTE_ADDR=ip).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    limited = client.get("/api/v1/events/", REMOTE_ADDR=ip)
    assert limited["Content-Type"] == "application/problem+json"
    assert limited.json()["type"] == "https://tracker.invalid/problems/throttled"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert client.get("/api/v1/events/", REMOTE_ADDR=other_ip).status_code == 200


def test_token_is_limited_per_key_not_per_ip(client, low_rates) -> None:
    user = factories.UserFactory()
    _, key = token_create(user=user, role="reader")
    _, other_key = token_create(user=user, role="reader")

    statuses = [
        client.get("/api/v1/events/", REMOTE_ADDR=_ip(), **auth(key)).status_code for _ in range(4)
    ]

    assert statuses == [200, 200, 200, 429]
    assert client.get("/api/v1/events/", **auth(other_key)).status_code == 200
