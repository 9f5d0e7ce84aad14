"""The ingestion benchmark's arithmetic on repeated passes (`bench.runs`): how several passes
over the same pages become one table row, and a pass's ratio to the bare extraction timed
beside it. No timing is measured here. The feed row's pass runs against a local server and
the test database."""

import pytest

from bench.pages import (
    FEED_ITEMS,
    BenchPage,
    feed_chunks,
    feed_documents,
    feed_path,
    generated_pages,
)
from bench.runs import Run, mean_of, paired_ratio, run_feeds
from events.ingest.decode import decode_html
from events.ingest.feeds import parse_feed
from events.models import Article, ArticleState


def _page(path: str, kind: str = "compact") -> BenchPage:
    return BenchPage(path=path, body=b"", content_type="text/html", language="bg", kind=kind)


def _run(seconds: dict[str, float], *, stage: float = 0.0, register: float = 0.0) -> Run:
    run = Run()
    for path, value in seconds.items():
        run.add(_page(path, "full" if path.startswith("/f") else "compact"), value, "stored")
    run.stages.seconds["decode"] = stage
    run.register_seconds = register
    return run


def test_mean_of_repeated_passes_averages_each_page_stage_and_registration() -> None:
    first = _run({"/c1": 0.010, "/f1": 0.040}, stage=0.004, register=0.002)
    second = _run({"/c1": 0.020, "/f1": 0.060}, stage=0.008, register=0.004)

    merged = mean_of([first, second])

    assert merged.seconds == pytest.approx({"/c1": 0.015, "/f1": 0.050})
    assert merged.kinds == {"/c1": "compact", "/f1": "full"}
    assert merged.total("full") == pytest.approx(0.050)
    # Per article, as one pass would report them: not the two passes' sum.
    assert merged.stage_ms("decode") == pytest.approx(1000 * 0.006 / 2)
    assert merged.register_ms() == pytest.approx(1000 * 0.003 / 2)
    assert dict(merged.outcomes) == {"stored": 2}


def test_mean_of_skips_a_page_missing_from_a_pass() -> None:
    # A page a later pass did not time (its link already registered) keeps the others' mean.
    merged = mean_of([_run({"/c1": 0.010, "/c2": 0.030}), _run({"/c1": 0.020})])

    assert merged.seconds == pytest.approx({"/c1": 0.015, "/c2": 0.030})


def test_paired_ratio_divides_a_pass_by_its_own_bare_extraction() -> None:
    pipeline = _run({"/c1": 0.030, "/f1": 0.060})
    beside = _run({"/c1": 0.010, "/f1": 0.050})

    assert paired_ratio(pipeline, beside) == pytest.approx(0.090 / 0.060)
    assert paired_ratio(pipeline, Run()) > 1e6  # nothing timed beside it: no division by zero


# --- the feed row: polls of FEED_ITEMS links, then their articles (a real server and database)


def _serve(site, served: dict[str, tuple[bytes, str]]) -> None:
    for path, (body, content_type) in served.items():
        site.expect_request(path).respond_with_data(body, content_type=content_type)


def test_feed_documents_link_every_page_in_order_feed_items_to_a_feed() -> None:
    pages = [_page(f"/t{n}") for n in range(FEED_ITEMS + 3)]

    documents = feed_documents(pages, "http://127.0.0.1:9", "/t")

    assert list(documents) == [feed_path("/t", 0), feed_path("/t", 1)]
    links = [
        [
            entry.url
            for entry in parse_feed(body, content_type=kind, url="http://127.0.0.1:9/").entries
        ]
        for body, kind in documents.values()
    ]
    assert links == [[f"http://127.0.0.1:9{p.path}" for p in chunk] for chunk in feed_chunks(pages)]
    assert [len(chunk) for chunk in links] == [FEED_ITEMS, 3]


@pytest.mark.django_db(transaction=True)
def test_run_feeds_polls_each_feed_then_processes_its_articles_sharing_the_poll_time(site) -> None:
    base_url = site.url_for("").rstrip("/")
    # 5 per language and size: 30 pages, two feeds (25 and 5 links).
    pages = generated_pages(seed=3, per_language=5, prefix="/g", base_url=base_url)
    _serve(site, {p.path: (p.body, p.content_type) for p in pages})
    _serve(site, feed_documents(pages, base_url, "/g"))
    texts = {
        p.path: decode_html(
            p.body, http_charset=p.content_type.partition("charset=")[2] or None
        ).text
        for p in pages
    }
    bare = Run()

    run = run_feeds(pages, base_url, "/g", bare=bare, texts=texts)

    assert set(run.seconds) == set(bare.seconds) == {p.path for p in pages}
    assert dict(run.outcomes) == {"stored": len(pages)}
    stored = Article.objects.filter(pk__in=run.article_ids, state=ArticleState.READY)
    assert stored.count() == len(pages)
    assert set(stored.values_list("feed_id", flat=True)) == set(run.feed_ids)
    assert len(pages) == 30
    assert len(run.feed_ids) == 2
    # Each page carries its share of its feed's poll: the polls' total is part of the pass.
    assert 0 < run.register_seconds < run.total()
