"""The operators' ingestion commands (ingest_feed, ingest_url, import_articles) run the
workers' pipeline synchronously against a real local HTTP server, print one-line summaries,
and fail with a one-line CommandError only when the feed, URL or path itself is unusable."""

import datetime as dt
import hashlib
import shutil
from io import StringIO
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from events.models import Article, ArticleState, ArticleURL, Feed, FeedHealth
from tests.test_ingest_pipeline import FOOTBALL

pytestmark = pytest.mark.django_db

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
FEEDS = Path(__file__).resolve().parent / "fixtures" / "feeds"
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml"
# Each fixture page as its outlet serves it: the Bulgarian one declares its charset in the
# header, the Russian one only in a <meta>.
SERVED = {
    "bg": ("/svyat/2022/01/07/odks", "bg_cp1251.html", "text/html; charset=windows-1251"),
    "ru": ("/politics/20220106/odkb.html", "ru_koi8r.html", "text/html"),
    "en": ("/world/white-house-kazakhstan", "en_reuters_wire.html", HTML),
}
TITLES = {
    "bg": "САЩ искат обяснение защо в Казахстан влизат сили на ОДКС",
    "ru": "Миротворцы ОДКБ прибыли в Казахстан по запросу Токаева",
    "en": "White House says Kazakhstan crisis will not affect NATO-Russia talks",
}
# Menus, teasers, comments, "most read" boxes and footers of each page.
BOILERPLATE = {
    "bg": ["Използваме бисквитки", "Търсене", "Мобилният интернет остава блокиран",
           "Свързани статии", "Историята се повтаря", "Най-четени", "Всички права запазени"],
    "ru": ["Мы используем файлы cookie", "Происшествия", "Читайте также", "Комментарии",
           "Самое читаемое", "Все права защищены"],
    "en": ["We use cookies", "Breakingviews", "Read Next", "Most Read", "All rights reserved"],
}  # fmt: skip


def _serve_pages(server) -> dict[str, str]:
    urls = {}
    for key, (path, name, content_type) in SERVED.items():
        body = (PAGES / name).read_bytes()
        server.expect_request(path).respond_with_data(body, content_type=content_type)
        urls[key] = server.url_for(path)
    return urls


def _rss(*links: str) -> bytes:
    items = "".join(
        f"<item><title>Item {n}</title><link>{escape(link)}</link>"
        f"<pubDate>Fri, 07 Jan 2022 09:42:00 +0200</pubDate></item>"
        for n, link in enumerate(links)
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        "<title>Kazakhstan wire</title><link>http://127.0.0.1/</link>"
        f"<description>Test feed</description>{items}</channel></rss>"
    ).encode()


def _call(*args: str) -> str:

    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def _one_line(error: pytest.ExceptionInfo[CommandError]) -> str:
    message = str(error.value)
    assert message and "\n" not in message
    return message


# --- ingest_feed ------------------------------------------------------------------------------


def test_ingest_feed_stores_each_linked_article_once_clean_and_language_tagged(site):
    urls = _serve_pages(site)
    tracked = f"{urls['en']}?utm_source=rss&utm_medium=feed&fbclid=abc#top"
    feed_body = _rss(urls["bg"], urls["ru"], urls["en"], tracked)
    site.expect_request("/feed.xml").respond_with_data(
        feed_body,
        content_type=RSS,
        headers={"ETag": '"v1"', "Last-Modified": "Fri, 07 Jan 2022 10:00:00 GMT"},
    )
    feed_url = site.url_for("/feed.xml")
    out = _call("ingest_feed", feed_url)
    assert out.splitlines() == [
        f"feed {feed_url}: 4 entries, 3 new; 3 ingested (0 duplicates), 0 failed"
    ]
    feed = Feed.objects.get()
    articles = {a.canonical_url: a for a in Article.objects.all()}
    assert set(articles) == set(urls.values())
    for key, url in urls.items():
        article = articles[url]
        assert article.state == ArticleState.READY
        assert article.feed == feed
        assert (article.detected_language, article.language) == (key, key)
        assert article.title == TITLES[key]
        assert len(article.text) > 800
        for phrase in BOILERPLATE[key]:
            assert phrase not in article.text, (key, phrase)
        # The raw page is kept, so the text can be extracted again.
        served = (PAGES / SERVED[key][1]).read_bytes()
        assert article.page.sha256 == hashlib.sha256(served).hexdigest()
    assert ArticleURL.objects.filter(article=articles[urls["en"]], url=tracked).exists()
    assert (feed.health, feed.consecutive_failures, feed.last_error) == (FeedHealth.HEALTHY, 0, "")
    assert (feed.etag, feed.last_modified) == ('"v1"', "Fri, 07 Jan 2022 10:00:00 GMT")
    assert feed.title == "Kazakhstan wire"
    assert (feed.last_status, feed.last_new_items, feed.items_seen) == (200, 3, 3)
    assert feed.next_poll_at > timezone.now()


