"""A journalist in a real Chromium: browsing, language, search, hostile articles, no-JS
reading, htmx under the Content-Security-Policy. Screenshots land in var/screenshots/."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from events.demo import data as demo
from events.models import ArticleEvent, LinkState, Precision
from events.services.demo import demo_load
from events.services.timeline import CitationData, update_create, update_publish
from events.web.timeline import PAGE_LINES
from tests.factories import ArticleFactory, EntityFactory, EventFactory, OutletFactory

pytestmark = pytest.mark.django_db(transaction=True)

HOSTILE = (
    '<script>window.pwned = 1; alert("script")</script>'
    "<img src=x onerror=\"window.pwned = 2; alert('onerror')\">"
)


def _publish(event, headline, **citation):
    update = update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
        headline=headline,
        by=None,
        citations=[CitationData(**citation)],
    )
    return update_publish(update=update, by=None)


def test_reader_browses_home_event_timeline_and_article(page, login, live_server, reader_user,
                                                        screenshot):  # fmt: skip
    demo_load()
    login(page, live_server, reader_user)
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Events")
    expect(page.locator(".event-card .counts").first).to_be_visible()
    screenshot(page, "home")

    page.get_by_role("link", name="CSTO deployment to Kazakhstan", exact=True).first.click()
    expect(page).to_have_url(re.compile(f"/events/{demo.CSTO_DEPLOYMENT}/$"))
    expect(page.locator("#event-title")).to_have_text("CSTO deployment to Kazakhstan")
    timeline = page.locator(".timeline-section")
    expect(timeline.locator(".day-heading").first).to_be_visible()
    expect(timeline.locator(".citation blockquote").first).to_be_visible()
    expect(page.locator(".related dt").first).to_be_visible()
    expect(page.locator("svg.relation-graph")).to_be_visible()
    screenshot(page, "event")

    timeline.locator(".citation .source a[href^='/articles/']").first.click()
    expect(page).to_have_url(re.compile(r"/articles/\d+/$"))
    expect(page.locator("#article-title")).to_have_text(demo.SEED_ARTICLE.title)
    expect(page.locator(".article-text .text")).to_contain_text("ОДКС")
    screenshot(page, "article")

    page.locator("a[href^='/entities/']").first.click()
    expect(page).to_have_url(re.compile(r"/entities/\d+/$"))
    expect(page.locator("#entity-title")).to_be_visible()
    screenshot(page, "entity")
    # Nothing was refused by the Content-Security-Policy and no script failed on the way.
    assert page.errors == []


def test_reader_switches_the_interface_to_bulgarian(page, screenshot):
    demo_load()
    page.goto(f"/events/{demo.UNREST}/")
    page.get_by_role("button", name=re.compile("BG")).click()
    expect(page.locator("html")).to_have_attribute("lang", "bg")
    expect(page).to_have_url(re.compile(f"/events/{demo.UNREST}/$"))
    expect(page.locator("#event-title")).to_have_text("Вълненията в Казахстан (януари 2022 г.)")
    expect(page.locator("#timeline-title")).to_have_text("Хроника")
    expect(page.get_by_role("button", name="Търсене")).to_be_visible()
    screenshot(page, "event-bg")
    page.goto("/")
    expect(page.locator("h1")).to_have_text("Събития")
    screenshot(page, "home-bg")


def test_reader_searches_in_bulgarian(page, screenshot):
    """Against the search page at /search/ (url name web:search)."""
    demo_load()
    page.goto("/")
    box = page.get_by_role("searchbox")
    box.fill("Токаев")
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search/\?q=%D0%A2%D0%BE%D0%BA%D0%B0%D0%B5%D0%B2"))
    main = page.locator("main")
    expect(main.get_by_role("link", name=re.compile("Tokayev|Токаев")).first).to_be_visible()
    screenshot(page, "search-bg")


def test_hostile_article_stays_inert(page, login, live_server, reader_user, screenshot):
    event = EventFactory(title=HOSTILE, status="developing")
    article = ArticleFactory(title=HOSTILE, text=HOSTILE, byline=HOSTILE)
    ArticleEvent.objects.create(
        article=article, event=event, score=0.9, state=LinkState.CONFIRMED,
        decided_at=dt.datetime(2022, 1, 7, tzinfo=dt.UTC),
    )  # fmt: skip
    speaker = EntityFactory(name=HOSTILE)
    _publish(event, HOSTILE, article_id=article.pk, speaker_id=speaker.pk, quote="Токаев")
    login(page, live_server, reader_user)
    for url in ("/", f"/events/{event.slug}/", f"/articles/{article.pk}/",
                f"/entities/{speaker.pk}/"):  # fmt: skip
        page.goto(url)
        page.wait_for_load_state("load")
        assert page.evaluate("typeof window.pwned") == "undefined", url
        assert page.locator("main script").count() == 0, url
        assert page.locator("main img").count() == 0, url
    page.goto(f"/articles/{article.pk}/")
    expect(page.locator(".article-text .text")).to_contain_text("<script>window.pwned = 1;")
    expect(page.locator("#article-title")).to_contain_text('onerror="window.pwned = 2;')
    screenshot(page, "hostile-article")
    assert page.dialogs == []


def test_reading_works_without_javascript(browser, live_server):
    demo_load()
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto("/")
        page.get_by_role("link", name="2022 Kazakhstan unrest", exact=True).click()
        expect(page.locator("#event-title")).to_have_text("2022 Kazakhstan unrest")
        expect(page.locator(".update").first).to_be_visible()
        page.get_by_role("button", name=re.compile("BG")).click()
        expect(page.locator("#timeline-title")).to_have_text("Хроника")
    finally:
        context.close()


def test_more_articles_load_in_place_with_htmx_under_csp(page, screenshot):
    event = EventFactory(title="Many stories")
    for i in range(30):
        ArticleEvent.objects.create(
            article=ArticleFactory(title=f"Story {i:02d}"), event=event, score=0.5,
            state=LinkState.CONFIRMED, decided_at=dt.datetime(2022, 1, 7, tzinfo=dt.UTC),
        )  # fmt: skip
    page.goto(f"/events/{event.slug}/")
    items = page.locator(".articles .article-item")
    expect(items).to_have_count(25)
    page.get_by_role("link", name="More articles").click()
    expect(items).to_have_count(30)
    expect(page).to_have_url(re.compile(f"/events/{event.slug}/$"))  # no navigation
    assert page.errors == []


def test_event_page_fits_a_phone_and_prints(browser, live_server, screenshot):
    demo_load()
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, base_url=live_server.url, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(f"/events/{demo.CSTO_DEPLOYMENT}/")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0
        screenshot(page, "event-phone")
        page.emulate_media(media="print")
        expect(page.locator("header.site")).to_be_hidden()
        expect(page.locator(".timeline-section")).to_be_visible()
    finally:
        context.close()


def test_admin_and_api_docs_still_work_under_the_policy(page):
    page.goto("/admin/login/")
    expect(page.locator("#id_username")).to_be_visible()
    page.goto("/api/v1/docs/")
    expect(page.locator("#swagger-ui .info .title")).to_contain_text("Tracker API")
    assert [e for e in page.errors if "Content Security Policy" in e] == []
    # The admin has no icon link, so Chromium asks for /favicon.ico; nothing else is missing.
    assert {url for _, url in page.failed_responses} <= {f"{page.url.split('/api')[0]}/favicon.ico"}


def _long_timeline(lines: int):
    event = EventFactory(title="Long story")
    outlet = OutletFactory()
    for n in range(lines):
        update = update_create(
            event=event,
            occurred_at=dt.datetime(2022, 1, 2, tzinfo=dt.UTC) + dt.timedelta(hours=n),
            precision=Precision.MINUTE,
            headline=f"Line {n:02d}",
            by=None,
            citations=[CitationData(outlet_id=outlet.pk)],
        )
        update_publish(update=update, by=None)
    return event


def test_earlier_and_later_timeline_lines_swap_in_place_with_htmx(page, screenshot):
    event = _long_timeline(PAGE_LINES + 3)
    page.goto(f"/events/{event.slug}/")
    lines = page.locator("#timeline .update")
    expect(lines).to_have_count(PAGE_LINES)
    expect(lines.first).to_contain_text("Line 03")
    page.get_by_role("link", name="Earlier lines").click()
    expect(lines).to_have_count(3)
    expect(lines.first).to_contain_text("Line 00")
    expect(page.locator("#articles-title")).to_be_visible()  # the rest of the page stayed
    expect(page).to_have_url(re.compile(f"/events/{event.slug}/$"))  # no navigation
    screenshot(page, "timeline-earlier")
    page.get_by_role("link", name="Later lines").click()
    expect(lines).to_have_count(PAGE_LINES)
    expect(lines.last).to_contain_text(f"Line {PAGE_LINES + 2}")
    assert page.errors == []


def test_timeline_pages_and_the_whole_timeline_without_javascript(browser, live_server):
    event = _long_timeline(PAGE_LINES + 3)
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    try:
        page = context.new_page()
        page.goto(f"/events/{event.slug}/")
        page.get_by_role("link", name="Earlier lines").click()
        expect(page).to_have_url(re.compile(r"\?page=2#timeline$"))
        expect(page.locator("#timeline .update")).to_have_count(3)
        page.get_by_role("link", name=re.compile("The whole timeline")).click()
        expect(page.locator("#timeline .update")).to_have_count(PAGE_LINES + 3)
        page.emulate_media(media="print")
        expect(page.locator(".timeline-nav")).to_have_count(0)
        expect(page.locator("#timeline .update").last).to_be_visible()
    finally:
        context.close()


def test_the_language_switch_works_from_a_page_served_by_the_micro_cache(
    page, live_server, settings
):
    """Anonymous pages come from the micro-cache (events/web/pagecache.py), each with the
    visitor's own CSRF token in the language switch: Chromium's POST passes CSRF."""
    from django.test import Client

    from tests.web.test_page_microcache import _clear_entries

    settings.WEB_ANON_CACHE_SECONDS = 30
    _clear_entries()
    try:
        demo_load()
        url = f"/events/{demo.UNREST}/"
        # Another visitor's request (same host, no cookie) fills it.
        host = live_server.url.removeprefix("http://")
        assert Client().get(url, HTTP_HOST=host).status_code == 200
        response = page.goto(url)
        assert response is not None and "age" in response.headers  # served from the cache
        page.get_by_role("button", name=re.compile("BG")).click()
        expect(page.locator("html")).to_have_attribute("lang", "bg")
        expect(page.locator("#timeline-title")).to_have_text("Хроника")
        page.get_by_role("button", name=re.compile("EN")).click()
        expect(page.locator("html")).to_have_attribute("lang", "en")
        assert page.failed_responses == [] and page.errors == []
    finally:
        _clear_entries()
