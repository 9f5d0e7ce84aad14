"""The anonymous micro-cache (events/api/microcache.py): a hit is the miss it copies, nobody
with credentials reads or fills it, a change shows after at most the TTL, the rate limit and
conditional requests work on hits, errors are never kept, and variants stay apart.

tests/settings.py switches the cache off (0 s) for every other test; these switch it on: 30 s,
so that a hit never depends on how fast a loaded machine runs the test, and 1 s where a test
waits for entries to expire. A hit is recognised by the statements it runs: none."""

import time
import uuid

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from events import microcache as shared
from events import models
from events.api import microcache, throttling
from events.services.tokens import token_create
from events.services.users import editor_ensure
from tests import factories
from tests.api.conftest import PROBLEM, auth, cited_update
from tests.microcache import (
    clear_entries,
    csto_event,
    entry_keys,
    get_counted,
    headers_but,
    switched_on,
)

# The timeline's validators and the change feed read only committed change-log rows.
pytestmark = pytest.mark.django_db(transaction=True)

TTL = 30
SHORT_TTL = 1  # for the tests that wait out the bound
# Headers a hit adds (Age) or that differ by nature between two responses.
_OWN = {"age"}


def _entry_keys() -> list[bytes]:
    return entry_keys("api-anon:*")


def _entries() -> int:
    return len(_entry_keys())


def _clear_entries() -> None:
    clear_entries("api-anon:*", microcache.LOCAL)


micro = switched_on("API_ANON_CACHE_SECONDS", "api-anon:*", microcache.LOCAL, TTL)


@pytest.fixture
def event() -> models.Event:
    return csto_event()


_get = get_counted


def _headers(response) -> dict[str, str]:
    return headers_but(response, _OWN)


def _ip() -> str:
    return f"10.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}.{uuid.uuid4().int % 250}"


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/events/csto-deployment/timeline/",
        "/api/v1/events/csto-deployment/",
        "/api/v1/events/?lang=bg",
        "/api/v1/articles/",
        "/api/v1/changes/",
        "/api/v1/events/csto-deployment/export/atom/",
    ],
)
def test_a_hit_is_the_response_it_copies(client, micro, event, url) -> None:
    miss, built = _get(client, url)
    hit, statements = _get(client, url)

    assert miss.status_code == hit.status_code == 200
    assert built > 0 and statements == 0
    assert hit.content == miss.content
    assert _headers(hit) == _headers(miss)
    assert miss["Cache-Control"] == f"public, max-age={TTL}"
    assert 0 <= int(hit["Age"]) <= TTL
    assert {"Authorization", "Cookie"} <= {v.strip() for v in hit["Vary"].split(",")}


def test_head_is_answered_from_the_cache_too(client, micro, event) -> None:
    url = "/api/v1/articles/"
    get, _ = _get(client, url)
    with CaptureQueriesContext(connection) as queries:
        head = client.head(url)

    assert head.status_code == 200 and head.content == b"" and len(queries) == 0
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))


def _drafted(event: models.Event) -> models.Update:
    return cited_update(event, status="draft", headline="Unconfirmed: troops at the airport")


def test_a_token_request_neither_reads_nor_fills_the_cache(client, micro, event, editor_key):
    _drafted(event)
    url = f"/api/v1/events/{event.slug}/timeline/?include_drafts=true"

    editor, _ = _get(client, url, **auth(editor_key))
    anonymous, built = _get(client, url)
    editor_again, editor_statements = _get(client, url, **auth(editor_key))

    assert b"Unconfirmed" in editor.content and b"Unconfirmed" in editor_again.content
    # The anonymous request was built (the editor's body was not kept) and shows no draft.
    assert built > 0 and b"Unconfirmed" not in anonymous.content
    # The editor's second request was built too, not served the anonymous body now kept.
    assert editor_statements > 0
    assert editor["Cache-Control"] == editor_again["Cache-Control"] == "private, no-cache"