def test_ingest_feed_again_is_a_conditional_get_and_adds_nothing(site):
    urls = _serve_pages(site)
    # Only a request carrying the ETag gets the 304; without it the server has no handler.
    site.expect_request("/feed.xml", headers={"If-None-Match": '"v1"'}).respond_with_data(
        "", status=304, headers={"ETag": '"v1"'}
    )
    site.expect_request("/feed.xml").respond_with_data(
        _rss(*urls.values()), content_type=RSS, headers={"ETag": '"v1"'}
    )
    feed_url = site.url_for("/feed.xml")
    _call("ingest_feed", feed_url)
    before = set(Article.objects.values_list("id", "text_version"))
    polled_at = Feed.objects.get().last_polled_at
    out = _call("ingest_feed", feed_url)
    assert out.splitlines() == [f"feed {feed_url}: not modified since the last poll"]
    assert set(Article.objects.values_list("id", "text_version")) == before
    assert len(before) == 3
    feed = Feed.objects.get()
    assert (feed.health, feed.last_status, feed.etag) == (FeedHealth.HEALTHY, 304, '"v1"')
    assert feed.last_polled_at > polled_at
    assert feed.next_poll_at > timezone.now()
    assert site.log[-1][0].headers["If-None-Match"] == '"v1"'


def test_ingest_feed_lists_failed_articles_and_still_succeeds(site):
    urls = _serve_pages(site)
    site.expect_request("/missing").respond_with_data("", status=404)
    missing = site.url_for("/missing")
    site.expect_request("/feed.xml").respond_with_data(_rss(urls["en"], missing), content_type=RSS)
    out = _call("ingest_feed", site.url_for("/feed.xml"))
    failed = Article.objects.get(canonical_url=missing)
    assert out.splitlines()[1:] == [f"  article {failed.pk}: HTTP 404"]
    assert "2 entries, 2 new; 1 ingested (0 duplicates), 1 failed" in out
    # Editors see the failure on its feed; it is never listed as an article.
    assert Feed.objects.get().articles.filter(state=ArticleState.FAILED).get() == failed
    assert failed.failure_reason == "HTTP 404"


def test_ingest_feed_counts_a_syndicated_copy_as_a_duplicate(site):
    urls = _serve_pages(site)
    copy_path = "/courier/kazakhstan-unrest"
    site.expect_request(copy_path).respond_with_data(
        (PAGES / "en_syndicated_copy.html").read_bytes(), content_type=HTML
    )
    site.expect_request("/feed.xml").respond_with_data(
        _rss(urls["en"], site.url_for(copy_path)), content_type=RSS
    )
    out = _call("ingest_feed", site.url_for("/feed.xml"))
    assert "2 entries, 2 new; 2 ingested (1 duplicates), 0 failed" in out
    copy = Article.objects.get(canonical_url=site.url_for(copy_path))
    assert copy.duplicate_of.canonical_url == urls["en"]


def test_ingest_feed_fails_in_one_line_and_the_feed_shows_it(site):
    site.expect_request("/feed.xml").respond_with_data("oops", status=500)
    feed_url = site.url_for("/feed.xml")
    with pytest.raises(CommandError) as raised:
        _call("ingest_feed", feed_url)
    assert _one_line(raised) == f"feed {feed_url} failed: HTTP 500"
    feed = Feed.objects.get()
    assert (feed.health, feed.last_error, feed.last_status) == (FeedHealth.FAILING, "HTTP 500", 500)
    assert feed.consecutive_failures > 0
    assert feed.next_poll_at > timezone.now()


def test_feed_that_keeps_failing_becomes_unhealthy_but_stays_scheduled(site):
    site.expect_request("/feed.xml").respond_with_data("oops", status=500)
    feed_url = site.url_for("/feed.xml")
    health = []
    for _ in range(9):
        with pytest.raises(CommandError):
            _call("ingest_feed", feed_url)
        health.append(Feed.objects.get().health)
    assert health[0] == FeedHealth.FAILING
    assert health[-1] == FeedHealth.UNHEALTHY
    feed = Feed.objects.get()
    assert feed.is_active
    assert feed.next_poll_at > timezone.now() + dt.timedelta(hours=12)


