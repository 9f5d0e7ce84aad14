"""Readers' pages rendered by the Django test client: content, roles, escaping, queries,
CSP and the Bulgarian UI."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from events.models import (
    ArticleEvent,
    EntityAlias,
    EventTranslation,
    LinkState,
    Precision,
)
from events.services.events import participant_add, relation_add
from events.services.timeline import (
    CitationData,
    update_create,
    update_publish,
    update_retract,
)
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    EventFactory,
    OutletFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HOSTILE = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def _line(event, headline, *, publish=True, when=None, precision=Precision.DAY, **citation):
    if not citation:
        citation = {"outlet_id": OutletFactory().pk}
    update = update_create(
        event=event,
        occurred_at=when or dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        precision=precision,
        headline=headline,
        by=None,
        citations=[CitationData(**citation)],
    )
    return update_publish(update=update, by=None) if publish else update


def _link(article, event, state=LinkState.CONFIRMED):
    decided = dt.datetime(2022, 1, 8, tzinfo=dt.UTC) if state != LinkState.SUGGESTED else None
    return ArticleEvent.objects.create(
        article=article, event=event, score=0.8, state=state, decided_at=decided
    )


@pytest.fixture
def reader_client():
    reader = Client()
    reader.force_login(UserFactory(username="reader"))
    return reader


def _body(response):
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# Home ------------------------------------------------------------------------------------


def test_home_shows_latest_published_line_counts_and_coverage_chart(client):
    event = EventFactory(title="Kazakhstan unrest", status="developing")
    _line(event, "Protests begin", when=dt.datetime(2022, 1, 2, tzinfo=dt.UTC))
    _line(event, "Government resigns", when=dt.datetime(2022, 1, 5, tzinfo=dt.UTC))
    _line(event, "Unreviewed draft", when=dt.datetime(2022, 1, 9, tzinfo=dt.UTC), publish=False)
    for day in (6, 7, 7):
        _link(ArticleFactory(published_at=dt.datetime(2022, 1, day, 12, tzinfo=dt.UTC)), event)
    body = _body(client.get("/"))
    assert "Government resigns" in body
    assert "Unreviewed draft" not in body
    assert "2 updates · 3 articles · 3 independent sources" in body
    assert '<svg class="bar-chart"' in body
    assert "Coverage: 3 articles from 6 Jan 2022 to 7 Jan 2022" in body


def test_status_and_kind_labels_in_the_readers_language(client):
    event = EventFactory(status="developing", kind="protest")
    for url in ("/", f"/events/{event.slug}/"):
        assert ">developing</span> protest</p>" in _body(client.get(url)), url
        bulgarian = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="bg"))
        assert ">в развитие</span> протест</p>" in bulgarian, url


def test_home_counts_copies_once_as_sources_and_skips_rejected_and_unready(client):
    event = EventFactory(title="Counted")
    day = dt.datetime(2022, 1, 6, 12, tzinfo=dt.UTC)
    original = ArticleFactory(published_at=day)
    _link(original, event)
    _link(ArticleFactory(duplicate_of=original, published_at=day), event)
    _link(ArticleFactory(published_at=day), event, state=LinkState.SUGGESTED)
    _link(ArticleFactory(published_at=day), event, state=LinkState.REJECTED)
    _link(ArticleFactory(published_at=day, state="failed", failure_reason="404"), event)
    _link(ArticleFactory(published_at=None), event)
    body = _body(client.get("/"))
    assert "0 updates · 4 articles · 3 independent sources" in body
    assert "Coverage: 3 articles from 6 Jan 2022 to 6 Jan 2022" in body


def test_cached_coverage_charts_follow_new_articles_and_the_language(client):
    event = EventFactory(title="Kazakhstan unrest")
    _link(ArticleFactory(published_at=dt.datetime(2022, 1, 6, 12, tzinfo=dt.UTC)), event)
    for url in ("/", f"/events/{event.slug}/"):
        assert "Coverage: 1 article from 6 Jan 2022 to 6 Jan 2022" in _body(client.get(url))
    _link(ArticleFactory(published_at=dt.datetime(2022, 1, 8, 12, tzinfo=dt.UTC)), event)
    for url in ("/", f"/events/{event.slug}/"):
        body = _body(client.get(url))
        assert "Coverage: 2 articles from 6 Jan 2022 to 8 Jan 2022" in body, url
        assert "6 Jan 2022: 1 article" in body and "8 Jan 2022: 1 article" in body
        bulgarian = _body(client.get(url, HTTP_ACCEPT_LANGUAGE="bg"))
        assert "6 Jan 2022" not in bulgarian and "6 Ян 2022" in bulgarian, url


def test_home_query_count_is_constant_with_latest_lines_and_charts(client):
    def make(n):
        for _ in range(n):
            event = EventFactory()
            _line(event, "A line")
            _link(ArticleFactory(), event)

    make(2)
    with CaptureQueriesContext(connection) as few:
        _body(client.get("/"))
    make(18)
    with CaptureQueriesContext(connection) as many:
        body = _body(client.get("/"))
    assert body.count('<li class="event-card') == 20
    assert len(many) == len(few)


def test_home_pages_with_htmx_fragment_for_more(client):
    for _ in range(21):
        EventFactory()
    body = _body(client.get("/"))
    assert body.count('<li class="event-card') == 20
    assert 'hx-get="?page=2"' in body
    fragment = _body(client.get("/?page=2", HTTP_HX_REQUEST="true"))
    assert fragment.count('<li class="event-card') == 1
    assert "<html" not in fragment


# Event page ------------------------------------------------------------------------------


def test_event_page_header_timeline_citations_retraction_and_correction(client):
    event = EventFactory(
        title="CSTO deployment",
        place="Almaty",
        start=dt.datetime(2022, 1, 1, tzinfo=dt.UTC),
        start_precision=Precision.MONTH,
    )
    EventTranslation.objects.create(event=event, language="bg", title="Мисия на ОДКС")
    price = EntityFactory(name="Ned Price")
    participant_add(event=event, entity=price, role="observer", by=None)
    bbc = OutletFactory(name="BBC")
    article = ArticleFactory(
        title="US questions CSTO", text="Price said: we have questions about the request."
    )
    _line(
        event,
        "US asks about the deployment",
        when=dt.datetime(2022, 1, 7, 15, 30, tzinfo=dt.UTC),
        precision=Precision.MINUTE,
        article_id=article.pk,
        outlet_id=bbc.pk,
        speaker_id=price.pk,
        quote="we have questions about the request",
        quote_language="en",
        translation="имаме въпроси за искането",
        translation_language="bg",
    )
    wrong = _line(event, "Troops withdrawn", when=dt.datetime(2022, 1, 8, tzinfo=dt.UTC))
    update_retract(update=wrong, by=None, reason="The withdrawal began on 13 January.")
    body = _body(client.get(f"/events/{event.slug}/"))
    assert '<h1 id="event-title">CSTO deployment</h1>' in body
    assert "January 2022" in body and "Almaty" in body
    assert f'href="/entities/{price.pk}/"' in body
    assert '<h3 class="day-heading">7 Jan 2022</h3>' in body
    assert '<time class="clock" datetime="2022-01-07T15:30:00+00:00">15:30</time>' in body
    assert "BBC" in body and f'href="/articles/{article.pk}/"' in body
    assert '<blockquote lang="en"><p>we have questions about the request</p></blockquote>' in body
    assert "имаме въпроси за искането" in body
    assert "<del>Troops withdrawn</del>" in body
    assert "The withdrawal began on 13 January." in body
    for fmt in ("atom", "ics", "csv", "timelinejs"):
        assert f'href="/api/v1/events/{event.slug}/export/{fmt}/"' in body
    bg = _body(client.get(f"/events/{event.slug}/", HTTP_ACCEPT_LANGUAGE="bg"))
    assert "Мисия на ОДКС" in bg


def test_event_page_shows_times_in_the_readers_time_zone(client):
    event = EventFactory()
    _line(
        event,
        "Talks open",
        when=dt.datetime(2022, 1, 12, 8, 0, tzinfo=dt.UTC),
        precision=Precision.MINUTE,
    )
    _line(event, "Day-only line", when=dt.datetime(2022, 1, 13, tzinfo=dt.UTC))
    client.cookies["tz"] = "Europe/Sofia"
    body = _body(client.get(f"/events/{event.slug}/"))
    assert ">10:00</time>" in body
    # A date known only to the day is not shifted by the reader's zone.
    assert '<h3 class="day-heading">13 Jan 2022</h3>' in body
    assert "Europe/Sofia" in body


def test_time_zone_page_sets_the_cookie_and_refuses_unknown_zones(client):
    response = client.post("/time-zone/", {"tz": "Asia/Almaty", "next": "/events/x/"})
    assert response.status_code == 302 and response["Location"] == "/events/x/"
    assert response.cookies["tz"].value == "Asia/Almaty"
    bad = client.post("/time-zone/", {"tz": "Mars/Olympus", "next": "https://evil.example/"})
    assert bad.status_code == 400
    assert "Choose a time zone from the list." in bad.content.decode()
    offsite = client.post("/time-zone/", {"tz": "UTC", "next": "https://evil.example/"})
    assert offsite["Location"] == "/"


def test_event_page_relations_both_directions_with_inverse_labels_and_graph(client):
    protests = EventFactory(title="Protests")
    deployment = EventFactory(title="CSTO deployment")
    talks = EventFactory(title="NATO-Russia talks")
    relation_add(source=deployment, target=protests, kind="response_to", by=None)
    relation_add(source=protests, target=talks, kind="precedes", by=None)
    body = _body(client.get(f"/events/{protests.slug}/"))
    assert "<dt>Prompted</dt>" in body and "<dt>Precedes</dt>" in body
    assert f'<a href="/events/{deployment.slug}/">CSTO deployment</a>' in body
    assert '<svg class="relation-graph"' in body
    other = _body(client.get(f"/events/{deployment.slug}/"))
    assert "<dt>In response to</dt>" in other


def test_event_page_folds_copies_under_their_original_and_hides_suggestions(client):
    event = EventFactory()
    original = ArticleFactory(title="Original report", detected_language="en")
    copy = ArticleFactory(title="Reprinted report", duplicate_of=original)
    suggested = ArticleFactory(title="Maybe related")
    _link(original, event)
    _link(copy, event)
    _link(suggested, event, state=LinkState.SUGGESTED)
    body = _body(client.get(f"/events/{event.slug}/"))
    assert 'class="badge lang" title="English">EN</span>' in body
    assert '<details class="copies">' in body
    assert body.index("Original report") < body.index("Reprinted report")
    assert "Maybe related" not in body
    assert '<span class="count">(1)</span>' in body


def test_event_articles_ordered_by_their_originals_coverage_by_the_readers_day(client):
    # One statement lists the originals and counts the chart's days: an original linked
    # only through its copy takes its own time in the order; days follow the reader's zone.
    event = EventFactory()
    late_evening = dt.datetime(2022, 1, 6, 23, 30, tzinfo=dt.UTC)  # 7 Jan in Sofia
    old_original = ArticleFactory(
        title="Old original", published_at=dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    )
    _link(
        ArticleFactory(title="Fresh copy", duplicate_of=old_original, published_at=late_evening),
        event,
    )
    _link(
        ArticleFactory(title="Middle story", published_at=dt.datetime(2022, 1, 3, tzinfo=dt.UTC)),
        event,
    )
    _link(ArticleFactory(title="Undated story", published_at=None), event)
    _link(
        ArticleFactory(title="Only suggested", published_at=late_evening),
        event,
        state=LinkState.SUGGESTED,
    )
    body = _body(client.get(f"/events/{event.slug}/"))
    assert body.index("Middle story") < body.index("Old original") < body.index("Undated story")
    assert '<span class="count">(3)</span>' in body and "Only suggested" not in body
    assert "Coverage: 2 articles from 3 Jan 2022 to 6 Jan 2022" in body
    client.cookies["tz"] = "Europe/Sofia"
    assert "Coverage: 2 articles from 3 Jan 2022 to 7 Jan 2022" in _body(
        client.get(f"/events/{event.slug}/")
    )


def test_editors_see_suggested_articles_in_the_list_and_the_chart(editor_client):
    event = EventFactory()
    day = dt.datetime(2022, 1, 6, 12, tzinfo=dt.UTC)
    _link(ArticleFactory(title="Confirmed story", published_at=day), event)
    _link(ArticleFactory(title="Maybe related", published_at=day), event, state=LinkState.SUGGESTED)
    _link(ArticleFactory(title="Rejected story", published_at=day), event, state=LinkState.REJECTED)
    body = _body(editor_client.get(f"/events/{event.slug}/"))
    assert "Maybe related" in body and "Rejected story" not in body
    assert '<span class="count">(2)</span>' in body
    assert "Coverage: 2 articles from 6 Jan 2022 to 6 Jan 2022" in body


def test_editors_see_drafts_and_suggested_articles(editor_client):
    event = EventFactory()
    _line(event, "Draft line", publish=False)
    _link(ArticleFactory(title="Maybe related"), event, state=LinkState.SUGGESTED)
    body = _body(editor_client.get(f"/events/{event.slug}/"))
    assert "Draft line" in body and "Maybe related" in body
    assert 'href="/editor/review/"' in body


@pytest.mark.parametrize("who", ["anonymous", "reader"])
def test_drafts_are_hidden_from_anonymous_and_readers(client, who):
    if who == "reader":
        client.force_login(UserFactory(username="reader"))
    event = EventFactory()
    speaker = EntityFactory(name="Speaker")
    participant_add(event=event, entity=speaker, role="actor", by=None)
    article = ArticleFactory(title="Source article")
    _line(
        event, "Secret draft", publish=False, article_id=article.pk, speaker_id=speaker.pk,
        quote="Президентът",
    )  # fmt: skip
    for url in (f"/events/{event.slug}/", f"/entities/{speaker.pk}/", f"/articles/{article.pk}/"):
        body = _body(client.get(url))
        assert "Secret draft" not in body, url
        assert 'href="/editor/review/"' not in body


def test_event_articles_page_and_htmx_more(client):
    event = EventFactory()
    for i in range(30):
        _link(ArticleFactory(title=f"Story {i}"), event)
    body = _body(client.get(f"/events/{event.slug}/"))
    assert body.count('class="article-item"') == 25
    assert f'hx-get="/events/{event.slug}/articles/?page=2"' in body
    rest = _body(client.get(f"/events/{event.slug}/articles/?page=2", HTTP_HX_REQUEST="true"))
    assert rest.count('class="article-item"') == 5 and "<html" not in rest
    full = _body(client.get(f"/events/{event.slug}/articles/?page=2"))
    assert "<html" in full and full.count('class="article-item"') == 5


def test_event_page_query_count_is_constant(client):
    event = EventFactory()
    other_events = []

    def grow(n):
        for _ in range(n):
            speaker = EntityFactory()
            participant_add(event=event, entity=speaker, role="actor", by=None)
            article = ArticleFactory()
            _link(article, event)
            _link(ArticleFactory(duplicate_of=article), event)
            _line(event, "Line", article_id=article.pk, speaker_id=speaker.pk)
            other = EventFactory()
            other_events.append(other)
            relation_add(source=other, target=event, kind="part_of", by=None)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        _body(client.get(f"/events/{event.slug}/"))
    grow(18)
    with CaptureQueriesContext(connection) as many:
        body = _body(client.get(f"/events/{event.slug}/"))
    assert body.count('class="update status-published"') == 20
    assert len(many) == len(few)


def test_unknown_pages_are_404(client):
    assert client.get("/events/nope/").status_code == 404
    assert client.get("/articles/999999/").status_code == 404
    assert client.get("/entities/999999/").status_code == 404


# Article page ----------------------------------------------------------------------------


def test_article_text_only_for_signed_in_readers(client, reader_client):
    article = ArticleFactory(title="Токаев поиска помощ", text="Първи абзац.\n\nВтори абзац.")
    anonymous = client.get(f"/articles/{article.pk}/")
    body = _body(anonymous)
    assert "Токаев поиска помощ" in body and "Първи абзац" not in body
    assert f'href="{article.canonical_url}"' in body
    body = _body(reader_client.get(f"/articles/{article.pk}/"))
    assert "<p>Първи абзац.</p>" in body and "<p>Втори абзац.</p>" in body


def test_failed_articles_are_not_shown_to_readers(client):
    article = ArticleFactory(state="failed", failure_reason="404")
    assert client.get(f"/articles/{article.pk}/").status_code == 404


def test_hostile_article_is_escaped_everywhere(client, reader_client):
    event = EventFactory(title=HOSTILE)
    article = ArticleFactory(title=HOSTILE, text=HOSTILE, byline=HOSTILE)
    _link(article, event)
    entity = EntityFactory(name=HOSTILE)
    _line(event, HOSTILE, article_id=article.pk, speaker_id=entity.pk)
    pages = [
        client.get("/"),
        client.get(f"/events/{event.slug}/"),
        reader_client.get(f"/articles/{article.pk}/"),
        client.get(f"/entities/{entity.pk}/"),
    ]
    for response in pages:
        body = _body(response)
        assert "<script>window.pwned" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in body


def test_article_query_count_is_constant(reader_client):
    article = ArticleFactory()

    def grow(n):
        for _ in range(n):
            event = EventFactory()
            _link(article, event)
            ArticleFactory(duplicate_of=article)
            _line(event, "Cites it", article_id=article.pk)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        _body(reader_client.get(f"/articles/{article.pk}/"))
    grow(18)
    with CaptureQueriesContext(connection) as many:
        body = _body(reader_client.get(f"/articles/{article.pk}/"))
    assert body.count("Cites it") == 20
    assert len(many) == len(few)


# Entity page -----------------------------------------------------------------------------


def test_entity_page_aliases_events_and_quotes(client):
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    EntityAlias.objects.create(entity=tokayev, name="Tokayev", language="en")
    event = EventFactory(title="CSTO deployment")
    participant_add(event=event, entity=tokayev, role="actor", by=None)
    article = ArticleFactory()
    _line(
        event, "Tokayev asks CSTO for help", article_id=article.pk, speaker_id=tokayev.pk,
        quote="Президентът", quote_language="bg",
    )  # fmt: skip
    body = _body(client.get(f"/entities/{tokayev.pk}/"))
    assert "Токаев" in body and "Tokayev" in body and "<dt>Bulgarian</dt>" in body
    assert f'href="/events/{event.slug}/"' in body
    assert body.count("Tokayev asks CSTO for help") == 2  # quoted + the event's line


def test_entity_query_count_is_constant(client):
    entity = EntityFactory()

    def grow(n):
        for _ in range(n):
            event = EventFactory()
            participant_add(event=event, entity=entity, role="actor", by=None)
            _line(event, "Said it", article_id=ArticleFactory().pk, speaker_id=entity.pk)

    grow(2)
    with CaptureQueriesContext(connection) as few:
        _body(client.get(f"/entities/{entity.pk}/"))
    grow(18)
    with CaptureQueriesContext(connection) as many:
        _body(client.get(f"/entities/{entity.pk}/"))
    assert len(many) == len(few)


# Frame, CSP, i18n ------------------------------------------------------------------------


def test_the_strict_csp_is_on_every_kind_of_page_including_errors_and_the_editor(editor_client):
    article, entity = ArticleFactory(), EntityFactory()
    urls = {
        "/search/?q=Tokayev": 200,
        f"/articles/{article.pk}/": 200,
        f"/entities/{entity.pk}/": 200,
        "/editor/review/": 200,
        "/events/no-such-event/": 404,
        "/search/?q=%00": 400,
    }
    for url, status in urls.items():
        response = editor_client.get(url)
        assert response.status_code == status, url
        policy = response["Content-Security-Policy"]
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, url
    anonymous = Client().get("/accounts/login/")
    assert "script-src 'self'" in anonymous["Content-Security-Policy"]


def test_every_page_has_search_box_skip_link_and_strict_csp(client):
    event = EventFactory()
    for url in ("/", f"/events/{event.slug}/", "/time-zone/"):
        response = client.get(url)
        body = _body(response)
        assert '<form class="site-search" action="/search/" method="get" role="search">' in body
        assert 'name="q"' in body and 'href="#main"' in body
        policy = response["Content-Security-Policy"]
        for directive in (
            "default-src 'self'",
            "script-src 'self'",
            "style-src 'self'",
            "object-src 'none'",
            "frame-ancestors 'none'",
            "form-action 'self'",
        ):
            assert directive in policy
        assert "<style" not in body and " style=" not in body and "<script>" not in body


def test_bulgarian_ui_after_switching_language(client):
    response = client.post("/i18n/setlang/", {"language": "bg", "next": "/"})
    assert response.status_code == 302
    body = _body(client.get("/"))
    assert '<html lang="bg">' in body
    assert "Събития" in body and "Търсене" in body


def test_login_and_logout_links_in_the_frame(client):
    assert 'href="/accounts/login/?next=/"' in _body(client.get("/"))
    client.force_login(UserFactory(username="maria"))
    body = _body(client.get("/"))
    assert 'action="/accounts/logout/" method="post"' in body and "maria" in body


def test_merged_event_leaves_home_and_its_page_redirects(client):
    from events.services.events import event_merge

    winner = EventFactory(title="Kazakhstan unrest")
    loser = EventFactory(title="Unrest in Kazakhstan (duplicate)")
    event_merge(loser=loser, winner=winner, by=None)
    assert "Unrest in Kazakhstan (duplicate)" not in _body(client.get("/"))
    response = client.get(f"/events/{loser.slug}/")
    assert response.status_code == 301 and response["Location"] == f"/events/{winner.slug}/"


@pytest.mark.parametrize(
    ("path", "query"),
    [("", "?page=2"), ("timeline/", ""), ("articles/", "?page=3")],
)
def test_every_page_of_a_merged_event_redirects_to_the_same_page_of_the_winner(client, path, query):
    from events.services.events import event_merge

    winner = EventFactory()
    loser = EventFactory()
    event_merge(loser=loser, winner=winner, by=None)
    response = client.get(f"/events/{loser.slug}/{path}{query}")
    assert response.status_code == 301
    assert response["Location"] == f"/events/{winner.slug}/{path}{query}"
