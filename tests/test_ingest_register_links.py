"""A feed poll's links registered in one statement (articles_register_links): the same
articles and URLs as registering them one by one (article_register), whatever mix of new,
known, repeated and invalid links a feed carries; prepared or plain; one statement for a
feed, not one and a savepoint per link."""

import datetime as dt

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.models import Article, ArticleURL, Feed, OutletDomain
from events.services.articles import Link, article_register, articles_register_links
from events.services.articles.register import _LINK_COLUMNS, _register_fields
from tests.factories import OutletFactory

pytestmark = pytest.mark.django_db

WHEN = dt.datetime(2022, 1, 5, 9, 30, tzinfo=dt.UTC)


def _before() -> None:
    """What is stored before the poll: an article known by a tracking-parameter URL, and one
    whose canonical URL is stored without being one of its URLs."""
    article_register(url="https://news.example/known?utm_source=rss")
    Article.objects.create(canonical_url="https://news.example/stored")


LINKS = [
    Link("https://news.example/a", title="A", published_at=WHEN),
    Link("https://news.example/a?utm_medium=feed", title="A again"),  # same canonical, same batch
    Link("https://news.example/b#comments", title="B"),
    Link("https://news.example/known?utm_source=rss", title="known by this URL"),
    Link("https://news.example/known", title="known by its canonical URL"),
    Link("https://news.example/stored?fbclid=x", title="canonical URL stored, not a URL"),
    Link("ftp://news.example/c", title="not a web URL"),  # skipped
    Link("https://other.example/d", title="D", published_at=WHEN),
    Link("https://news.example/a", title="A, the same URL twice"),
    Link("https://news.example/" + "x" * 600, title="long " * 200),
    Link("https://news.example/e?utm_source=" + "u" * 2100, title="a URL too long to keep"),
]
# The links the statement leaves to article_register: a second link to /a (twice) and the
# canonical URL stored without being a URL.
UNDECIDED = 3


def _state(new_ids: list[int]) -> tuple[list[str], list[tuple], list[tuple[str, str]]]:
    """The outcome by canonical URL, not by id: what two registrations must agree on."""
    articles = Article.objects.order_by("canonical_url")
    urls = ArticleURL.objects.values_list("url", "article__canonical_url").order_by("url")
    new = Article.objects.filter(pk__in=new_ids).values_list("canonical_url", flat=True)
    rows = articles.values_list(
        "canonical_url", "title", "published_at", "feed__url", "outlet__name", "state"
    )
    return sorted(new), list(rows), list(urls)


def _feed() -> Feed:
    news = OutletFactory(name="News")
    OutletDomain.objects.create(outlet=news, domain="news.example")
    return Feed.objects.create(url="https://feeds.example/rss")


def _one_by_one(feed: Feed) -> list[int]:
    with transaction.atomic():
        ids = [
            article_register(
                url=link.url, feed=feed, title=link.title, published_at=link.published_at
            )
            for link in LINKS
        ]
    return [i for i in ids if i is not None]


def _in_one_statement(feed: Feed) -> list[int]:
    with transaction.atomic():
        return articles_register_links(links=LINKS, feed=feed)


@pytest.mark.parametrize("prepared", [True, False])
def test_one_statement_registers_what_one_by_one_registers(settings, prepared):
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    feed = _feed()
    _before()
    with transaction.atomic():
        sid = transaction.savepoint()
        one_by_one = _state(_one_by_one(feed))
        transaction.savepoint_rollback(sid)
    with CaptureQueriesContext(connection) as sent:
        batch_ids = _in_one_statement(feed)
    batch = _state(batch_ids)

    assert batch == one_by_one
    new, rows, urls = batch
    assert new == [
        "https://news.example/a",
        "https://news.example/b",
        "https://news.example/e",
        "https://news.example/" + "x" * 600,
        "https://other.example/d",
    ]
    # The known, repeated and invalid links add nothing new.
    assert len(batch_ids) == 5
    # Only the undecided links were registered one by one.
    alone = [q["sql"] for q in sent.captured_queries if _single_registration(q["sql"])]
    assert len(alone) == UNDECIDED
    assert [c for c, *_ in rows if c.startswith("https://news.example/a")] == [
        "https://news.example/a"
    ]
    assert ("https://news.example/a?utm_medium=feed", "https://news.example/a") in urls
    assert ("https://news.example/stored?fbclid=x", "https://news.example/stored") in urls
    assert ("https://news.example/known", "https://news.example/known") in urls
    # The overlong URL is not kept (it could not be stored): its canonical form is.
    assert ("https://news.example/e", "https://news.example/e") in urls
    assert all(len(url) <= 2048 for url, _ in urls)


