"""Registering article URLs (from feeds, the API, commands and imported files): one Article per
canonical URL, every other URL it is known by kept as a variant."""

import contextlib
import datetime as dt
import functools
import hashlib
import re
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import Field

from events.ingest.urls import InvalidURL, url_host
from events.models import (
    Article,
    ArticleURL,
    Feed,
)
from events.services.articles.common import (
    MAX_URL_CHARS,
    Outcome,
    Page,
    _url_variants_add,
    host_domains,
    outlet_for_host,
    storable_canonical_url,
)
from events.services.articles.process import article_process, article_store_page
from events.services.enrichment import curation_stamp
from events.services.statements import Statement, execute, statement_lost


def article_register(
    *,
    url: str,
    feed: Feed | None = None,
    title: str = "",
    published_at: dt.datetime | None = None,
) -> int | None:
    """Make sure an Article exists for ``url``; return its id if it is new, else None.

    A URL seen before (as canonical or as a variant) only adds the variant. One statement
    (see _REGISTER_SQL); the unique canonical URL decides between racing registrations."""
    try:
        canonical = storable_canonical_url(url)
    except InvalidURL:
        return None
    # The outlet, unless the feed gives it, is looked up by the statement itself (see
    # _OUTLET_VALUE): no curation version to read first, one Redis round trip less.
    outlet_id = feed.outlet_id if feed else None
    params = _register_params(_new_article(canonical, feed, title, published_at, outlet_id))
    params["outlet_domains"] = [] if outlet_id else host_domains(url_host(canonical))
    # A URL too long to store (a huge tracking parameter) is looked up but not kept: its
    # canonical form stands in for it.
    kept = url if len(url) <= MAX_URL_CHARS else canonical
    params.update(url=url, variants=[kept] if kept == canonical else [kept, canonical])
    rows = _registered(_register_statement(), params)
    if not rows:
        # The canonical URL was registered by a transaction that committed while this
        # statement ran (its snapshot does not show the row): add the variants to it.
        owner = Article.objects.filter(canonical_url=canonical).values_list("pk", flat=True)
        _url_variants_add(owner.get(), url, canonical)
        return None
    ((article_id, created),) = rows
    return int(article_id) if created else None


@dataclass(frozen=True)
class Link:
    """A link to register, as a feed entry gives it."""

    url: str
    title: str = ""
    published_at: dt.datetime | None = None


def articles_register_links(*, links: list[Link], feed: Feed) -> list[int]:
    """Register a poll's links (inside its transaction); return the ids of the new articles, in
    link order. What article_register does for each link, in one statement for them all
    (_REGISTER_LINKS_SQL) instead of one statement and a savepoint each. The links that
    statement leaves undecided (a second link to the same canonical URL, a canonical URL
    registered meanwhile) go through article_register, one by one, after it; so does a single
    link. Invalid URLs are skipped, as article_register skips them. Rows are inserted in URL
    order, so that two polls sharing links lock them in the same order. Without the feed's
    outlet, the links' outlets come from one read of the curation version for them all."""
    pending = []
    for link in links:
        try:
            pending.append((link, storable_canonical_url(link.url)))
        except InvalidURL:
            continue

    def alone(link: Link) -> int | None:
        return article_register(
            url=link.url, feed=feed, title=link.title, published_at=link.published_at
        )

    if len(pending) < 2:
        return [new for link, _ in pending if (new := alone(link)) is not None]
    stamp = curation_stamp() if feed.outlet_id is None else ...
    rows = [
        _new_article(
            canonical,
            feed,
            link.title,
            link.published_at,
            feed.outlet_id or _outlet_id(url_host(canonical), stamp),
        )
        for link, canonical in pending
    ]
    # The row's other columns are the same for every link (the feed, the defaults): the first
    # link's; the varying ones as arrays, one value per link. A column whose default differs
    # from row to row would belong in _LINK_COLUMNS (tests/test_ingest_register_links.py
    # lists the callable defaults).
    params = _register_params(rows[0])
    for field in _register_fields():
        if field.column in _LINK_COLUMNS:
            params[field.column] = [_db_value(field, row) for row in rows]
    params["urls"] = [link.url for link, _ in pending]
    params["max_url_chars"] = MAX_URL_CHARS
    decided = {
        int(n): int(owner) if created else None
        for n, owner, created in _registered(_register_links_statement(), params)
    }
    news = (decided[n] if n in decided else alone(link) for n, (link, _) in enumerate(pending, 1))
    return [new for new in news if new is not None]


