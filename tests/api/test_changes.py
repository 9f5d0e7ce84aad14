"""GET /api/v1/changes/: every change in order, resumable without repeats or gaps (also when
transactions commit out of order), drafts only for editors, bad cursors a 400 naming `since`."""

import base64
import time
from collections.abc import Iterator
from typing import Any

import psycopg2
import pytest
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext

from events import models
from events.selectors.changes import change_horizon, changes_since
from events.services import timeline
from events.services.history import acting_as
from tests import factories
from tests.api.conftest import cited_update, validate_get

# The feed only returns rows of committed transactions, so every test commits for real.
pytestmark = pytest.mark.django_db(transaction=True)

URL = "/api/v1/changes/"


def settle(timeout: float = 120) -> None:
    """Wait until every committed change is below the feed's horizon. The horizon is the whole
    PostgreSQL server's: other tests' open transactions (any database) hold it back while they
    run, so a read right after a commit may legitimately be late; it is never wrong."""
    latest = models.Change.objects.aggregate(latest=Max("txid"))["latest"] or 0
    deadline = time.monotonic() + timeout
    while change_horizon() <= latest:
        assert time.monotonic() < deadline, "a transaction held the change feed back too long"
        time.sleep(0.05)


def _read_all(client, url: str = URL, **headers: Any) -> tuple[list[dict[str, Any]], str]:
    """Every page from ``url`` on, once all committed changes are readable; the results and
    the final ``next``."""
    settle()
    results: list[dict[str, Any]] = []
    while True:
        body = client.get(url, **headers).json()
        results += body["results"]
        url = body["next"]
        if not body["has_more"]:
            return results, url


def _of(results: list[dict[str, Any]], kind: str, object_id: int) -> list[str]:
    return [r["action"] for r in results if r["kind"] == kind and r["id"] == object_id]


def test_lifecycle_appears_in_order_with_urls_and_tombstones(client, as_role) -> None:
    event = factories.EventFactory(slug="kazakhstan-protests")
    loser = factories.EventFactory(slug="almaty-unrest")
    update = cited_update(event, status="draft")
    timeline.update_publish(update=update, by=None)
    timeline.update_retract(update=update, by=None, reason="Misattributed quote")
    models.Event.objects.filter(pk=event.pk).update(title="Kazakhstan unrest")
    models.Event.objects.filter(pk=loser.pk).update(merged_into=event)
    entity = factories.EntityFactory(name="Ned Price")
    models.Entity.objects.filter(pk=entity.pk).delete()

    results, _ = _read_all(client, **as_role("editor"))

    # Created, then its citation added (an edit), published, retracted.
    assert _of(results, "update", update.pk) == ["created", "updated", "published", "retracted"]
    assert _of(results, "event", event.pk) == ["created", "updated"]
    assert _of(results, "event", loser.pk) == ["created", "merged"]
    assert _of(results, "entity", entity.pk) == ["created", "deleted"]
    cursors = [r["cursor"] for r in results]
    assert len(set(cursors)) == len(cursors)
    merged = next(r for r in results if r["action"] == "merged")
    assert merged["data"] == {"merged_into": "kazakhstan-protests"}
    assert merged["key"] == "almaty-unrest"
    assert merged["url"] == "http://testserver/api/v1/events/almaty-unrest/"
    deleted = next(r for r in results if r["action"] == "deleted")
    assert deleted["url"] is None
    published = next(r for r in results if r["action"] == "published")
    assert published["url"] == f"http://testserver/api/v1/updates/{update.pk}/"
    assert published["data"] == {"event": "kazakhstan-protests", "status": "published"}
    # Order is the log's (txid, id) order: the retraction after the publication after creation.
    positions = {r["cursor"]: i for i, r in enumerate(results)}
    created = next(r for r in results if r["kind"] == "event" and r["id"] == event.pk)
    assert positions[created["cursor"]] < positions[merged["cursor"]]


def test_resuming_repeats_nothing_and_misses_nothing(client) -> None:
    events = factories.EventFactory.create_batch(7)
    pages: list[list[dict[str, Any]]] = []
    url = URL + "?limit=3&kinds=event"
    settle()
    while True:
        body = client.get(url).json()
        pages.append(body["results"])
        url = body["next"]
        if not body["has_more"]:
            break
    seen = [r["id"] for page in pages for r in page]

    later = factories.EventFactory.create_batch(2)
    settle()
    resumed = client.get(url).json()
    empty = client.get(resumed["next"]).json()

    assert [len(page) for page in pages] == [3, 3, 1]
    assert seen == [e.pk for e in events]
    assert [r["id"] for r in resumed["results"]] == [e.pk for e in later]
    assert resumed["has_more"] is False
    assert empty["results"] == [] and empty["next"] == resumed["next"]


@pytest.mark.parametrize(
    ("role", "sees_drafts"), [("anonymous", False), ("reader", False), ("editor", True)]
)
def test_drafts_are_visible_to_editors_only(client, as_role, role, sees_drafts) -> None:
    event = factories.EventFactory(slug="nato-russia-council")
    draft = cited_update(event, status="draft", headline="Secret: talks postponed")
    timeline.update_edit(update=draft, by=None, headline="Secret: talks postponed again")
    published = cited_update(event)

    results, _ = _read_all(client, **as_role(role))

    updates = [r for r in results if r["kind"] == "update"]
    assert any(r["id"] == published.pk and r["action"] == "published" for r in updates)
    assert any(r["id"] == draft.pk for r in updates) is sees_drafts
    assert "Secret" not in str(results)
    for row in updates:
        assert set(row["data"]) <= {"event", "status"}
        if not sees_drafts:
            assert row["data"]["status"] in ("published", "retracted")


