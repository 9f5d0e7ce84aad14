"""Conditional GET on event detail, timeline and article detail: ETag and Last-Modified, 304
while nothing shown changed, 200 with a new validator as soon as something did."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events import models
from events.services import timeline
from tests import factories
from tests.api.conftest import cited_update

# Validators are read from the change log, which only shows committed transactions' rows.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def event() -> models.Event:
    event = factories.EventFactory(slug="csto-deployment")
    cited_update(event)
    return event


def _urls(event: models.Event) -> list[str]:
    article_id = models.Citation.objects.filter(update__event=event).values_list(
        "article_id", flat=True
    )[0]
    return [
        f"/api/v1/events/{event.slug}/",
        f"/api/v1/events/{event.slug}/timeline/",
        f"/api/v1/articles/{article_id}/",
    ]


@pytest.mark.parametrize("index", [0, 1, 2])
def test_etag_gives_304_until_something_shown_changes(client, event, index) -> None:
    url = _urls(event)[index]
    first = client.get(url)
    etag = first["ETag"]

    again = client.get(url, HTTP_IF_NONE_MATCH=etag)
    weak = client.get(url, HTTP_IF_NONE_MATCH=f'"other", W/{etag}')

    assert first.status_code == 200 and etag.startswith('"')
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    assert weak.status_code == 304

    # Something each response shows: the event's title / a cited article's title.
    models.Event.objects.filter(pk=event.pk).update(title="CSTO troops arrive")
    models.Article.objects.filter(citations__update__event=event).update(title="Renamed")
    if index == 0:
        models.EventRelation.objects.create(
            source=event, target=factories.EventFactory(), kind="related"
        )
    changed = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert changed.status_code == 200
    assert changed["ETag"] != etag


def test_last_modified_and_if_modified_since(client, event) -> None:
    url = f"/api/v1/events/{event.slug}/timeline/"
    first = client.get(url)

    same = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    older = client.get(url, HTTP_IF_MODIFIED_SINCE="Sat, 01 Jan 2022 00:00:00 GMT")
    garbage = client.get(url, HTTP_IF_MODIFIED_SINCE="yesterday")
    # If-None-Match wins: a stale ETag with a current date is a full response.
    both = client.get(
        url, HTTP_IF_NONE_MATCH='"stale"', HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]
    )

    assert same.status_code == 304
    assert older.status_code == 200
    assert garbage.status_code == 200
    assert both.status_code == 200


def test_a_new_published_line_changes_the_timeline_etag(client, event) -> None:
    url = f"/api/v1/events/{event.slug}/timeline/"
    etag = client.get(url)["ETag"]

    cited_update(event, headline="Ned Price: the US watches closely")

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200


def test_drafts_do_not_change_the_public_etag_but_change_the_editors(
    client, event, as_role
) -> None:
    url = f"/api/v1/events/{event.slug}/timeline/?include_drafts=true"
    public = client.get(url)["ETag"]
    editor = client.get(url, **as_role("editor"))["ETag"]

    draft = cited_update(event, status="draft", headline="Unconfirmed: troops in Almaty")
    timeline.update_edit(update=draft, by=None, headline="Unconfirmed: troops near Almaty")

    assert public != editor  # the role is part of the validator
    assert client.get(url, HTTP_IF_NONE_MATCH=public).status_code == 304
    assert client.get(url, HTTP_IF_NONE_MATCH=editor, **as_role("editor")).status_code == 200


def test_etag_differs_by_query_string(client, event) -> None:
    url = f"/api/v1/events/{event.slug}/"
    assert client.get(url)["ETag"] != client.get(url + "?lang=bg")["ETag"]


def test_unknown_object_is_still_a_404_problem(client) -> None:
    response = client.get("/api/v1/events/no-such-event/timeline/", HTTP_IF_NONE_MATCH="*")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


def test_304_costs_one_query_beyond_authentication(client, event) -> None:
    url = f"/api/v1/events/{event.slug}/timeline/"
    etag = client.get(url)["ETag"]
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert len(queries) == 1


@pytest.mark.parametrize("kept_query", ["", "?page_size=10", "?lang=bg"])
def test_timeline_pages_with_unknown_parameters_are_built_not_kept(
    client, event, kept_query
) -> None:
    url = f"/api/v1/events/{event.slug}/timeline/"
    client.get(url + kept_query)
    with CaptureQueriesContext(connection) as kept:
        from_cache = client.get(url + kept_query)
    junk = url + (kept_query + "&" if kept_query else "?") + "x=1"
    client.get(junk)
    with CaptureQueriesContext(connection) as built:
        answered = client.get(junk)

    assert from_cache.status_code == 200 and answered.status_code == 200
    assert answered.json()["results"] == from_cache.json()["results"]
    # Only the validator query for the kept page; the unknown parameter's is built again.
    assert len(kept) == 1
    assert len(built) > len(kept)


def test_event_article_pages_keep_their_filters(client, event) -> None:
    url = f"/api/v1/events/{event.slug}/articles/?language=en&state=confirmed"
    client.get(url)
    with CaptureQueriesContext(connection) as kept:
        from_cache = client.get(url)
    client.get(url + "&x=1")
    with CaptureQueriesContext(connection) as built:
        answered = client.get(url + "&x=1")

    assert from_cache.status_code == 200 and answered.status_code == 200
    assert answered.json()["results"] == from_cache.json()["results"]
    # The event's lookup and the validators for the kept page; the page itself for the other.
    assert len(kept) == 2
    assert len(built) > len(kept)
