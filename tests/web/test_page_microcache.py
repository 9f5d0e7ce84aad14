"""The reader pages' anonymous micro-cache (events/web/pagecache.py): a hit is the page it
copies but for the visitor's own CSRF token, the language switch posts from a cached page, two
visitors never see each other's token, nobody signed in reads or fills it, variants stay apart,
a change shows after at most the TTL, and only 200s are kept.

Switched on here only (tests/settings.py sets WEB_ANON_CACHE_SECONDS to 0 for the rest), with
the API tests' conventions: a TTL long enough that no hit depends on the machine's speed, a
short one where a test waits out the bound, and a hit told by its statement count (none)."""

import re
import time

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext

from events import microcache, models
from events.api import throttling
from events.services.events import event_merge
from events.web import pagecache
from tests import factories
from tests.api.conftest import cited_update
from tests.microcache import (
    clear_entries,
    csto_event,
    entry_keys,
    get_counted,
    headers_but,
    switched_on,
)

# The timeline's validators read only committed change-log rows.
pytestmark = pytest.mark.django_db(transaction=True)

TTL = 30
SHORT_TTL = 1  # for the test that waits out the bound
TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"')
# Headers a hit adds (Age).
_OWN = {"age"}


def _entry_keys() -> list[bytes]:
    return entry_keys("web-anon:*")


def _clear_entries() -> None:
    clear_entries("web-anon:*", pagecache.LOCAL)


micro = switched_on("WEB_ANON_CACHE_SECONDS", "web-anon:*", pagecache.LOCAL, TTL)


@pytest.fixture
def event() -> models.Event:
    return csto_event()


_get = get_counted


def _tokens(response) -> set[str]:
    return {token.decode() for token in TOKEN.findall(response.content)}


def _without_tokens(response) -> bytes:
    return TOKEN.sub(b'name="csrfmiddlewaretoken" value=""', response.content)


def _headers(response) -> dict[str, str]:
    return headers_but(response, _OWN)


def _pages(event: models.Event) -> list[str]:
    article = models.Article.objects.first()
    entity = models.Entity.objects.first()
    assert article is not None and entity is not None
    return [
        "/",
        f"/events/{event.slug}/",
        f"/events/{event.slug}/timeline/",
        f"/events/{event.slug}/articles/",
        f"/articles/{article.pk}/",
        f"/entities/{entity.pk}/",
        "/search/?q=CSTO",
    ]


def test_a_hit_is_the_page_it_copies_with_the_visitors_own_token(micro, event) -> None:
    for url in _pages(event):
        miss, built = _get(Client(), url)
        hit, statements = _get(Client(), url)

        assert miss.status_code == hit.status_code == 200, url
        assert built > 0 and statements == 0, url
        assert _without_tokens(hit) == _without_tokens(miss), url
        # Each got one token of its own in every form, and the cookie it goes with.
        assert len(_tokens(miss)) == len(_tokens(hit)) == 1, url
        assert _tokens(miss) != _tokens(hit), url
        assert miss.cookies[settings.CSRF_COOKIE_NAME].value
        assert hit.cookies[settings.CSRF_COOKIE_NAME].value
        assert _headers(hit) == _headers(miss), url
        assert hit["Content-Length"] == str(len(hit.content)), url
        assert "Age" in hit and "Age" not in miss
        assert miss["Cache-Control"] == "private, no-cache"
        assert {"Cookie", "Accept-Language", "HX-Request"} <= {
            v.strip() for v in hit["Vary"].split(",")
        }
        # The policy is the one every page has, without a nonce to freeze.
        assert hit["Content-Security-Policy"] == miss["Content-Security-Policy"]
        assert "nonce-" not in hit["Content-Security-Policy"]


def test_the_stored_page_holds_no_visitors_token(micro, event) -> None:
    first = Client().get("/")
    [key] = _entry_keys()
    stored = throttling.redis_client().get(key)

    [token] = _tokens(first)
    assert token.encode() not in stored
    assert first.cookies[settings.CSRF_COOKIE_NAME].value.encode() not in stored
    assert b'name="csrfmiddlewaretoken"' in stored  # the form is there, with the placeholder


