"""The minimal pages `make run` opens on: events listed, timelines without drafts."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.models import ArticleEvent, EventTranslation
from events.selectors.events import event_list_public
from events.services.timeline import CitationData, update_create, update_publish
from tests.factories import ArticleFactory, EventFactory, OutletFactory, UserFactory

pytestmark = pytest.mark.django_db


def _line(event, headline, *, publish):
    outlet = OutletFactory()
    update = update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        headline=headline,
        by=None,
        citations=[CitationData(outlet_id=outlet.pk)],
    )
    return update_publish(update=update, by=None) if publish else update


def test_event_page_shows_published_lines_and_hides_drafts(client):
    event = EventFactory(title="CSTO deployment")
    _line(event, "Troops arrive", publish=True)
    _line(event, "Unchecked rumour", publish=False)
    body = client.get(f"/events/{event.slug}/").content.decode()
    assert "Troops arrive" in body
    assert "Unchecked rumour" not in body


def test_home_lists_events_in_the_readers_language(client):
    event = EventFactory(title="2022 Kazakhstan unrest")
    EventTranslation.objects.create(event=event, language="bg", title="Протести в Казахстан")
    assert "2022 Kazakhstan unrest" in client.get("/").content.decode()
    body = client.get("/", HTTP_ACCEPT_LANGUAGE="bg").content.decode()
    assert "Протести в Казахстан" in body


def test_home_query_count_does_not_grow_with_events(client):
    EventFactory.create_batch(2)
    with CaptureQueriesContext(connection) as few:
        client.get("/")
    EventFactory.create_batch(20)
    with CaptureQueriesContext(connection) as many:
        client.get("/")
    assert len(many) == len(few)


def test_unknown_event_is_a_404(client):
    assert client.get("/events/no-such-event/").status_code == 404


def test_home_counts_syndicated_copies_as_one_independent_source(client):
    event = EventFactory(title="CSTO deployment", status="developing")
    original = ArticleFactory()
    copies = ArticleFactory.create_batch(2, duplicate_of=original)
    other = ArticleFactory()
    for article in (original, *copies, other):
        ArticleEvent.objects.create(article=article, event=event, score=0.9)
    _line(event, "Troops arrive", publish=True)
    event = event_list_public().get(pk=event.pk)
    assert (event.article_count, event.source_count, event.public_updates) == (4, 2, 1)
    assert "4 articles · 2 independent sources" in client.get("/").content.decode()


def test_home_lists_developing_events_first(client):
    EventFactory(
        title="Old and concluded", status="concluded", start=dt.datetime(2023, 1, 1, tzinfo=dt.UTC)
    )
    EventFactory(
        title="Still developing", status="developing", start=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    )
    body = client.get("/").content.decode()
    assert body.index("Still developing") < body.index("Old and concluded")


def test_error_pages_are_the_sites_own(client, settings) -> None:
    settings.DEBUG = False
    response = client.get("/events/no-such-event/")
    assert response.status_code == 404
    assert b"Not found" in response.content and b'name="q"' in response.content


def test_a_reader_on_an_editor_page_gets_the_sites_403(client) -> None:
    client.force_login(UserFactory())
    response = client.get("/editor/review/")
    assert response.status_code == 403
    assert b"Not allowed" in response.content and b'name="q"' in response.content