def test_a_session_request_neither_reads_nor_fills_the_cache(client, micro, event) -> None:
    _drafted(event)
    url = f"/api/v1/events/{event.slug}/timeline/?include_drafts=true"
    signed_in = client.__class__()
    signed_in.force_login(editor_ensure(username="desk", password="correct horse battery"))

    first, _ = _get(signed_in, url)
    public, built = _get(client, url)
    second, statements = _get(signed_in, url)

    assert b"Unconfirmed" in first.content and b"Unconfirmed" in second.content
    assert built > 0 and b"Unconfirmed" not in public.content
    assert statements > 0
    assert second["Cache-Control"] == "private, no-cache"


def test_a_change_shows_to_anonymous_clients_within_the_ttl(client, micro, event) -> None:
    micro.API_ANON_CACHE_SECONDS = SHORT_TTL
    url = f"/api/v1/events/{event.slug}/timeline/"
    before, _ = _get(client, url)
    cited_update(event, headline="CSTO troops land in Almaty")
    soon, _ = _get(client, url)
    time.sleep(SHORT_TTL + 0.05)  # the bound itself, not a measurement
    after, _ = _get(client, url)

    assert b"CSTO troops land" not in before.content
    assert soon.content in (before.content, after.content)  # stale at most until the TTL
    assert b"CSTO troops land" in after.content


def test_the_rate_limit_applies_to_hits(client, micro, event, settings) -> None:
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "100/min", "anonymous": "2/min"},
    }
    ip, url = _ip(), "/api/v1/articles/"
    miss, _ = _get(client, url, REMOTE_ADDR=ip)
    hit, statements = _get(client, url, REMOTE_ADDR=ip)  # a miss is counted once, not twice
    limited, _ = _get(client, url, REMOTE_ADDR=ip)
    other, _ = _get(client, url, REMOTE_ADDR=_ip())

    assert (miss.status_code, hit.status_code, statements) == (200, 200, 0)
    assert limited.status_code == 429
    assert limited["Content-Type"] == PROBLEM
    assert limited.json()["type"] == "https://tracker.invalid/problems/throttled"
    assert 1 <= int(limited["Retry-After"]) <= 60
    assert limited["Cache-Control"] == "no-store"
    # The 429 was one client's: another client is served (from the cache) as before.
    assert other.status_code == 200 and other.content == miss.content


