"""The event page's timeline: pages of lines (newest first, links that work without
JavaScript, an htmx fragment), the whole timeline on a page of its own, and the cached HTML
that every change to what it shows replaces at once."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.models import Article, Entity, EventTranslation, Outlet, Precision
from events.services.events import relation_add
from events.services.timeline import (
    CitationData,
    citation_add,
    update_create,
    update_edit,
    update_publish,
    update_retract,
)
from events.web.timeline import PAGE_LINES
from events.web.views import GRAPH_NEIGHBOURS
from tests.factories import ArticleFactory, EntityFactory, EventFactory, OutletFactory

pytestmark = pytest.mark.django_db

START = dt.datetime(2022, 1, 2, tzinfo=dt.UTC)


def _line(event, headline, *, n=0, publish=True, **citation):
    if not citation:
        citation = {"outlet_id": OutletFactory().pk}
    update = update_create(
        event=event,
        occurred_at=START + dt.timedelta(hours=n),
        precision=Precision.MINUTE,
        headline=headline,
        by=None,
        citations=[CitationData(**citation)],
    )
    return update_publish(update=update, by=None) if publish else update


def _body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def _lines(body):
    return body.count('class="update status-')


@pytest.fixture
def long_event():
    """An event with PAGE_LINES + 5 published lines, "Line 0" the oldest."""
    event = EventFactory()
    outlet = OutletFactory()
    for n in range(PAGE_LINES + 5):
        _line(event, f"Line {n}", n=n, outlet_id=outlet.pk)
    return event


def test_first_page_is_the_newest_lines_in_time_order_with_a_link_to_earlier(client, long_event):
    url = f"/events/{long_event.slug}/"
    body = _body(client.get(url))
    assert _lines(body) == PAGE_LINES
    assert "Line 4<" not in body and "Line 5<" in body and f"Line {PAGE_LINES + 4}<" in body
    assert body.index("Line 5<") < body.index("Line 6<")  # oldest first within the page
    assert f'<a href="{url}?page=2#timeline"' in body and "Later lines" not in body
    assert f"Lines 6–{PAGE_LINES + 5} of {PAGE_LINES + 5}, oldest first." in body
    assert f'href="/events/{long_event.slug}/timeline/"' in body


def test_earlier_page_without_javascript_and_back_to_the_latest(client, long_event):
    url = f"/events/{long_event.slug}/"
    body = _body(client.get(f"{url}?page=2"))
    assert "<html" in body and _lines(body) == 5
    assert "Line 0<" in body and "Line 4<" in body and "Line 5<" not in body
    assert "Earlier lines" not in body
    assert f'<a href="{url}#timeline"' in body  # "Later lines" leads back to the newest
    # Out of range or not a number: the oldest page, or the newest, never an error.
    assert _lines(_body(client.get(f"{url}?page=99"))) == 5
    assert _lines(_body(client.get(f"{url}?page=x"))) == PAGE_LINES


def test_htmx_asks_for_the_timeline_fragment_only(client, long_event):
    url = f"/events/{long_event.slug}/"
    response = client.get(f"{url}?page=2", HTTP_HX_REQUEST="true")
    fragment = _body(response)
    assert fragment.startswith('<div id="timeline"') and "<html" not in fragment
    assert _lines(fragment) == 5 and "Articles" not in fragment
    assert "HX-Request" in response["Vary"]
    link = f'hx-get="{url}?page=2" hx-target="#timeline"'
    assert link in _body(client.get(url))
    # A history restore that missed htmx's own cache needs the whole page.
    restore = client.get(
        f"{url}?page=2", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true"
    )
    assert "<html" in _body(restore)


def test_whole_timeline_page_has_every_line_for_printing(client, long_event):
    body = _body(client.get(f"/events/{long_event.slug}/timeline/"))
    assert _lines(body) == PAGE_LINES + 5 and "Earlier lines" not in body
    assert f"{PAGE_LINES + 5} lines, oldest first." in body
    assert f'href="/events/{long_event.slug}/"' in body
    assert client.get("/events/no-such-event/timeline/").status_code == 404


def test_a_published_line_a_retraction_an_edit_and_a_citation_show_at_once(client):
    event = EventFactory()
    url = f"/events/{event.slug}/"
    first = _line(event, "Talks open", n=1)
    assert "Talks open" in _body(client.get(url))
    assert "Talks open" in _body(client.get(url))  # now from the cache
    second = _line(event, "Talks stall", n=2)
    assert "Talks stall" in _body(client.get(url))
    update_retract(update=second, by=None, reason="They did not stall.")
    assert "<del>Talks stall</del>" in _body(client.get(url))
    update_edit(update=first, by=None, headline="Talks begin", correction_note="Wording.")
    body = _body(client.get(url))
    assert "Talks begin" in body and "Talks open" not in body
    article = ArticleFactory(title="Delegates arrive")
    citation_add(update=first, data=CitationData(article_id=article.pk), by=None)
    assert "Delegates arrive" in _body(client.get(url))
    # What a citation shows of its source and speaker is in the key too.
    Article.objects.filter(pk=article.pk).update(title="Delegates arrived")
    assert "Delegates arrived" in _body(client.get(url))
    speaker = EntityFactory(name="Ned Price")
    _line(event, "Price speaks", n=3, speaker_id=speaker.pk, outlet_id=OutletFactory().pk)
    assert "Ned Price" in _body(client.get(url))
    Entity.objects.filter(pk=speaker.pk).update(name="Edward Price")
    assert "Edward Price" in _body(client.get(url))
    outlet = OutletFactory(name="BBC")
    _line(event, "BBC reports", n=4, outlet_id=outlet.pk)
    assert "BBC" in _body(client.get(url))
    Outlet.objects.filter(pk=outlet.pk).update(name="BBC News", updated_at=dt.datetime.now(dt.UTC))
    assert "BBC News" in _body(client.get(url))


def test_a_draft_never_reaches_readers_from_the_editors_cached_timeline(editor_client):
    client = Client()  # anonymous, beside the editor's
    event = EventFactory()
    _line(event, "Public line", n=1)
    _line(event, "Secret draft", n=2, publish=False)
    url = f"/events/{event.slug}/"
    for path in (url, f"/events/{event.slug}/timeline/"):
        assert "Secret draft" in _body(editor_client.get(path))
        assert "Secret draft" in _body(editor_client.get(path))  # cached for editors
        body = _body(client.get(path))
        assert "Public line" in body and "Secret draft" not in body, path
    fragment = _body(client.get(url, HTTP_HX_REQUEST="true"))
    assert "Secret draft" not in fragment


def test_language_and_time_zone_variants_are_kept_apart(client):
    event = EventFactory()
    _line(event, "Talks open", n=22)  # 2022-01-02 22:00 UTC: the 3rd in Sofia
    url = f"/events/{event.slug}/"
    english = _body(client.get(url))
    assert '<h3 class="day-heading">2 Jan 2022</h3>' in english and ">22:00</time>" in english
    bulgarian = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="bg"))
    assert '<h3 class="day-heading">2 Ян 2022</h3>' in bulgarian and "Хроника" in bulgarian
    assert "2 Jan 2022" not in bulgarian
    assert "2 Jan 2022" in _body(client.get(url))  # the English page was not replaced
    client.cookies["tz"] = "Europe/Sofia"
    sofia = _body(client.get(url))
    assert '<h3 class="day-heading">3 Jan 2022</h3>' in sofia and ">00:00</time>" in sofia
    del client.cookies["tz"]
    assert '<h3 class="day-heading">2 Jan 2022</h3>' in _body(client.get(url))


def test_event_page_queries_are_constant_from_the_cache_and_without_it(client):
    event = EventFactory()
    url = f"/events/{event.slug}/"

    def grow(n):
        for i in range(n):
            article = ArticleFactory()
            speaker = EntityFactory()
            _line(event, f"Line {i}", n=i, article_id=article.pk, speaker_id=speaker.pk)

    grow(2)
    with CaptureQueriesContext(connection) as cold_few:
        _body(client.get(url))
    with CaptureQueriesContext(connection) as warm_few:
        _body(client.get(url))
    grow(PAGE_LINES + 3)
    with CaptureQueriesContext(connection) as cold_many:
        _body(client.get(url))
    with CaptureQueriesContext(connection) as warm_many:
        body = _body(client.get(url))
    with CaptureQueriesContext(connection) as whole:
        assert _lines(_body(client.get(f"{url}timeline/"))) == PAGE_LINES + 5
    assert _lines(body) == PAGE_LINES
    assert len(cold_many) == len(cold_few)
    assert len(warm_many) == len(warm_few)
    # From the cache the timeline costs one query (its validators) instead of four.
    assert len(warm_many) == len(cold_many) - 3
    assert len(whole) <= len(cold_many)


def test_many_related_events_all_listed_in_the_readers_language_graph_draws_a_dozen(client):
    event = EventFactory(title="Unrest")
    parts = [EventFactory(title=f"Part {i}") for i in range(GRAPH_NEIGHBOURS + 3)]
    for part in parts:
        relation_add(source=part, target=event, kind="part_of", by=None)
    EventTranslation.objects.create(event=parts[0], language="bg", title="Част нула")
    body = _body(client.get(f"/events/{event.slug}/"))
    for part in parts:
        assert f'<li><a href="/events/{part.slug}/">{part.title}</a></li>' in body
    assert body.count('<circle cx="') == GRAPH_NEIGHBOURS + 1  # the event and a dozen others
    assert "3 more related events are in the list above." in body
    bulgarian = _body(client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="bg"))
    assert f'<a href="/events/{parts[0].slug}/">Част нула</a>' in bulgarian


def test_related_event_titles_are_escaped_in_the_list(client):
    event = EventFactory(title="Unrest")
    hostile = EventFactory(title='Riots <script>alert(1)</script> & "more"')
    relation_add(source=hostile, target=event, kind="caused_by", by=None)
    body = _body(client.get(f"/events/{event.slug}/"))
    assert "<script>alert(1)" not in body
    assert (
        f'<li><a href="/events/{hostile.slug}/">'
        "Riots &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;more&quot;</a></li>"
    ) in body


def test_timeline_navigation_in_bulgarian(client, long_event):
    body = _body(client.get(f"/events/{long_event.slug}/", HTTP_ACCEPT_LANGUAGE="bg"))
    assert "По-ранни редове" in body
    assert f"Редове 6–{PAGE_LINES + 5} от {PAGE_LINES + 5}, най-старите първи." in body
    whole = _body(client.get(f"/events/{long_event.slug}/timeline/", HTTP_ACCEPT_LANGUAGE="bg"))
    assert "Обратно към събитието" in whole


def test_a_short_timeline_has_no_navigation(client):
    event = EventFactory()
    _line(event, "Only line", n=1)
    body = _body(client.get(f"/events/{event.slug}/"))
    assert _lines(body) == 1 and "Only line" in body
    assert "Earlier lines" not in body and "Later lines" not in body
    assert "oldest first" not in body
    assert "1 line, oldest first." in _body(client.get(f"/events/{event.slug}/timeline/"))
