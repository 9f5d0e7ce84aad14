"""Reliability of ingestion with real workers: a task delivered twice, workers racing on one
feed or one article, and a worker killed mid-article all leave exactly one Article per
canonical URL, and nothing is lost."""

import signal
import threading
import time
from pathlib import Path

import pytest
from werkzeug import Response

from events.models import Article, ArticleState, ArticleURL, Feed
from events.services.articles import article_register
from events.services.feeds import feed_register
from events.tasks import article_process_task, feed_poll_task

PAGES = Path(__file__).parent / "fixtures" / "pages"
WIRE = (PAGES / "en_reuters_wire.html").read_bytes()
HTML = "text/html; charset=utf-8"
WORKER_ENV = {"INGEST_ALLOW_PRIVATE_NETWORKS": "true"}

pytestmark = pytest.mark.worker


def _serve(httpserver, path: str, body: bytes = WIRE) -> str:
    httpserver.expect_request(path).respond_with_data(body, content_type=HTML)
    return httpserver.url_for(path)


@pytest.fixture
def site(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    return httpserver


def _wait_until(predicate, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the workers")
        time.sleep(0.2)


def _page(n: int) -> bytes:
    # Distinct stories: the wire page with its sentences in another order per page.
    text = WIRE.decode()
    start, end = text.index("<article"), text.index("</article>")
    paragraphs = text[start:end].split("</p>")
    body = "</p>".join(paragraphs[n % len(paragraphs) :] + paragraphs[: n % len(paragraphs)])
    return (text[:start] + body + text[end:]).replace("<title>", f"<title>Story {n}: ").encode()


def test_task_delivered_twice_stores_one_article(start_worker, site):
    start_worker(**WORKER_ENV)
    article_id = article_register(url=_serve(site, "/wire"))
    results = [article_process_task.delay(article_id) for _ in range(2)]
    assert [r.get(timeout=90)["state"] for r in results] == ["ready", "ready"]
    article = Article.objects.get()
    assert (article.state, article.text_version) == (ArticleState.READY, 1)
    assert article.mentions.count() == len({m.entity_id for m in article.mentions.all()})


def test_two_workers_racing_on_one_article_store_it_once(start_worker, site):
    start_worker(**WORKER_ENV)
    start_worker(**WORKER_ENV)
    url = _serve(site, "/wire")
    article_id = article_register(url=url)
    assert article_register(url=url + "?utm_source=twitter") is None
    results = [article_process_task.delay(article_id) for _ in range(6)]
    for result in results:
        result.get(timeout=90)
    article = Article.objects.get()
    assert article.state == ArticleState.READY
    assert article.text_version == 1  # stored once; the others found it done
    assert ArticleURL.objects.filter(article=article).count() == 2  # canonical and utm variant


def test_two_workers_racing_on_one_feed_register_each_article_once(start_worker, site):
    items = "".join(
        f"<item><title>Story {n}</title><link>{_serve(site, f'/story/{n}', _page(n))}</link></item>"
        for n in range(4)
    )
    site.expect_request("/feed.xml").respond_with_data(
        f"<?xml version='1.0'?><rss version='2.0'><channel><title>Wire</title>{items}"
        "</channel></rss>",
        content_type="application/rss+xml",
    )
    feed = feed_register(url=site.url_for("/feed.xml"))
    start_worker(**WORKER_ENV)
    start_worker(**WORKER_ENV)
    polls = [feed_poll_task.delay(feed.pk) for _ in range(4)]
    new = sum(p.get(timeout=90)["new"] for p in polls)
    assert new == 4  # each entry registered by exactly one of the racing polls
    _wait_until(lambda: Article.objects.filter(state=ArticleState.READY).count() == 4)
    assert Article.objects.count() == 4
    assert Feed.objects.get().health == "healthy"


def test_worker_killed_mid_article_loses_nothing(start_worker, site):
    fetching, release = threading.Event(), threading.Event()

    def slow_then_fast(request):
        if not fetching.is_set():
            fetching.set()
            release.wait(timeout=10)
        return Response(WIRE, content_type=HTML)

    site.expect_request("/wire").respond_with_handler(slow_then_fast)
    # A short visibility timeout, so the message of the killed worker comes back quickly.
    env = {
        **WORKER_ENV,
        "CELERY_VISIBILITY_TIMEOUT": "6",
        "CELERY_TASK_TIME_LIMIT": "5",
        "CELERY_TASK_SOFT_TIME_LIMIT": "4",
    }
    doomed = start_worker(**env)
    article_id = article_register(url=site.url_for("/wire"))
    article_process_task.delay(article_id)
    assert fetching.wait(timeout=60), "the worker never fetched the page"
    doomed.send_signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    release.set()
    assert Article.objects.get().state == ArticleState.PENDING
    start_worker(**env)
    _wait_until(lambda: Article.objects.get().state == ArticleState.READY, timeout=90)
    article = Article.objects.get()
    assert article.attempts == 2
    assert article.text_version == 1
