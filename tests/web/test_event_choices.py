"""The review queue's "attach to another event" suggestions come from the cache, and are never
stale: every change to the events shows on the next request."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import Event, EventKind, EventStatus
from events.services.events import event_create, event_edit, event_merge
from events.web.editor import choices
from tests.factories import EventFactory


def _datalist(client) -> str:
    body = client.get("/editor/review/").content.decode()
    datalist = body[body.index('<datalist id="event-choices">') :]
    return datalist[len('<datalist id="event-choices">') : datalist.index("</datalist>")]


def _built_now() -> str:
    live = Event.objects.filter(merged_into__isnull=True).order_by("title")
    return choices._options(live.values_list("slug", "title"))


def _create(events):
    event_create(by=None, title="Aftershocks", kind=EventKind.OTHER, status=EventStatus.DEVELOPING)


def _rename(events):
    event_edit(event=events[0], by=None, title="Quake, renamed")


def _close(events):
    event_edit(event=events[0], by=None, status=EventStatus.CONCLUDED)


def _merge(events):
    event_merge(loser=events[0], winner=events[1], by=None)


def _delete(events):
    events[0].delete()


@pytest.mark.parametrize(
    ("change", "shows_differently"),
    [(_create, True), (_rename, True), (_delete, True), (_close, False), (_merge, True)],
)
def test_the_attach_suggestions_follow_every_change_to_the_events_at_once(
    editor_client, change, shows_differently
):
    events = [
        EventFactory(slug="quake", title="Quake"),
        EventFactory(slug="floods", title="Floods"),
    ]
    before = _datalist(editor_client)
    assert _datalist(editor_client) == before == _built_now()

    change(events)

    after = _datalist(editor_client)
    assert after == _built_now()
    # Closing keeps the event, and the options show only slugs and titles. A merged event
    # stays as a redirecting tombstone but is no longer offered: attaching to it is refused.
    assert (after != before) is shows_differently


def test_a_warm_queue_reads_the_events_fingerprint_not_their_rows(editor_client):
    EventFactory.create_batch(3)
    _datalist(editor_client)
    for forget_this_process in (False, True):
        if forget_this_process:  # another worker process: the shared cache has the options
            choices._last = ("", "")
        with CaptureQueriesContext(connection) as queries:
            _datalist(editor_client)
        statements = [q["sql"] for q in queries]
        assert choices._FINGERPRINT_SQL in statements
        assert choices._ROWS_SQL not in statements


def test_options_read_after_a_change_are_filed_under_their_own_fingerprint(db, monkeypatch):
    EventFactory(slug="quake", title="Quake")
    stale = choices.event_choices_fingerprint()
    # An event created between the request's fingerprint and its read of the rows.
    EventFactory(slug="floods", title="Floods")
    monkeypatch.setattr(choices, "event_choices_fingerprint", lambda: stale)
    choices._last = ("", "")
    assert choices.event_datalist() == _built_now()
    monkeypatch.undo()
    assert cache.get(choices._key(stale)) is None
    assert cache.get(choices._key(choices.event_choices_fingerprint())) == _built_now()


def test_an_event_merged_into_another_is_not_offered(editor_client):
    loser = EventFactory(slug="quake-duplicate", title="Quake (duplicate)")
    winner = EventFactory(slug="quake", title="Quake")
    event_merge(loser=loser, winner=winner, by=None)

    datalist = _datalist(editor_client)

    assert '<option value="quake">Quake</option>' in datalist
    assert "quake-duplicate" not in datalist