def test_kinds_filter(client) -> None:
    factories.EventFactory()
    factories.EntityFactory()

    results, _ = _read_all(client, URL + "?kinds=entity")

    assert results and {r["kind"] for r in results} == {"entity"}


def _token(raw: str) -> str:
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("since=not-a-cursor", "since"),
        ("since=" + _token("12.x"), "since"),
        ("since=" + _token("-1.5"), "since"),
        ("since=" + _token("1.2.3"), "since"),
        ("since=" + _token("99999999999999999999.1"), "since"),
        ("since=%E2%9C%93", "since"),
        ("since=" + _token("12.3") + "!", "since"),
        ("since=" + _token("012.3"), "since"),
        ("limit=0", "limit"),
        ("limit=ten", "limit"),
        ("limit=%C2%B2", "limit"),  # "²": str.isdigit() says yes, int() says no
        ("kinds=event,outlet", "kinds"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, query, field) -> None:
    response = client.get(f"{URL}?{query}")

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert list(response.json()["errors"]) == [field]


def test_page_size_is_capped(client) -> None:
    factories.EventFactory()
    settle()
    body = client.get(URL + "?limit=100000").json()
    assert "limit=500" in body["next"]


def test_constant_number_of_queries(client, as_role) -> None:
    def count(n: int) -> int:
        start = client.get(URL, **as_role("editor")).json()["next"]
        factories.EventFactory.create_batch(n)
        settle()
        # The token's last-use time is written at most once a minute: that write happens on
        # this first request, if at all, not on the one counted.
        client.get(start, **as_role("editor"))
        with CaptureQueriesContext(connection) as queries:
            body = client.get(start, **as_role("editor")).json()
        assert len(body["results"]) == n
        return len(queries)

    assert count(2) == count(20)


def test_actor_recorded_but_not_published(client) -> None:
    with acting_as(factories.UserFactory()):
        factories.EventFactory()
    results, _ = _read_all(client)
    assert results and all("actor" not in r for r in results)


# --- transactions committing out of order ------------------------------------------------------


@pytest.fixture
def raw_connections() -> Iterator[list[Any]]:
    """Two real connections to the test database, outside Django, each its own transaction."""
    settings = connection.settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings["USER"] or None,
        "password": settings["PASSWORD"] or None,
        "host": settings["HOST"] or None,
        "port": settings["PORT"] or None,
    }
    opened = [psycopg2.connect(**{k: v for k, v in params.items() if v}) for _ in range(2)]
    yield opened
    for conn in opened:
        conn.rollback()
        conn.close()


def _write(conn: Any, event_id: int, title: str) -> int:
    """Change one event in conn's open transaction; its transaction id."""
    with conn.cursor() as cursor:
        cursor.execute("UPDATE events_event SET title = %s WHERE id = %s", [title, event_id])
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        return cursor.fetchone()[0]


def test_out_of_order_commits_are_neither_missed_nor_repeated(client, raw_connections) -> None:
    first, second = factories.EventFactory(), factories.EventFactory()
    _, cursor_url = _read_all(client)  # the client is up to date
    t1, t2 = raw_connections

    txid1 = _write(t1, first.pk, "Protests over gas prices")  # T1 starts and writes first
    txid2 = _write(t2, second.pk, "Tokayev asks the CSTO for help")
    t2.commit()  # ... but T2 commits first

    # T2's row is committed and visible to any query, yet the feed holds it back: T1 (lower
    # txid, still running) may still commit a row that sorts before it, so the horizon is at
    # most T1's txid (lower if other transactions on the server are older still).
    assert txid1 < txid2
    assert change_horizon() <= txid1
    assert models.Change.objects.filter(txid=txid2).exists()
    assert not models.Change.objects.filter(txid=txid1).exists()
    while_open = client.get(cursor_url).json()
    assert while_open["results"] == []
    assert while_open["next"] == cursor_url

    t1.commit()
    resumed, end = _read_all(client, cursor_url)
    again, _ = _read_all(client, end)

    assert [(r["id"], r["action"]) for r in resumed] == [
        (first.pk, "updated"),
        (second.pk, "updated"),
    ]
    assert again == []


def test_the_feed_query_walks_the_change_order_index() -> None:
    """One index range scan from the cursor, no sort, however long the log (here 200k rows)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO events_change"
            " (txid, kind, object_id, object_key, action, public, at, data)"
            " SELECT 1000 + n / 3, 'article', n, '', 'created', n % 5 <> 0, now(), '{}'"
            " FROM generate_series(1, 200000) AS n"
        )
        cursor.execute("ANALYZE events_change")

    for since, private in (((50000, 0), False), ((1, 0), True), (None, False)):
        with CaptureQueriesContext(connection) as queries:
            changes_since(cursor=since, limit=100, include_private=private)
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN " + queries.captured_queries[-1]["sql"])
            plan = "\n".join(row[0] for row in cursor.fetchall())

        assert "change_order" in plan, plan
        assert "Sort" not in plan, plan


def test_responses_validate_against_the_schema(client, openapi, as_role) -> None:
    event = factories.EventFactory(slug="csto-deployment")
    cited_update(event)
    models.Event.objects.filter(pk=factories.EventFactory().pk).update(merged_into=event)
    settle()

    validate_get(
        openapi, "/api/v1/changes/", client.get(URL, **as_role("editor")), "application/json"
    )
    validate_get(openapi, "/api/v1/changes/", client.get(URL), "application/json")
    bad = client.get(URL + "?since=x")
    validate_get(openapi, "/api/v1/changes/", bad, "application/problem+json")