def _new_article(
    canonical: str,
    feed: Feed | None,
    title: str,
    published_at: dt.datetime | None,
    outlet_id: int | None,
) -> Article:
    """The row a registration inserts (unsaved)."""
    return Article(
        canonical_url=canonical,
        feed=feed,
        outlet_id=outlet_id,
        title=title[:500],
        published_at=published_at,
    )


def _outlet_id(host: str, stamp: object) -> int | None:
    outlet = outlet_for_host(host, stamp=stamp)
    return outlet.pk if outlet is not None else None


def _registered(statement: Statement, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of a registration statement (prepared: see events/services/statements.py).

    Outside a transaction it is one of its own, committed (synchronously) when it ends: one
    round trip, no BEGIN and COMMIT around it. Inside a caller's (a feed poll's), a savepoint,
    from which a statement the server forgot is sent again."""
    for attempt in (1, 2):
        scope = transaction.atomic() if connection.in_atomic_block else contextlib.nullcontext()
        try:
            with scope, connection.cursor() as cursor:
                execute(cursor, (statement,), params)
                return cursor.fetchall()
        except DatabaseError as error:
            if attempt == 2 or not statement_lost(error):
                raise
    raise AssertionError("unreachable")  # pragma: no cover


# Registration in one statement: a URL known already (as any article's URL) only adds this
# URL to that article; else the article is inserted, or, if its canonical URL exists, that
# article gets both URLs as variants. The row is built from the model's fields and their
# defaults (_register_sql, _register_params), so a new column with a default needs no change
# here, unless that default differs from row to row: see _LINK_COLUMNS.
_REGISTER_SQL = """
WITH known AS (
    SELECT article_id AS id FROM events_articleurl WHERE url IN (%(url)s, %(canonical_url)s)
    ORDER BY first_seen_at, id LIMIT 1
), created AS (
    INSERT INTO events_article ({columns}) SELECT {values} WHERE NOT EXISTS (SELECT FROM known)
    ON CONFLICT (canonical_url) DO NOTHING RETURNING id
), owner AS (
    (SELECT id, true AS created, false AS known FROM created)
    UNION ALL (SELECT id, false, true FROM known)
    UNION ALL (SELECT id, false, false FROM events_article WHERE canonical_url = %(canonical_url)s)
    LIMIT 1
), variants AS (
    INSERT INTO events_articleurl (article_id, url, first_seen_at)
    SELECT owner.id, variant.url, %(created_at)s
    FROM owner, unnest(%(variants)s::text[]) WITH ORDINALITY AS variant (url, n)
    WHERE NOT owner.known OR variant.n = 1
    ON CONFLICT DO NOTHING
)
SELECT id, created FROM owner
"""


# Several links in one statement: each link decided as _REGISTER_SQL decides it, from the
# statement's snapshot. Known links (either URL an article's URL) add their URL to that
# article; for each canonical URL not known, its first link inserts the article and both URLs.
# A link is left undecided, returned without a row, when its canonical URL is another link's
# of the batch (the first one's insert is not visible to the statement) or exists without
# being a known URL (an article whose canonical URL was stored meanwhile).
_REGISTER_LINKS_SQL = """
WITH input AS (
    SELECT * FROM unnest({arrays}, %(urls)s::text[])
        WITH ORDINALITY AS link ({link_columns}, url, n)
), known AS (
    SELECT DISTINCT ON (link.n) link.n, link.url, known.article_id AS id
    FROM input link
    JOIN events_articleurl known ON known.url IN (link.url, link.canonical_url)
    ORDER BY link.n, known.first_seen_at, known.id
), fresh AS (
    SELECT DISTINCT ON (link.canonical_url) link.*
    FROM input link WHERE NOT EXISTS (SELECT FROM known WHERE known.n = link.n)
    ORDER BY link.canonical_url, link.n
), created AS (
    INSERT INTO events_article ({columns}) SELECT {values} FROM fresh link
    ON CONFLICT (canonical_url) DO NOTHING RETURNING id, canonical_url
), owner AS (
    SELECT fresh.n, created.id, true AS created, fresh.url, fresh.canonical_url
    FROM created JOIN fresh USING (canonical_url)
    UNION ALL SELECT known.n, known.id, false, known.url, NULL FROM known
), variants AS (
    INSERT INTO events_articleurl (article_id, url, first_seen_at)
    SELECT owner.id, variant.url, %(created_at)s::timestamptz
    FROM owner, LATERAL (VALUES (owner.url), (owner.canonical_url)) AS variant (url)
    WHERE variant.url IS NOT NULL AND length(variant.url) <= %(max_url_chars)s
    ORDER BY variant.url
    ON CONFLICT DO NOTHING
)
SELECT n, id, created FROM owner
"""
# The columns that differ from link to link.
_LINK_COLUMNS = ("canonical_url", "outlet_id", "title", "published_at")

_VARCHAR_LENGTH = re.compile(r"^varchar\(\d+\)$")


@functools.cache
def _register_fields() -> tuple[Field, ...]:
    """The stored columns of an article but the primary key and the generated ones."""
    return tuple(f for f in Article._meta.concrete_fields if not f.primary_key and not f.generated)


@functools.cache
def _register_columns() -> tuple[str, dict[str, str]]:
    """The quoted column list of _register_fields, and each column's type to cast a value to:
    varchar without its length (an explicit cast to varchar(n) would truncate silently, the
    assignment to the column refuses an overlong value as the ORM's insert does)."""
    fields = _register_fields()
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    types = {f.column: _VARCHAR_LENGTH.sub("varchar", str(f.db_type(connection))) for f in fields}
    return columns, types


@functools.cache
def _register_sql() -> str:
    """_REGISTER_SQL for an article's row: every column of _register_fields, cast to its type.
    Built once per process (it depends only on the model)."""
    columns, types = _register_columns()
    values = ", ".join(
        _OUTLET_VALUE if column == "outlet_id" else f"%({column})s::{cast}"
        for column, cast in types.items()
    )
    return _REGISTER_SQL.format(columns=columns, values=values)


# A single registration's outlet: the feed's if given, else that of the closest registered
# domain of the URL's host (host_domains lists them, closest first: the same rule as
# outlet_for_host, read from the table rather than from the per-process map, whose
# freshness costs a Redis round trip to check).
_OUTLET_VALUE = """COALESCE(%(outlet_id)s::bigint, (
    SELECT outlet_id FROM events_outletdomain WHERE domain = ANY(%(outlet_domains)s::text[])
    ORDER BY length(domain) DESC LIMIT 1))"""


@functools.cache
def _register_statement() -> Statement:
    return Statement("tracker_article_register", _register_sql())


@functools.cache
def _register_links_statement() -> Statement:
    """_REGISTER_LINKS_SQL for an article's row (see _register_sql)."""
    columns, types = _register_columns()
    arrays = ", ".join(f"%({c})s::{types[c]}[]" for c in _LINK_COLUMNS)
    values = ", ".join(
        f"link.{column}" if column in _LINK_COLUMNS else f"%({column})s::{cast}"
        for column, cast in types.items()
    )
    sql = _REGISTER_LINKS_SQL.format(
        arrays=arrays, link_columns=", ".join(_LINK_COLUMNS), columns=columns, values=values
    )
    return Statement("tracker_article_register_links", sql)


def _register_params(article: Article) -> dict[str, Any]:
    """The values of _register_sql for ``article``'s row."""
    return {f.column: _db_value(f, article) for f in _register_fields()}


def _db_value(field: Field, article: Article) -> Any:
    """``field``'s value for ``article``'s new row, as the ORM would insert it (defaults,
    auto_now)."""
    return field.get_db_prep_save(field.pre_save(article, True), connection)


def article_ingest_url(*, url: str, refetch: bool = False) -> Outcome:
    """Register ``url`` if new and process it now, synchronously: what the ingest_url and
    import_articles commands run. Raises InvalidURL for a URL an article cannot have."""
    canonical = storable_canonical_url(url)
    article_register(url=url)
    article_id = (
        ArticleURL.objects.filter(url__in=[url, canonical])
        .values_list("article_id", flat=True)
        .first()
    )
    if article_id is None:
        return Outcome(article_id=0, state="failed", reason=f"{url}: could not be registered")
    return article_process(article_id=article_id, refetch=refetch)


def article_import_html(*, body: bytes, name: str, url: str = "") -> Outcome:
    """Store a saved HTML page. Without a URL (and no rel=canonical in the page) the article is
    identified by the hash of its bytes: importing the same file twice stores it once."""
    digest = hashlib.sha256(body).hexdigest()
    identifier = url or f"urn:tracker-file:{digest}"
    if url:
        try:
            identifier = storable_canonical_url(url)
        except InvalidURL as error:
            raise ValidationError({"url": str(error)}) from error
    with transaction.atomic():
        # A file imported before may have become a variant of its page's canonical URL.
        known = ArticleURL.objects.filter(url=identifier).values_list("article_id", flat=True)
        article_id = known.first()
        if article_id is None:
            article, _ = Article.objects.get_or_create(canonical_url=identifier)
            _url_variants_add(article.pk, identifier)
            article_id = article.pk
    page = Page(
        requested_url=identifier,
        final_url=identifier,
        redirect_chain=(),
        body=body,
        content_type="text/html",
        charset=None,
    )
    return article_store_page(article_id=article_id, page=page)