def test_ingest_feed_of_a_hostile_feed_records_the_error(site):
    body = (FEEDS / "billion_laughs.xml").read_bytes()
    site.expect_request("/laughs.xml").respond_with_data(body, content_type="application/xml")
    with pytest.raises(CommandError) as raised:
        _call("ingest_feed", site.url_for("/laughs.xml"))
    message = _one_line(raised)
    feed = Feed.objects.get()
    assert feed.last_error and feed.last_error in message
    assert feed.health == FeedHealth.FAILING
    assert not Article.objects.exists()


TOO_LONG = "https://example.com/" + "x" * 2100


@pytest.mark.parametrize(
    "url", ["ftp://example.com/feed.xml", "not a url", pytest.param(TOO_LONG, id="too-long")]
)
def test_ingest_feed_refuses_an_invalid_url(url):
    with pytest.raises(CommandError) as raised:
        _call("ingest_feed", url)
    assert _one_line(raised).startswith(url)
    assert not Feed.objects.exists()


# --- ingest_url -------------------------------------------------------------------------------


def test_ingest_url_stores_the_article_and_prints_it(site):
    url = _serve_pages(site)["bg"]
    out = _call("ingest_url", url)
    article = Article.objects.get()
    assert out.splitlines() == [
        f"{url}: 1 ingested (0 duplicates), 0 failed",
        f"  article {article.pk} [bg] {TITLES['bg']}",
    ]
    assert article.state == ArticleState.READY


def test_ingest_url_twice_reports_the_article_as_known(site):
    url = _serve_pages(site)["en"]
    _call("ingest_url", url)
    tracked = f"{url}?utm_campaign=x"
    out = _call("ingest_url", tracked)
    article = Article.objects.get()
    assert out.splitlines() == [
        f"{tracked}: 0 ingested (0 duplicates), 1 already known, 0 failed",
        f"  article {article.pk} [en] {TITLES['en']}",
    ]
    assert article.text_version == 1
    assert set(article.urls.values_list("url", flat=True)) == {url, tracked}


def test_ingest_url_of_a_redirect_to_a_known_article_names_that_article(site):
    url = _serve_pages(site)["en"]
    _call("ingest_url", url)
    site.expect_request("/r/1").respond_with_data("", status=301, headers={"Location": url})
    short = site.url_for("/r/1")
    out = _call("ingest_url", short)
    article = Article.objects.get()
    assert out.splitlines() == [
        f"{short}: 0 ingested (0 duplicates), 1 already known, 0 failed",
        f"  article {article.pk} [en] {TITLES['en']}",
    ]
    assert article.urls.filter(url=short).exists()


