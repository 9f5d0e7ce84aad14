"""Sessions live in the cache with the database behind it (SESSION_ENGINE = cached_db): a
signed-in request reads no session row, and signing in, out and changing a password still
behave as with database sessions."""

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import KEY_PREFIX
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import EventFactory

PASSWORD = "correct horse battery"
NEW_PASSWORD = "another horse, stapled"

pytestmark = pytest.mark.django_db


def _cached(session_key: str) -> object:
    return caches[settings.SESSION_CACHE_ALIAS].get(KEY_PREFIX + session_key)


def _session_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries if "django_session" in q["sql"]]


def _signed_in(editor) -> Client:
    client = Client()
    response = client.post("/accounts/login/", {"username": "editor", "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_signed_in_page_reads_its_session_from_the_cache_not_the_database(editor):
    client = _signed_in(editor)
    key = client.session.session_key
    assert _cached(key) is not None
    assert Session.objects.filter(session_key=key).exists()
    assert _session_queries(client, "/editor/review/") == []


def test_a_session_missing_from_the_cache_is_read_back_from_the_database(editor):
    client = _signed_in(editor)
    key = client.session.session_key
    caches[settings.SESSION_CACHE_ALIAS].delete(KEY_PREFIX + key)
    assert client.get("/editor/review/").status_code == 200
    assert _cached(key) is not None


def test_logout_removes_the_session_from_the_cache_and_the_database(editor):
    client = _signed_in(editor)
    key = client.session.session_key
    assert client.post("/accounts/logout/").status_code == 302
    assert _cached(key) is None
    assert not Session.objects.filter(session_key=key).exists()
    assert client.get("/editor/review/").status_code == 302


def test_a_password_change_keeps_its_own_session_and_ends_the_others(editor):
    changer, other = _signed_in(editor), _signed_in(editor)
    response = changer.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert changer.get("/editor/review/").status_code == 200
    assert other.get("/editor/review/").status_code == 302


def test_the_api_accepts_a_cached_session(editor):
    client = _signed_in(editor)
    EventFactory(slug="protests", title="Protests")
    assert _session_queries(client, "/api/v1/events/protests/") == []
