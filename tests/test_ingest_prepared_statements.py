"""The ingestion's hot statements, prepared once per database connection
(events/services/statements.py): used on every article, prepared again on a new connection or
after the server forgot them, and not used when DATABASE_PREPARED_STATEMENTS is off."""

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from events.ingest.fingerprint import fingerprint
from events.models import Article, ArticleBandKey, ArticleState
from events.services.articles import article_import_html, article_process, article_register, store
from events.services.sql import COMMIT_ASYNC
from events.services.statements import Statement, execute
from tests.factories import ArticleFactory

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
WIRE = (PAGES / "en_reuters_wire.html").read_bytes()
BG = (PAGES / "bg_cp1251.html").read_bytes()
RU = (PAGES / "ru_koi8r.html").read_bytes()
HOT = {
    "tracker_article_register",
    "tracker_article_claim",
    "tracker_article_lock_no_owner",  # the fixtures name no other canonical URL
    "tracker_article_write_1",
    "tracker_article_page",
    "tracker_enrichment_1",
}


def _executions() -> dict[str, int]:
    """How often this connection's session ran each of its prepared statements."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name, generic_plans + custom_plans FROM pg_prepared_statements")
        return dict(cursor.fetchall())


def _ingest(server, path: str, body: bytes) -> Article:
    server.expect_request(path).respond_with_data(body, content_type="text/html")
    article_id = article_register(url=server.url_for(path))
    assert article_id is not None
    outcome = article_process(article_id=article_id)
    return Article.objects.get(pk=outcome.merged_into or outcome.article_id)


@pytest.mark.django_db(transaction=True)
def test_hot_statements_run_prepared_and_are_prepared_again_on_a_new_connection(site):
    assert _ingest(site, "/one", WIRE).state == ArticleState.READY
    before = _executions()
    assert HOT <= before.keys()
    connection.close()  # as CONN_MAX_AGE or a failed health check does
    assert _ingest(site, "/two", BG).state == ArticleState.READY
    after = _executions()  # the new session's own
    assert HOT <= after.keys()
    assert all(after[name] == 1 for name in HOT)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "forgotten", ["ALL", "tracker_article_claim", "tracker_article_lock_no_owner"]
)
def test_a_statement_the_server_forgot_is_prepared_again(site, forgotten):
    assert _ingest(site, "/one", WIRE).state == ArticleState.READY
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {forgotten}")  # as DISCARD ALL or a pooler would
    stored = _ingest(site, "/two", BG)
    assert stored.state == ArticleState.READY
    assert stored.text
    assert _ingest(site, "/three", RU).state == ArticleState.READY
    assert HOT <= _executions().keys()


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("prepared", [True, False])
def test_registration_prepared_or_plain_keeps_one_article_per_canonical_url(settings, prepared):
    settings.DATABASE_PREPARED_STATEMENTS = prepared
    new = article_register(url="https://example.com/a?utm_source=x")
    assert new is not None
    # Known (as a variant), then a new variant of a known canonical URL, then new again.
    assert article_register(url="https://example.com/a?utm_source=x") is None
    assert article_register(url="https://example.com/a#top") is None
    assert article_register(url="https://example.com/b") not in (None, new)
    article = Article.objects.get(pk=new)
    assert article.canonical_url == "https://example.com/a"
    assert set(article.urls.values_list("url", flat=True)) == {
        "https://example.com/a?utm_source=x",
        "https://example.com/a",
        "https://example.com/a#top",
    }
    assert ("tracker_article_register" in _executions()) is prepared


@pytest.mark.django_db
def test_a_forgotten_registration_in_a_polls_transaction_is_sent_again_from_its_savepoint():
    assert article_register(url="https://example.com/one") is not None
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE tracker_article_register")
    with transaction.atomic():  # as a feed poll registers its links
        two = article_register(url="https://example.com/two")
        three = article_register(url="https://example.com/three")
    assert Article.objects.filter(pk__in=[two, three]).count() == 2
    assert _executions()["tracker_article_register"] == 2


@pytest.mark.django_db
def test_a_forgotten_statement_inside_a_callers_transaction_is_retried_at_its_savepoint():
    assert article_import_html(body=WIRE, name="wire.html").state == ArticleState.READY
    with connection.cursor() as cursor:
        cursor.execute("DEALLOCATE tracker_article_lock")
    outcome = article_import_html(body=RU, name="ru.html")
    assert outcome.state == ArticleState.READY
    assert Article.objects.get(pk=outcome.article_id).detected_language == "ru"


@pytest.mark.django_db
def test_prepared_statements_can_be_switched_off(site, settings):
    assert _ingest(site, "/one", WIRE).state == ArticleState.READY
    before = _executions()
    settings.DATABASE_PREPARED_STATEMENTS = False
    with CaptureQueriesContext(connection) as sent:
        assert _ingest(site, "/two", BG).state == ArticleState.READY
    assert _executions() == before
    # The plain statements are planned each time: no plan_cache_mode to set.
    sql = [query["sql"] for query in sent.captured_queries]
    assert not [text for text in sql if "plan_cache_mode" in text or "EXECUTE " in text]
    assert [text for text in sql if text.startswith("SET LOCAL synchronous_commit = off")]
    settings.DATABASE_PREPARED_STATEMENTS = True
    assert _ingest(site, "/three", RU).state == ArticleState.READY
    assert all(_executions()[name] > before[name] for name in HOT)


def _plans(name: str) -> tuple[int, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE name = %s",
            [name],
        )
        return cursor.fetchone()


@pytest.mark.django_db
def test_the_lock_is_planned_once_and_the_writes_may_be_generic():
    # The lock runs on its generic plan (planned once per connection, see store._LOCK_PLANS):
    # tests/test_ingest_store_sql.py checks that plan reads no unrelated article.
    for n in range(8):
        body = WIRE.replace(b"Kazakhstan", f"Kazakhstan {n}".encode())
        url = f"https://copy{n}.example.net/story"  # the page's rel=canonical is not trusted
        assert article_import_html(body=body, name="", url=url).state == ArticleState.READY
    # Stored at the URL they were imported at: the lock without the owner lookup.
    generic, custom = _plans("tracker_article_lock_no_owner")
    assert custom == 0
    assert generic >= 8
    generic, custom = _plans("tracker_article_write_1")
    assert generic + custom >= 8


def _with_text(body: bytes, n: int) -> bytes:
    return body.replace(b"Kazakhstan", f"Kazakhstan {n}".encode())


@pytest.mark.django_db
def test_the_lock_with_the_owner_lookup_is_planned_once_too():
    # Imported without a URL, each copy names its canonical URL in the page, which is not the
    # file's: the lock with the owner lookup (the first copy takes the URL, the others merge).
    for n in range(8):
        article_import_html(body=_with_text(WIRE, n), name="")
    generic, custom = _plans("tracker_article_lock")
    assert custom == 0
    assert generic >= 8


@pytest.mark.django_db
def test_the_writes_settle_on_generic_plans():
    for n in range(8):
        url = f"https://copy{n}.example.net/story"
        assert article_import_html(body=_with_text(WIRE, n), name="", url=url).state == "ready"
    generic, _ = _plans("tracker_article_write_1")
    assert generic > 0


TEXT = "The committee approved the budget for the new hospital after a long debate. " * 20


def _lock_rows(sql: str, statement: Statement, params: dict) -> tuple[list, list]:
    """The lock statement's rows sent as plain SQL, then as EXECUTE of its prepared form on a
    plan for these values and on the generic plan storing uses."""
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        plain = cursor.fetchall()
        for plans in ("force_custom_plan", store._LOCK_PLANS):
            execute(cursor, (statement,), params, prefix=COMMIT_ASYNC, plans=plans)
            prepared = cursor.fetchall()
            assert prepared == plain
    return plain, prepared


@pytest.mark.django_db
def test_each_lock_form_prepared_reads_the_rows_the_plain_sql_reads():
    fp = fingerprint(TEXT)
    copy = ArticleFactory(content_hash=fp.content_hash, minhash=list(fp.minhash))
    near = ArticleFactory(content_hash="0" * 64, minhash=list(fp.minhash))
    ArticleBandKey.objects.bulk_create(ArticleBandKey(article=near, key=k) for k in fp.band_keys)
    owner = ArticleFactory(canonical_url="https://owner.example/story")
    article = ArticleFactory(state=ArticleState.PENDING, text="")
    params = {**store._duplicate_params(article.pk, fp), "url": owner.canonical_url}

    plain, _ = _lock_rows(store._LOCK_SQL, store._LOCK, params)
    assert {row[0] for row in plain} == {article.pk}
    assert {row[8] for row in plain} == {owner.pk}
    assert [(row[9], row[10]) for row in plain] == [(False, copy.pk), (True, near.pk)]

    plain, _ = _lock_rows(store._LOCK_SQL_NO_OWNER, store._LOCK_NO_OWNER, params)
    assert {row[8] for row in plain} == {None}
    assert [(row[9], row[10]) for row in plain] == [(False, copy.pk), (True, near.pk)]
    # Both plans ran (the counts are the connection's, earlier tests' included).
    assert min(_plans("tracker_article_lock")) > 0
    assert min(_plans("tracker_article_lock_no_owner")) > 0


def _stored(url: str) -> dict:
    """What storing wrote for the article at ``url``, without ids and times."""
    article = Article.objects.get(canonical_url=url)
    return {
        "row": Article.objects.filter(pk=article.pk)
        .values(
            "title",
            "text",
            "state",
            "content_hash",
            "minhash",
            "text_version",
            "detected_language",
            "duplicate_of_id",
            "outlet_id",
        )
        .get(),
        "band_keys": sorted(article.band_keys.values_list("key", flat=True)),
        "urls": sorted(article.urls.values_list("url", flat=True)),
        "mentions": sorted(article.mentions.values_list("entity_id", "count", "first_start")),
        "page": article.page.sha256,
        "revisions": sorted(article.revisions.values_list("version", "content_hash")),
    }


@pytest.mark.django_db
def test_each_write_batch_prepared_writes_what_the_plain_sql_writes(settings):
    url = "https://copies.example.net/story"
    stored = {}
    for prepared in (False, True):
        settings.DATABASE_PREPARED_STATEMENTS = prepared
        before = _executions()
        # A first store (no band keys to delete), then a changed text (the keys replaced).
        assert article_import_html(body=WIRE, name="", url=url).state == ArticleState.READY
        first = _stored(url)
        outcome = article_import_html(body=_with_text(WIRE, 1), name="", url=url)
        assert outcome.changed
        stored[prepared] = (first, _stored(url))
        after = _executions()
        if prepared:
            ran = {name: after[name] - before.get(name, 0) for name in after}
            assert ran["tracker_article_write_1"] == 2
            assert ran["tracker_article_keys_urls_1"] == ran["tracker_article_keys_urls_2"] == 2
            assert ran["tracker_article_keys_delete_1"] == 1
        else:
            assert after == before
        Article.objects.filter(canonical_url=url).delete()
    assert stored[True] == stored[False]
    first, again = stored[True]
    assert first["band_keys"] and again["band_keys"] and first["band_keys"] != again["band_keys"]
    assert again["band_keys"] == sorted(set(again["band_keys"]))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "forgotten",
    [
        "tracker_article_lock_no_owner",
        "tracker_article_write_1",
        "tracker_article_keys_delete_1",
        "tracker_article_keys_urls_2",
        "tracker_enrichment_3",
    ],
)
def test_a_statement_of_the_write_batch_forgotten_inside_a_transaction_is_retried(forgotten):
    url = "https://copies.example.net/story"
    assert article_import_html(body=WIRE, name="", url=url).state == ArticleState.READY
    assert article_import_html(body=_with_text(WIRE, 1), name="", url=url).changed
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {forgotten}")
    outcome = article_import_html(body=_with_text(WIRE, 2), name="", url=url)
    assert outcome.state == ArticleState.READY
    assert outcome.changed
    article = Article.objects.get(pk=outcome.article_id)
    assert "Kazakhstan 2" in article.text
    keys = sorted(article.band_keys.values_list("key", flat=True))
    assert keys == sorted(set(fingerprint(article.text).band_keys))
    assert forgotten in _executions()