def test_ingest_url_refused_for_a_private_address_unless_allowed(httpserver_ipv4, settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False
    httpserver_ipv4.expect_request("/story").respond_with_data(
        (PAGES / "en_reuters_wire.html").read_bytes(), content_type=HTML
    )
    url = httpserver_ipv4.url_for("/story")
    out = StringIO()
    with pytest.raises(CommandError) as error:
        call_command("ingest_url", url, stdout=out)
    out = out.getvalue()
    article = Article.objects.get()
    assert _one_line(error) == f"{url}: {article.failure_reason}"
    assert article.state == ArticleState.FAILED
    assert "127.0.0.1 is a loopback address" in article.failure_reason
    assert out.splitlines() == [
        f"{url}: 0 ingested (0 duplicates), 1 failed",
        f"  article {article.pk}: {article.failure_reason}",
    ]
    assert httpserver_ipv4.log == []  # nothing, not even robots.txt, reached the server


@pytest.mark.parametrize(
    "url",
    [
        "ftp://x",
        "not a url",
        "http://",
        "https://exa mple.com/a",
        pytest.param(TOO_LONG, id="too-long"),
    ],
)
def test_ingest_url_refuses_an_invalid_url_and_stores_nothing(url):
    with pytest.raises(CommandError) as raised:
        _call("ingest_url", url)
    assert _one_line(raised).startswith(f"{url}: ")
    assert not Article.objects.exists()
    assert not ArticleURL.objects.exists()


# --- import_articles --------------------------------------------------------------------------


def _saved_pages(folder: Path) -> Path:
    folder.mkdir()
    for page in PAGES.glob("*.html"):
        shutil.copy(page, folder / page.name)
    # A page saved from a site that names no canonical URL.
    (folder / "sport" / "football.htm").parent.mkdir()
    (folder / "sport" / "football.htm").write_bytes(FOOTBALL)
    (folder / "notes.txt").write_text("not a page")
    return folder


def test_import_articles_from_a_folder_of_saved_pages(tmp_path):
    folder = _saved_pages(tmp_path / "saved")
    out = _call("import_articles", str(folder))
    failed = Article.objects.get(state=ArticleState.FAILED)
    # bg_cp1251_nometa.html is the same article as bg_cp1251.html (same canonical URL);
    # en_syndicated_copy.html is a copy of en_reuters_wire.html; not_article.html is a listing.
    assert out.splitlines() == [
        "7 items: 5 ingested (1 duplicates), 1 already known, 1 failed",
        f"  article {failed.pk}: page is a list of links",
    ]
    football_urn = f"urn:tracker-file:{hashlib.sha256(FOOTBALL).hexdigest()}"
    ready = dict(
        Article.objects.filter(state=ArticleState.READY).values_list("canonical_url", "id")
    )
    assert set(ready) == {
        "https://novinar.example.bg/svyat/2022/01/07/sasht-kazahstan-odks-38417",
        "https://eurasia-today.example.ru/politics/20220106/odkb-kazakhstan.html",
        "https://www.reuters.com/world/asia-pacific/"
        "white-house-says-kazakhstan-crisis-will-not-affect-nato-russia-talks-2022-01-06/",
        "https://www.dailycourier.example.com/news/world/"
        "kazakhstan-unrest-wont-derail-nato-russia-talks-white-house-says/article_5f1c0e2a.html",
        football_urn,
    }
    copy = Article.objects.get(canonical_url__contains="dailycourier")
    assert copy.duplicate_of.canonical_url.startswith("https://www.reuters.com/")
    # The file's own id stays known as a URL of the article, so importing it again finds it.
    bg = Article.objects.get(canonical_url__contains="novinar")
    assert bg.urls.filter(url__startswith="urn:tracker-file:").count() == 2
    assert failed.canonical_url.startswith("urn:tracker-file:")


def test_import_articles_twice_creates_nothing_new(tmp_path):
    folder = _saved_pages(tmp_path / "saved")
    _call("import_articles", str(folder))
    articles = set(Article.objects.values_list("id", "canonical_url", "text_version", "state"))
    urls = set(ArticleURL.objects.values_list("id", "url"))
    out = _call("import_articles", str(folder))
    assert out.splitlines()[0] == "7 items: 0 ingested (0 duplicates), 6 already known, 1 failed"
    assert set(Article.objects.values_list("id", "canonical_url", "text_version", "state")) == (
        articles
    )
    assert set(ArticleURL.objects.values_list("id", "url")) == urls


def test_import_articles_from_a_list_of_urls(site, tmp_path):
    urls = _serve_pages(site)
    site.expect_request("/missing").respond_with_data("", status=404)
    listing = tmp_path / "urls.txt"
    listing.write_text(
        "# saved on 7 January\n"
        f"{urls['bg']}\n\n"
        f"  {urls['ru']}  \n"
        f"{urls['ru']}?utm_source=newsletter\n"
        f"{site.url_for('/missing')}\n"
        "ftp://example.com/story\n"
    )
    out = _call("import_articles", str(listing)).splitlines()
    missing = Article.objects.get(state=ArticleState.FAILED)
    assert out == [
        "5 items: 2 ingested (0 duplicates), 1 already known, 2 failed",
        f"  article {missing.pk}: HTTP 404",
        "  ftp://example.com/story: not an http(s) URL: 'ftp://example.com/story'",
    ]
    assert set(
        Article.objects.filter(state=ArticleState.READY).values_list("language", flat=True)
    ) == {
        "bg",
        "ru",
    }


def test_import_articles_refuses_a_missing_path_or_an_empty_folder(tmp_path):
    with pytest.raises(CommandError) as raised:
        _call("import_articles", str(tmp_path / "nowhere"))
    assert _one_line(raised) == f"{tmp_path / 'nowhere'}: no such file or folder"
    with pytest.raises(CommandError) as raised:
        _call("import_articles", str(tmp_path))
    assert "nothing to import" in _one_line(raised)
    assert not Article.objects.exists()
