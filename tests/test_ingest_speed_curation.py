"""The per-process caches of curated data (alias matcher, event profiles, outlet domains): a
warm cache costs one Redis read per article instead of aggregate queries, and a change is seen
on the next article, whether another process committed it, it bypassed the ORM signals (after
the recheck interval) or it was rolled back. And the one-statement attempt count of the
worker's claim still bounds a failing article's attempts."""

import gzip
import os
import socket
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.ingest.urls import url_host
from events.models import (
    Article,
    ArticlePage,
    ArticleState,
    EntityAlias,
    Feed,
    Mention,
    Outlet,
    OutletDomain,
)
from events.services import enrichment
from events.services.articles import (
    MAX_ATTEMPTS,
    article_import_html,
    article_process,
    article_register,
    outlet_for_host,
    process,
    storable_canonical_url,
)
from events.services.enrichment import article_enrich
from events.services.feeds import feed_poll, feed_register
from tests.conftest import BASE_DIR
from tests.factories import ArticleFactory, EntityFactory, OutletFactory

# Committed data, as a worker sees it.
pytestmark = pytest.mark.django_db(transaction=True)

TEXT = "Президентът Токаев поиска помощ от ОДКС заради протестите в Казахстан."


@pytest.fixture
def tokayev():
    entity = EntityFactory(name="Kassym-Jomart Tokayev", slug="tokayev")
    EntityAlias.objects.create(entity=entity, name="Токаев", language="bg")
    return entity


def _article():
    return ArticleFactory(text=TEXT, outlet=None)


def _mentioned(article) -> set[str]:
    return set(Mention.objects.filter(article=article).values_list("entity__slug", flat=True))


def _aggregates(queries) -> list[str]:
    return [q["sql"] for q in queries if "COUNT(" in q["sql"] or "MAX(" in q["sql"]]


def _stamp_reads(monkeypatch) -> list[str]:
    """The list each read of the curation version appends "stamp" to, from now on."""
    reads: list[str] = []
    stamp = enrichment._Curation.stamp
    monkeypatch.setattr(
        enrichment._Curation, "stamp", lambda self: reads.append("stamp") or stamp(self)
    )
    return reads


def test_a_warm_cache_runs_no_aggregate_query(tokayev):
    article_enrich(article=_article())
    article = _article()
    with CaptureQueriesContext(connection) as queries:
        article_enrich(article=article)
    assert _aggregates(queries.captured_queries) == []
    assert _mentioned(article) == {"tokayev"}


def test_an_alias_another_process_commits_is_seen_on_the_next_article(tokayev):
    csto = EntityFactory(name="Collective Security Treaty Organization", slug="csto")
    article_enrich(article=_article())
    script = (
        "import django; django.setup(); from events.models import EntityAlias; "
        f"EntityAlias.objects.create(entity_id={csto.pk}, name='ОДКС', language='bg', "
        "is_acronym=True)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "TRACKER_TEST_RUN_ID": settings.TEST_RUN_ID,
        "TRACKER_TEST_DATABASE": connection.settings_dict["NAME"],
    }
    subprocess.run([sys.executable, "-c", script], env=env, cwd=BASE_DIR, check=True)  # noqa: S603
    article = _article()
    article_enrich(article=article)
    assert _mentioned(article) == {"tokayev", "csto"}


def test_a_change_without_a_signal_is_seen_once_the_recheck_is_due(tokayev, monkeypatch):
    monkeypatch.setattr(enrichment, "RECHECK_SECONDS", 0.0)
    csto = EntityFactory(name="Collective Security Treaty Organization", slug="csto")
    article_enrich(article=_article())
    # bulk_create sends no post_save: only the aggregate recheck can notice it.
    EntityAlias.objects.bulk_create(
        [EntityAlias(entity=csto, name="ОДКС", language="bg", is_acronym=True)]
    )
    article = _article()
    article_enrich(article=article)
    assert _mentioned(article) == {"tokayev", "csto"}


def test_a_rolled_back_alias_is_not_kept_by_the_cache(tokayev):
    csto = EntityFactory(name="Collective Security Treaty Organization", slug="csto")
    article_enrich(article=_article())
    inside = _article()
    with pytest.raises(RuntimeError), transaction.atomic():
        EntityAlias.objects.create(entity=csto, name="ОДКС", language="bg", is_acronym=True)
        article_enrich(article=inside)
        # The transaction sees its own alias.
        assert _mentioned(inside) == {"tokayev", "csto"}
        raise RuntimeError("editor's save failed")
    after = _article()
    article_enrich(article=after)
    assert _mentioned(after) == {"tokayev"}