def test_a_hit_answers_if_none_match_and_if_modified_since_as_a_miss(client, micro, event):
    url = f"/api/v1/events/{event.slug}/timeline/"
    etag = client.get(url)["ETag"]
    _clear_entries()
    built_304, built = _get(client, url, HTTP_IF_NONE_MATCH=etag)  # nothing kept: a 304
    full, _ = _get(client, url)  # kept
    hit_304, statements = _get(client, url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')
    since, _ = _get(client, url, HTTP_IF_MODIFIED_SINCE=full["Last-Modified"])
    stale, _ = _get(client, url, HTTP_IF_NONE_MATCH='"stale"')

    assert (built_304.status_code, hit_304.status_code, since.status_code) == (304, 304, 304)
    assert built > 0 and statements == 0
    assert hit_304.content == b"" and _headers(hit_304) == _headers(built_304)
    assert stale.status_code == 200 and stale.content == full.content


def test_an_export_trusts_only_its_etag_on_hits_too(client, micro, event) -> None:
    url = f"/api/v1/events/{event.slug}/export/ics/"
    full = client.get(url)
    since, statements = _get(client, url, HTTP_IF_MODIFIED_SINCE=full["Last-Modified"])
    matching, _ = _get(client, url, HTTP_IF_NONE_MATCH=full["ETag"])

    assert statements == 0 and since.status_code == 200  # as the view answers it
    assert matching.status_code == 304


@pytest.mark.parametrize(
    ("url", "status"),
    [
        ("/api/v1/articles/?published_after=yesterday", 400),
        ("/api/v1/events/not-yet/timeline/", 404),
        ("/api/v1/nothing-here/", 404),
    ],
)
def test_errors_are_not_kept(client, micro, url, status) -> None:
    first = client.get(url)
    again = client.get(url)

    assert first.status_code == again.status_code == status
    assert again["Content-Type"] == PROBLEM and again["Cache-Control"] == "no-store"
    assert "Age" not in again  # every hit has one
    assert _entries() == 0


def test_a_missing_event_is_served_as_soon_as_it_exists(client, micro) -> None:
    url = "/api/v1/events/not-yet/timeline/"
    assert client.get(url).status_code == 404
    factories.EventFactory(slug="not-yet")
    assert client.get(url).status_code == 200


def test_variants_are_kept_apart(client, micro, event) -> None:
    models.EventTranslation.objects.create(event=event, language="bg", title="Мисия на ОДКС")
    url = "/api/v1/events/"

    english, _ = _get(client, url)
    bulgarian, built_bg = _get(client, url, HTTP_ACCEPT_LANGUAGE="bg")
    by_query, built_query = _get(client, url + "?lang=bg")
    indented, built_indent = _get(client, url, HTTP_ACCEPT="application/json; indent=2")
    client.cookies["tz"] = "Asia/Almaty"
    almaty, built_tz = _get(client, url)

    assert english.json()["results"][0]["title"] == "CSTO deployment"
    assert bulgarian.json()["results"][0]["title"] == "Мисия на ОДКС"
    assert by_query.json()["results"][0]["title"] == "Мисия на ОДКС"
    assert indented.content != english.content and indented.json() == english.json()
    assert english.json()["results"][0]["updated_at"].endswith("Z")
    assert almaty.json()["results"][0]["updated_at"][-6:] in ("+05:00", "+06:00")
    assert min(built_bg, built_query, built_indent, built_tz) > 0  # each built, not a hit


def test_writes_and_the_docs_are_never_kept(client, micro) -> None:
    write = client.post("/api/v1/events/", {}, content_type="application/json")
    schema = client.get("/api/v1/schema/")
    schema_again = client.get("/api/v1/schema/")

    assert write.status_code == 401 and write["Cache-Control"] == "no-store"
    assert schema.status_code == 200 and "Age" not in schema_again
    assert "public" not in schema_again.get("Cache-Control", "")
    assert _entries() == 0


def test_the_change_feed_stays_exact_through_stale_pages(client, micro, event) -> None:
    """A mirror following ``next`` through pages up to a TTL old still gets every public
    change once, in order: a stale page's cursor is its own last row."""
    micro.API_ANON_CACHE_SECONDS = SHORT_TTL
    seen: list[str] = []
    url, stale = "/api/v1/changes/?limit=2", 0
    for round_ in range(4):
        cited_update(event, headline=f"Line {round_}")
        for _ in range(6):  # more polls than pages: a page asked again is a (stale) hit
            response = client.get(url)
            page, stale = response.json(), stale + ("Age" in response)
            seen += [f"{item['kind']}:{item['id']}:{item['action']}" for item in page["results"]]
            url = page["next"]
        time.sleep(SHORT_TTL * 0.6)  # some entries expire between rounds, some do not
    time.sleep(SHORT_TTL + 0.05)
    while True:
        page = client.get(url).json()
        seen += [f"{item['kind']}:{item['id']}:{item['action']}" for item in page["results"]]
        url = page["next"]
        if not page["results"]:
            break

    micro.API_ANON_CACHE_SECONDS = 0
    everything = client.get("/api/v1/changes/?limit=500").json()["results"]
    assert seen == [f"{item['kind']}:{item['id']}:{item['action']}" for item in everything]
    assert len(seen) == len(set(seen))
    assert stale > 0  # the feed was followed through cached pages


def test_rate_check_is_a_sliding_window() -> None:
    key = f"test-window-{uuid.uuid4().hex}"
    checks = [
        throttling.rate_check(key=key, limit=2, window=60, now=now)
        for now in (1000.0, 1001.0, 1002.0, 1060.5, 1060.6)
    ]

    # Refused requests are not counted: at 1060.5 the window holds 1001 only.
    assert [c.allowed for c in checks] == [True, True, False, True, False]
    assert checks[2].wait == pytest.approx(58.0)  # until 1000 leaves the window
    assert checks[4].wait == pytest.approx(0.4)  # until 1001 leaves it
    cache.delete(key)


def test_rate_check_reads_a_value_in_the_same_round_trip() -> None:
    key, value_key = f"test-rate-{uuid.uuid4().hex}", f"test-value-{uuid.uuid4().hex}"
    throttling.redis_client().set(throttling.redis_key(value_key), b"body")

    found = throttling.rate_check(key=key, limit=5, window=60, fetch=value_key)
    missing = throttling.rate_check(key=key, limit=5, window=60, fetch=value_key + "-gone")

    assert (found.allowed, found.value) == (True, b"body")
    assert (missing.allowed, missing.value) == (True, None)
    throttling.redis_client().delete(throttling.redis_key(value_key), throttling.redis_key(key))


def test_reader_key_gets_text_never_served_to_anonymous(client, micro, event) -> None:
    article = factories.ArticleFactory(text="The full text, for readers only.")
    _, key = token_create(user=factories.UserFactory(username="reader-mc"), role="reader")
    url = f"/api/v1/articles/{article.pk}/"

    reader = client.get(url, **auth(key))
    anonymous = client.get(url)

    assert reader.json()["text"] == "The full text, for readers only."
    assert "text" not in anonymous.json() or not anonymous.json()["text"]
    assert microcache.is_anonymous(anonymous.wsgi_request)
    assert not microcache.is_anonymous(reader.wsgi_request)


def test_zero_seconds_switches_it_off(client, micro, event) -> None:
    micro.API_ANON_CACHE_SECONDS = 0
    url = f"/api/v1/events/{event.slug}/"
    first, _ = _get(client, url)
    again, statements = _get(client, url)

    assert first.status_code == again.status_code == 200
    assert statements > 0 and "Age" not in again and _entries() == 0
    assert again["Cache-Control"] == "no-cache"  # revalidate: the ETag makes that cheap


# The stampede guard (events.microcache) -------------------------------------------------------


def _building(url: str) -> str:
    """The lock another request building ``url`` (for a client with no credentials) holds."""
    request = RequestFactory().get(url)
    return throttling.redis_key(shared.building_key(microcache.entry_key(request)))


def test_a_miss_builds_under_a_lock_it_releases(client, micro, event) -> None:
    url = "/api/v1/events/csto-deployment/timeline/"
    response, built = _get(client, url)

    assert response.status_code == 200 and built > 0 and _entries() == 1
    assert throttling.redis_client().exists(_building(url)) == 0


def test_a_request_missing_while_another_builds_waits_for_its_copy(
    client, micro, event, monkeypatch
) -> None:
    url = "/api/v1/events/csto-deployment/timeline/"
    first, _ = _get(client, url)
    [key] = _entry_keys()
    kept = throttling.redis_client().get(key)
    _clear_entries()
    throttling.redis_client().set(_building(url), b"1", px=60_000)  # someone is building it
    looks: list[int] = []

    def the_other_build_finishes() -> None:  # it stores its response while this one waits
        looks.append(1)
        throttling.redis_client().set(key, kept, px=60_000)
        throttling.redis_client().delete(_building(url))

    monkeypatch.setattr(shared, "pause", the_other_build_finishes)
    response, statements = _get(client, url)

    assert response.status_code == 200 and statements == 0 and "Age" in response
    assert looks == [1] and response.content == first.content


def test_a_build_that_keeps_nothing_lets_the_waiting_request_build(
    client, micro, monkeypatch
) -> None:
    url = "/api/v1/events/no-such-event/"
    throttling.redis_client().set(_building(url), b"1", px=60_000)

    def the_other_build_ends_without_an_entry() -> None:  # its 404 is not kept
        throttling.redis_client().delete(_building(url))

    monkeypatch.setattr(shared, "pause", the_other_build_ends_without_an_entry)
    response, built = _get(client, url)

    assert response.status_code == 404 and built > 0 and _entries() == 0