def test_the_language_switch_posts_from_a_cached_page_and_tokens_stay_apart(micro, event):
    url = f"/events/{event.slug}/"
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice_page, _ = _get(alice, url)
    bob_page, statements = _get(bob, url)
    [alice_token], [bob_token] = _tokens(alice_page), _tokens(bob_page)

    assert statements == 0  # Bob's page came from the cache
    # Bob's cookie does not go with Alice's token: a form of hers does not post as his.
    crossed = bob.post("/i18n/setlang/", {"language": "bg", "csrfmiddlewaretoken": alice_token})
    assert crossed.status_code == 403
    switched = bob.post(
        "/i18n/setlang/", {"language": "bg", "next": url, "csrfmiddlewaretoken": bob_token}
    )
    assert switched.status_code == 302 and switched["Location"] == url
    assert bob.cookies[settings.LANGUAGE_COOKIE_NAME].value == "bg"
    bulgarian, _ = _get(bob, url)
    assert 'lang="bg"' in bulgarian.content.decode()
    # A returning visitor's token goes with the cookie they already have.
    again, statements = _get(alice, url)
    assert statements == 0
    [token] = _tokens(again)
    ok = alice.post("/i18n/setlang/", {"language": "en", "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


def test_a_signed_in_reader_neither_reads_nor_fills_the_cache(micro, event) -> None:
    article = factories.ArticleFactory(text="The full text, for readers only.")
    url = f"/articles/{article.pk}/"
    reader = Client()
    reader.force_login(factories.UserFactory(username="reader"))

    first, _ = _get(reader, url)
    assert _entry_keys() == []  # nothing kept for a signed-in reader
    anonymous, built = _get(Client(), url)
    second, statements = _get(reader, url)

    assert b"for readers only" in first.content and b"for readers only" in second.content
    assert built > 0 and b"for readers only" not in anonymous.content
    assert statements > 0 and "Age" not in second
    assert second["Cache-Control"] == "private, no-cache"


def test_an_editor_neither_reads_nor_fills_the_cache(micro, event, editor_client) -> None:
    cited_update(event, status="draft", headline="Unconfirmed: troops at the airport")
    url = f"/events/{event.slug}/"

    editor, _ = _get(editor_client, url)
    anonymous, built = _get(Client(), url)
    editor_again, statements = _get(editor_client, url)

    assert b"Unconfirmed" in editor.content and b"Unconfirmed" in editor_again.content
    assert built > 0 and b"Unconfirmed" not in anonymous.content
    assert statements > 0 and "Age" not in editor_again


def test_variants_are_kept_apart(micro, event) -> None:
    models.EventTranslation.objects.create(event=event, language="bg", title="Мисия на ОДКС")
    url = f"/events/{event.slug}/"

    english, _ = _get(Client(), url)
    bulgarian, built_bg = _get(Client(), url, HTTP_ACCEPT_LANGUAGE="bg")
    # Another way of asking for the same language is the same page: one entry.
    bulgarian_too, statements_bg = _get(Client(), url, HTTP_ACCEPT_LANGUAGE="bg-BG,bg;q=0.9")
    by_cookie = Client()
    by_cookie.cookies[settings.LANGUAGE_COOKIE_NAME] = "bg"
    cookie_bg, statements_cookie = _get(by_cookie, url, HTTP_ACCEPT_LANGUAGE="en")
    almaty = Client()
    almaty.cookies["tz"] = "Asia/Almaty"
    in_almaty, built_tz = _get(almaty, url)
    fragment, built_htmx = _get(Client(), url, HTTP_HX_REQUEST="true")

    assert "CSTO deployment" in english.content.decode()
    assert "Мисия на ОДКС" in bulgarian.content.decode()
    assert min(built_bg, built_tz, built_htmx) > 0  # each built, not a hit
    assert statements_bg == statements_cookie == 0
    same = {_without_tokens(page) for page in (bulgarian, bulgarian_too, cookie_bg)}
    assert len(same) == 1
    assert "Asia/Almaty" in in_almaty.content.decode()
    assert "Asia/Almaty" not in english.content.decode()
    assert not fragment.content.lstrip().startswith(b"<!doctype")
    assert english.content.lstrip().startswith(b"<!doctype")


def test_htmx_fragments_are_kept_apart_from_their_pages(micro, event) -> None:
    page, _ = _get(Client(), "/")
    rows, built = _get(Client(), "/", HTTP_HX_REQUEST="true")
    rows_again, statements = _get(Client(), "/", HTTP_HX_REQUEST="true")
    page_again, page_statements = _get(Client(), "/")

    assert built > 0 and statements == page_statements == 0
    assert rows_again.content == rows.content != page.content
    assert b"<html" in page_again.content and b"<html" not in rows_again.content


def test_a_change_shows_to_anonymous_readers_within_the_ttl(micro, event) -> None:
    micro.WEB_ANON_CACHE_SECONDS = SHORT_TTL
    url = f"/events/{event.slug}/"
    before, _ = _get(Client(), url)
    cited_update(event, headline="CSTO troops land in Almaty")
    soon, _ = _get(Client(), url)
    time.sleep(SHORT_TTL + 0.05)  # the bound itself, not a measurement
    after, built = _get(Client(), url)

    assert b"CSTO troops land" not in before.content
    # Stale at most until the TTL.
    assert _without_tokens(soon) in (_without_tokens(before), _without_tokens(after))
    assert built > 0 and b"CSTO troops land" in after.content


def test_head_is_answered_from_the_cache_too(micro, event) -> None:
    get, _ = _get(Client(), "/")
    with CaptureQueriesContext(connection) as queries:
        head = Client().head("/")

    assert head.status_code == 200 and head.content == b"" and len(queries) == 0
    assert head["Content-Length"] == get["Content-Length"] == str(len(get.content))


def test_a_page_first_asked_with_head_is_kept_whole_for_get(micro, event) -> None:
    head = Client().head("/")
    get, statements = _get(Client(), "/")

    assert head.status_code == get.status_code == 200 and head.content == b""
    assert statements == 0 and b"</html>" in get.content
    assert get["Content-Length"] == head["Content-Length"] == str(len(get.content))


def test_conditional_requests_are_answered_as_on_a_miss(micro, event) -> None:
    url = f"/events/{event.slug}/"
    miss, _ = _get(Client(), url, HTTP_IF_NONE_MATCH='"anything"')
    hit, statements = _get(Client(), url, HTTP_IF_NONE_MATCH='"anything"')
    since, since_statements = _get(
        Client(), url, HTTP_IF_MODIFIED_SINCE="Sun, 06 Dec 2099 00:00:00 GMT"
    )
    precondition, built = _get(Client(), url, HTTP_IF_MATCH='"anything"')

    # Pages have no validators: no 304, hit or miss.
    assert "ETag" not in miss and "Last-Modified" not in miss
    assert (miss.status_code, hit.status_code, since.status_code) == (200, 200, 200)
    assert statements == since_statements == 0
    assert _without_tokens(hit) == _without_tokens(miss)
    assert precondition.status_code == 200 and built > 0  # left to the stack


def test_not_found_pages_and_redirects_are_not_kept(micro, event) -> None:
    loser = factories.EventFactory(slug="old-name")
    event_merge(loser=loser, winner=event, by=None)
    missing = Client(enforce_csrf_checks=True)

    not_found, _ = _get(missing, "/events/no-such-event/")
    not_found_again, built = _get(Client(), "/events/no-such-event/")
    moved, _ = _get(Client(), "/events/old-name/")
    moved_again, moved_built = _get(Client(), "/events/old-name/")

    assert not_found.status_code == not_found_again.status_code == 404
    assert moved.status_code == moved_again.status_code == 301
    assert built > 0 and moved_built > 0 and "Age" not in not_found_again
    assert _entry_keys() == []
    # The 404 page's language switch carries the visitor's token too, and posts.
    [token] = _tokens(not_found)
    switched = missing.post("/i18n/setlang/", {"language": "bg", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


def test_pending_messages_bypass_the_cache(micro, event) -> None:
    Client().get("/")  # kept
    with_messages = Client()
    with_messages.cookies["messages"] = "left over"
    response, statements = _get(with_messages, "/")

    assert response.status_code == 200 and statements > 0 and "Age" not in response


def test_other_pages_are_left_alone(micro, event) -> None:
    for url in ("/time-zone/", "/accounts/login/"):
        first, _ = _get(Client(), url)
        again, statements = _get(Client(), url)
        assert first.status_code == again.status_code == 200, url
        assert statements > 0 or "Age" not in again, url
        assert "Age" not in again, url
    assert _entry_keys() == []


def test_an_unknown_parameter_is_a_page_of_its_own(micro, event) -> None:
    plain, _ = _get(Client(), "/")
    busted, built = _get(Client(), "/?bench-request=1")
    plain_again, statements = _get(Client(), "/")

    assert busted.status_code == 200 and built > 0  # built, not the plain page's entry
    assert statements == 0 and _without_tokens(plain_again) == _without_tokens(plain)
    assert b"bench-request=1" in busted.content  # its own links back (next=...)
    assert len(_entry_keys()) == 2


def test_zero_seconds_switches_it_off(micro, event) -> None:
    micro.WEB_ANON_CACHE_SECONDS = 0
    visitor = Client(enforce_csrf_checks=True)
    first, _ = _get(visitor, "/")
    again, statements = _get(visitor, "/")

    assert first.status_code == again.status_code == 200
    assert statements > 0 and "Age" not in again and _entry_keys() == []
    [token] = _tokens(again)
    switched = visitor.post("/i18n/setlang/", {"language": "bg", "csrfmiddlewaretoken": token})
    assert switched.status_code == 302


# The stampede guard ----------------------------------------------------------------------


def _building(url: str) -> str:
    """The lock another request building ``url`` (for a client with no cookies) would hold."""
    request = RequestFactory().get(url)
    return throttling.redis_key(microcache.building_key(pagecache.entry_key(request)))


def test_a_miss_builds_under_a_lock_it_releases(micro, event) -> None:
    response, built = _get(Client(), "/")

    assert response.status_code == 200 and built > 0
    assert throttling.redis_client().exists(_building("/")) == 0
    assert len(_entry_keys()) == 1


def test_a_page_read_from_redis_takes_no_build_lock(micro, event, monkeypatch) -> None:
    Client().get("/")
    pagecache.LOCAL.clear()  # another process: the entry is in Redis only
    taken: list[str] = []
    monkeypatch.setattr(microcache, "claim", lambda key: taken.append(key) or True)
    response, statements = _get(Client(), "/")

    assert response.status_code == 200 and statements == 0 and "Age" in response
    assert throttling.redis_client().exists(_building("/")) == 0 and taken == []


def test_an_unreadable_entry_is_built_again_under_the_lock(micro, event) -> None:
    Client().get("/")
    [key] = _entry_keys()
    throttling.redis_client().set(key, b"not an entry", px=60_000)
    pagecache.LOCAL.clear()
    response, built = _get(Client(), "/")

    assert response.status_code == 200 and built > 0 and "Age" not in response
    assert throttling.redis_client().exists(_building("/")) == 0
    assert microcache.Entry.decode(throttling.redis_client().get(key)) is not None


def test_a_request_missing_while_another_builds_waits_for_its_copy(micro, event, monkeypatch):
    Client().get("/")
    [key] = _entry_keys()
    kept = throttling.redis_client().get(key)
    _clear_entries()
    throttling.redis_client().set(_building("/"), b"1", px=60_000)  # someone is building it
    looks: list[int] = []

    def the_other_build_finishes() -> None:  # it stores its page while this request waits
        looks.append(1)
        throttling.redis_client().set(key, kept, px=60_000)
        throttling.redis_client().delete(_building("/"))

    monkeypatch.setattr(microcache, "pause", the_other_build_finishes)
    response, statements = _get(Client(), "/")

    assert response.status_code == 200 and statements == 0 and "Age" in response
    assert looks == [1] and len(_tokens(response)) == 1


def test_a_build_that_keeps_nothing_lets_the_waiting_request_build(micro, event, monkeypatch):
    throttling.redis_client().set(_building("/"), b"1", px=60_000)

    def the_other_build_ends_without_an_entry() -> None:  # a 404, say
        throttling.redis_client().delete(_building("/"))

    monkeypatch.setattr(microcache, "pause", the_other_build_ends_without_an_entry)
    response, built = _get(Client(), "/")

    assert response.status_code == 200 and built > 0 and "Age" not in response


def test_a_lock_left_behind_holds_a_request_up_for_the_wait_at_most(micro, event, monkeypatch):
    throttling.redis_client().set(_building("/"), b"1", px=60_000)  # a crashed builder's
    monkeypatch.setattr(microcache, "WAIT_SECONDS", 0.05)
    response, built = _get(Client(), "/")

    assert response.status_code == 200 and built > 0
    throttling.redis_client().delete(_building("/"))