def test_outlet_for_host_picks_the_closest_domain_and_sees_a_new_one_at_once():
    bbc, news = OutletFactory(name="BBC"), OutletFactory(name="BBC News")
    OutletDomain.objects.create(outlet=bbc, domain="bbc.co.uk")
    assert outlet_for_host("www.bbc.co.uk") == bbc
    assert outlet_for_host("example.org") is None
    OutletDomain.objects.create(outlet=news, domain="news.bbc.co.uk")
    assert outlet_for_host("www.news.bbc.co.uk") == news
    assert outlet_for_host("WWW.BBC.CO.UK") == bbc
    OutletDomain.objects.filter(domain="bbc.co.uk").delete()
    assert outlet_for_host("www.bbc.co.uk") is None


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def test_a_registration_outside_a_transaction_is_one_synchronous_statement_of_its_own():
    seen = []

    def record(execute, sql, params, many, context):
        seen.append((sql, connection.get_autocommit(), connection.in_atomic_block))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        article_id = article_register(url="https://news.example/story?utm_source=x")
    # The registration statement, prepared or plain (a PREPARE, once per connection, is sent
    # on its own before it).
    registering = [
        entry
        for entry in seen
        if entry[0].startswith("EXECUTE tracker_article_register")
        or ("INSERT INTO" in entry[0] and not entry[0].startswith("PREPARE"))
    ]
    # In autocommit the statement is a transaction of its own, committed when it ends: no
    # BEGIN and COMMIT round trips around it. Synchronously: an API client is told "registered"
    # on the strength of that commit, and no later synchronous commit covers it.
    assert [(autocommit, atomic) for _, autocommit, atomic in registering] == [(True, False)]
    assert "synchronous_commit" not in registering[0][0]
    assert _synchronous_commit() == "on"
    assert Article.objects.get(pk=article_id).urls.count() == 2


def test_a_single_registration_finds_its_outlet_in_its_statement_without_a_curation_read(
    monkeypatch,
):
    bbc, news = OutletFactory(name="BBC"), OutletFactory(name="BBC News")
    OutletDomain.objects.create(outlet=bbc, domain="bbc.co.uk")
    outlet_for_host("www.bbc.co.uk")  # the per-process map, built before the next domain
    reads = _stamp_reads(monkeypatch)

    def outlet_of(url: str, **kwargs: object) -> Outlet | None:
        return Article.objects.get(pk=article_register(url=url, **kwargs)).outlet

    assert outlet_of("https://WWW.BBC.CO.UK/news/1") == bbc
    assert outlet_of("https://example.org/news/1") is None
    # The closest domain wins and the host itself counts (and a domain added now is seen,
    # which the per-process map also does when the change is this process's own).
    OutletDomain.objects.create(outlet=news, domain="news.bbc.co.uk")
    assert outlet_of("https://www.news.bbc.co.uk/2") == news
    assert outlet_of("https://news.bbc.co.uk/3") == news
    assert outlet_of("https://www.bbc.co.uk/news/4") == bbc
    # Not a suffix of another label: "notbbc.co.uk" is not bbc.co.uk's.
    assert outlet_of("https://notbbc.co.uk/5") is None
    # A feed's outlet wins over the host's.
    feed = Feed.objects.create(url="https://www.bbc.co.uk/rss.xml", outlet=news)
    assert outlet_of("https://www.bbc.co.uk/news/6", feed=feed) == news
    assert reads == []
    # The statement and outlet_for_host (a poll's links, the store) follow the same rule.
    local = OutletFactory(name="Local")
    for domain in ("localhost", "127.0.0.1", "xn--d1acufc.xn--p1ai", "co.uk"):
        OutletDomain.objects.create(outlet=local, domain=domain)
    hosts = [
        "localhost", "127.0.0.1", "xn--d1acufc.xn--p1ai", "news.xn--d1acufc.xn--p1ai",
        "домен.рф", "BBC.CO.UK.", "co.uk", "a.b.c.news.bbc.co.uk", "[::1]", "uk",
    ]  # fmt: skip
    for n, host in enumerate(hosts):
        url = f"http://{host}/same-rule/{n}"
        assert outlet_of(url) == outlet_for_host(url_host(storable_canonical_url(url))), url


