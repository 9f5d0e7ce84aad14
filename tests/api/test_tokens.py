"""API keys: hashed, shown once, revocable, expiring; the create_token command."""

import datetime as dt
import hashlib
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from events import models
from events.services.tokens import token_create, token_revoke
from tests import factories
from tests.api.conftest import auth

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


def test_token_is_stored_hashed_and_returned_once() -> None:
    token, key = token_create(user=factories.UserFactory(), role="reader")

    token.refresh_from_db()
    assert key not in {token.key_hash, token.prefix}
    assert token.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key.startswith(token.prefix)


def test_valid_token_authenticates_and_records_use(client) -> None:
    token, key = token_create(user=factories.UserFactory(), role="reader")

    response = client.get("/api/v1/events/", **auth(key))

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("state", ["unknown", "revoked", "expired", "inactive_user", "malformed"])
def test_unusable_token_is_401_problem(client, state: str) -> None:
    token, key = token_create(
        user=factories.UserFactory(),
        role="editor",
        expires_at=timezone.now() - dt.timedelta(seconds=1) if state == "expired" else None,
    )
    header = auth(key)
    if state == "unknown":
        header = auth(key[:8] + "x" * 30)
    elif state == "revoked":
        token_revoke(token=token)
    elif state == "inactive_user":
        models.User.objects.filter(pk=token.user_id).update(is_active=False)
    elif state == "malformed":
        header = {"HTTP_AUTHORIZATION": f"Token {key} extra"}

    response = client.get("/api/v1/events/", **header)

    assert response.status_code == 401
    assert response["Content-Type"] == PROBLEM
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["type"] == "https://tracker.invalid/problems/authentication-failed"


def test_token_that_has_not_expired_yet_works(client) -> None:
    _, key = token_create(
        user=factories.UserFactory(),
        role="reader",
        expires_at=timezone.now() + dt.timedelta(days=1),
    )

    assert client.get("/api/v1/events/", **auth(key)).status_code == 200


def test_revoking_twice_keeps_the_first_date() -> None:
    token, _ = token_create(user=factories.UserFactory(), role="reader")
    first = token_revoke(token=token).revoked_at

    assert token_revoke(token=token).revoked_at == first


def test_create_token_creates_the_user_and_prints_only_a_working_key(client) -> None:
    out = StringIO()

    call_command("create_token", "newsroom-bot", "--role", "editor", stdout=out)

    key = out.getvalue().strip()
    assert "\n" not in key and len(key) >= 40
    token = models.ApiToken.objects.get(user__username="newsroom-bot")
    assert token.role == "editor"
    assert client.get("/api/v1/events/", **auth(key)).status_code == 200


def test_create_token_for_an_existing_user_adds_a_key() -> None:
    user = factories.UserFactory(username="alice")
    token_create(user=user, role="reader")

    call_command("create_token", "alice", "--role", "reader", stdout=StringIO())

    assert user.api_tokens.count() == 2


def test_create_token_refuses_an_unknown_role_in_one_line() -> None:
    with pytest.raises(CommandError) as error:
        call_command("create_token", "alice", "--role", "admin", stdout=StringIO())

    assert "\n" not in str(error.value)
    assert "reader" in str(error.value)
    assert not models.User.objects.filter(username="alice").exists()


def test_admin_revokes_selected_tokens(admin_client) -> None:
    token, key = token_create(user=factories.UserFactory(), role="reader")

    response = admin_client.post(
        "/admin/events/apitoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
        follow=True,
    )

    assert response.status_code == 200
    token.refresh_from_db()
    assert token.revoked_at is not None
    page = admin_client.get(f"/admin/events/apitoken/{token.pk}/change/")
    assert key not in page.content.decode()
