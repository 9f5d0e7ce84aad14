"""The ingestion's hot statements, prepared once per database connection
(events/services/statements.py): used on every article, prepared again on a new connection or
after the server forgot them, and not used when DATABASE_PREPARED_STATEMENTS is off."""

from pathlib import Path

import pytest
from django.db import connection

from events.models import Article, ArticleState
from events.services.articles import article_import_html, article_process, article_register

PAGES = Path(__file__).resolve().parent / "fixtures" / "pages"
WIRE = (PAGES / "en_reuters_wire.html").read_bytes()
BG = (PAGES / "bg_cp1251.html").read_bytes()
RU = (PAGES / "ru_koi8r.html").read_bytes()
HOT = {
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
    assert _ingest(site, "/two", BG).state == ArticleState.READY
    assert _executions() == before
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
def test_the_duplicate_lookups_are_planned_for_each_article_and_the_writes_may_be_generic():
    # A generic plan does not know the band keys and was seen to scan every ready article.
    for n in range(8):
        body = WIRE.replace(b"Kazakhstan", f"Kazakhstan {n}".encode())
        url = f"https://copy{n}.example.net/story"  # the page's rel=canonical is not trusted
        assert article_import_html(body=body, name="", url=url).state == ArticleState.READY
    # Stored at the URL they were imported at: the lock without the owner lookup.
    generic, custom = _plans("tracker_article_lock_no_owner")
    assert generic == 0
    assert custom >= 8
    generic, custom = _plans("tracker_article_write_1")
    assert generic + custom >= 8