def _local_feed(site, links: int) -> tuple[Outlet, Feed]:
    """A feed of ``links`` links to the local site, without an outlet of its own: its links'
    outlet comes from their host, 127.0.0.1, an outlet's domain."""
    outlet = OutletFactory(name="Local")
    OutletDomain.objects.create(outlet=outlet, domain="127.0.0.1")
    items = "".join(
        f"<item><title>{n}</title><link>{site.url_for(f'/story/{n}')}</link></item>"
        for n in range(links)
    )
    site.expect_request("/feed.xml").respond_with_data(
        f"<rss version='2.0'><channel><title>Local</title>{items}</channel></rss>",
        content_type="application/rss+xml",
    )
    feed = feed_register(url=site.url_for("/feed.xml"))
    Feed.objects.filter(pk=feed.pk).update(outlet=None)
    return outlet, feed


def test_a_feed_poll_reads_the_curation_version_once_for_all_its_links(site, monkeypatch):
    outlet, feed = _local_feed(site, 5)
    reads = _stamp_reads(monkeypatch)

    polled = feed_poll(feed_id=feed.pk)

    assert len(polled.new_article_ids) == 5
    assert len(reads) == 1
    assert set(Article.objects.values_list("outlet", flat=True)) == {outlet.pk}


def test_a_poll_of_a_single_link_reads_no_curation_version(site, monkeypatch):
    outlet, feed = _local_feed(site, 1)
    reads = _stamp_reads(monkeypatch)

    polled = feed_poll(feed_id=feed.pk)

    assert len(polled.new_article_ids) == 1
    assert reads == []  # its registration's statement finds the outlet
    assert Article.objects.get().outlet == outlet


def test_processing_reads_the_curation_version_once_right_after_the_fetch(
    site, tokayev, monkeypatch
):
    body = (BASE_DIR / "tests" / "fixtures" / "pages" / "bg_cp1251.html").read_bytes()
    site.expect_request("/story").respond_with_data(
        body, content_type="text/html; charset=windows-1251"
    )
    article_id = article_register(url=site.url_for("/story"))
    steps = _stamp_reads(monkeypatch)
    extract = process.extract_article
    monkeypatch.setattr(
        process, "extract_article", lambda *a, **k: steps.append("extract") or extract(*a, **k)
    )

    outcome = article_process(article_id=article_id)

    assert outcome.state == ArticleState.READY
    # Read before the extraction (while Redis is awake from the fetch's host slot), once.
    assert steps == ["stamp", "extract"]
    assert _mentioned(Article.objects.get(pk=article_id)) == {"tokayev"}


def test_attempts_are_counted_in_autocommit_until_the_article_is_given_up(settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    with socket.socket() as probe:  # a port nothing listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    article_id = article_register(url=f"http://127.0.0.1:{port}/story")
    outcomes = [article_process(article_id=article_id) for _ in range(MAX_ATTEMPTS + 1)]
    article = Article.objects.get(pk=article_id)
    assert article.attempts == MAX_ATTEMPTS
    assert article.state == ArticleState.FAILED
    assert [o.temporary for o in outcomes[: MAX_ATTEMPTS - 1]] == [True] * (MAX_ATTEMPTS - 1)
    assert outcomes[-1].reason == "already processed"
    # The asynchronous commit was the claim's own: the session keeps the server's setting.
    assert _synchronous_commit() == "on"


def test_the_raw_page_is_kept_as_gzip_that_reads_back_and_is_replaced_in_place():
    body = (BASE_DIR / "tests" / "fixtures" / "pages" / "bg_cp1251.html").read_bytes()
    outcome = article_import_html(body=body, name="bg_cp1251.html", url="https://bg.example/a")
    assert outcome.state == ArticleState.READY
    page = ArticlePage.objects.get(article_id=outcome.article_id)
    assert gzip.decompress(bytes(page.body_gzip)) == body
    # A re-import with other bytes (the same text) replaces the one stored page.
    again = article_import_html(body=body + b"\n<!-- -->", name="x", url="https://bg.example/a")
    assert again.article_id == outcome.article_id
    page = ArticlePage.objects.get(article_id=outcome.article_id)
    assert gzip.decompress(bytes(page.body_gzip)) == body + b"\n<!-- -->"
