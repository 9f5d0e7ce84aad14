"""The SQL of the storing transaction: what its statements read and how many it sends."""

import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from events.ingest.fingerprint import fingerprint
from events.models import Article, ArticleBandKey, ArticleState
from events.services import statements
from events.services.articles import process, store
from events.services.articles.common import Page
from events.services.sql import array_literal
from tests.factories import ArticleFactory

pytestmark = pytest.mark.django_db

TEXT = "The committee approved the budget for the new hospital after a long debate. " * 20


def _scans(plan: dict) -> list[dict]:
    nodes = [plan]
    for child in plan.get("Plans", []):
        nodes += _scans(child)
    return nodes


def _unrelated_ready_articles() -> None:
    """Ready articles the statistics do not know of yet (no ANALYZE since they were stored):
    a planner left free walked them all by the ready-articles index."""
    for n in range(40):
        article = ArticleFactory(content_hash=f"{n:064x}", minhash=[n] * 128)
        ArticleBandKey.objects.bulk_create(
            ArticleBandKey(article=article, key=n * 1000 + band) for band in range(42)
        )


def _nodes(plan: list | str) -> list[dict]:
    if isinstance(plan, str):
        plan = json.loads(plan)
    return _scans(plan[0]["Plan"])


def _rows_read(plan: list | str, table: str) -> list[int]:
    return [
        node["Actual Rows"] + node.get("Rows Removed by Filter", 0)
        for node in _nodes(plan)
        if node.get("Relation Name") == table
    ]


def test_duplicate_lookup_reads_no_article_that_shares_neither_hash_nor_band_key() -> None:
    _unrelated_ready_articles()
    params = store._duplicate_params(0, fingerprint(TEXT))
    with connection.cursor() as cursor:
        query = cursor.mogrify(store._DUPLICATE_SQL, params).decode()
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {query}")
        plan = cursor.fetchone()[0]
    read = _rows_read(plan, "events_article")
    assert read
    assert sum(read) == 0


@pytest.mark.parametrize("analysed", [False, True], ids=["unanalysed", "analysed"])
@pytest.mark.parametrize("lock", [store._LOCK, store._LOCK_NO_OWNER], ids=lambda s: s.name)
def test_the_locks_generic_plan_reads_only_the_locked_article(settings, lock, analysed) -> None:
    # The plan storing runs the lock on knows neither the content hash nor the band keys: it
    # must still find candidates by index, never by reading the corpus.
    settings.DATABASE_PREPARED_STATEMENTS = True
    _unrelated_ready_articles()
    article = ArticleFactory(state=ArticleState.PENDING, text="")
    params = {**store._duplicate_params(article.pk, fingerprint(TEXT)), "url": "https://x.example/"}
    if analysed:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_article, events_articlebandkey")
    with connection.cursor() as cursor:
        sql = statements.statements_sql(cursor, (lock,))  # prepares it on this connection
        cursor.execute(f"SET LOCAL plan_cache_mode = {store._LOCK_PLANS}")
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    assert sum(_rows_read(plan, "events_article")) == 1  # the locked row
    assert sum(_rows_read(plan, "events_articlebandkey")) == 0
    assert "Seq Scan" not in json.dumps(plan)
    # One index probe per band key.
    (probe,) = [
        node for node in _nodes(plan) if node.get("Relation Name") == "events_articlebandkey"
    ]
    assert probe["Actual Loops"] == len(fingerprint(TEXT).band_keys)


@pytest.mark.parametrize(
    ("values", "cast"),
    [
        ([], "bigint[]"),
        ([0, 1, -1, 2**63 - 1, -(2**63), 4294967295], "bigint[]"),
        ([7, 12345, 2**31 - 1], "integer[]"),
        ([0.0, 0.1, 0.3333, 1e-05, 123456.789, 2.5e-300], "double precision[]"),
    ],
)
def test_array_literal_reads_back_as_the_list_psycopg2_would_send(values, cast) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT %s::{cast} = %s::{cast}", [array_literal(values), values])
        assert cursor.fetchone() == (True,)


WIRE = (
    Path(__file__).resolve().parent / "fixtures" / "pages" / "en_reuters_wire.html"
).read_bytes()
WIRE_URL = (
    "https://www.reuters.com/world/asia-pacific/"
    "white-house-says-kazakhstan-crisis-will-not-affect-nato-russia-talks-2022-01-06/"
)


def _prepared_at(url: str):
    page = Page(
        requested_url=url,
        final_url=url,
        redirect_chain=(),
        body=WIRE,
        content_type="text/html",
        charset=None,
    )
    prepared = process._prepare(page)
    assert prepared.canonical == WIRE_URL
    return prepared


def test_page_canonical_at_its_own_url_is_stored_without_an_owner_lookup() -> None:
    article = ArticleFactory(canonical_url=WIRE_URL, state=ArticleState.PENDING, text="")
    with CaptureQueriesContext(connection) as sent:
        outcome = store._store(article.pk, _prepared_at(WIRE_URL), ...)
    assert outcome.state == ArticleState.READY
    assert not [q for q in sent.captured_queries if "FROM events_articleurl WHERE url" in q["sql"]]


def test_owner_is_found_after_the_lock_when_the_row_url_changed_since_the_claim() -> None:
    # Fetched at the canonical URL the claim returned, but by the lock the row had another one
    # (a merge or an editor's change in between): the page's URL belongs to another article.
    owner = ArticleFactory(canonical_url=WIRE_URL)
    article = ArticleFactory(canonical_url="https://news.example/moved", state=ArticleState.PENDING)
    outcome = store._store(article.pk, _prepared_at(WIRE_URL), ...)
    assert (outcome.state, outcome.merged_into) == ("merged", owner.pk)
    assert not Article.objects.filter(pk=article.pk).exists()
    assert set(owner.urls.values_list("url", flat=True)) >= {"https://news.example/moved"}