def _single_registration(sql: str) -> bool:
    """article_register's statement, prepared or plain."""
    return sql.startswith("EXECUTE tracker_article_register (") or (
        "LIMIT 1" in sql and "WITH known AS" in sql and not sql.startswith("PREPARE")
    )


def test_new_ids_come_back_in_link_order_not_url_order():
    feed = _feed()
    paths = ["zeta", "yankee", "x-ray", "whiskey", "alpha"]
    with transaction.atomic():
        new = articles_register_links(
            links=[Link(f"https://news.example/{p}") for p in paths], feed=feed
        )
    canonical = dict(Article.objects.filter(pk__in=new).values_list("pk", "canonical_url"))
    assert [canonical[i] for i in new] == [f"https://news.example/{p}" for p in paths]


def test_every_default_the_links_share_is_the_same_for_every_row():
    """The batch takes the columns outside _LINK_COLUMNS from the first link's row: a column
    whose default is computed per row (a UUID, say) must join _LINK_COLUMNS. The callable
    defaults and automatic timestamps today, each the same for a poll's links:"""
    fields = [f for f in _register_fields() if f.column not in _LINK_COLUMNS]
    computed = {
        f.column
        for f in fields
        if (f.has_default() and callable(f.default))
        or getattr(f, "auto_now", False)
        or getattr(f, "auto_now_add", False)
    }
    assert computed == {"created_at", "updated_at", "minhash"}  # the poll's time; an empty list


def test_a_poll_sends_one_registration_statement_not_one_and_a_savepoint_per_link():
    feed = _feed()
    links = [Link(f"https://news.example/story/{n}", title=str(n)) for n in range(25)]
    with CaptureQueriesContext(connection) as sent, transaction.atomic():
        new = articles_register_links(links=links, feed=feed)
    assert len(new) == 25
    assert Article.objects.filter(pk__in=new, feed=feed).count() == 25
    registering = [q["sql"] for q in sent.captured_queries if "register" in q["sql"]]
    assert [sql.split("(")[0] for sql in registering if sql.startswith("EXECUTE")] == [
        "EXECUTE tracker_article_register_links "
    ]
    # SAVEPOINT and RELEASE twice: the block's above (inside the test's transaction) and the
    # statement's own; one by one, each link would add its pair.
    assert sum("SAVEPOINT" in q["sql"] for q in sent.captured_queries) == 4


def test_a_forgotten_links_statement_is_sent_again_from_its_savepoint():
    feed = _feed()
    links = [Link(f"https://news.example/story/{n}") for n in range(3)]
    with transaction.atomic():
        assert len(articles_register_links(links=links, feed=feed)) == 3
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE tracker_article_register_links")
    more = [Link(f"https://news.example/more/{n}") for n in range(3)]
    with transaction.atomic():
        assert len(articles_register_links(links=more + links, feed=feed)) == 3
    assert Article.objects.count() == 6


def test_one_link_or_none_go_through_article_register():
    feed = _feed()
    with transaction.atomic():
        assert articles_register_links(links=[], feed=feed) == []
        (one,) = articles_register_links(links=[Link("https://news.example/one")], feed=feed)
    assert Article.objects.get(pk=one).feed == feed
