"""Storing a prepared page on its article in one transaction: the row lock, the canonical owner,
duplicates, the row and its band keys, URLs, raw page, revisions and enrichment."""

import datetime as dt
import gzip
import logging
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from events.ingest.fingerprint import NEAR_DUPLICATE_THRESHOLD, Fingerprint, similarity
from events.ingest.urls import url_host
from events.models import (
    Article,
    ArticleBandKey,
    ArticleRevision,
    ArticleState,
    Update,
    UpdateStatus,
)
from events.services.articles.common import (
    CANDIDATE_LIMIT,
    MAX_URL_CHARS,
    Outcome,
    Prepared,
    _url_variants_add,
    outlet_for_host,
)
from events.services.enrichment import (
    enrichment_compute,
    enrichment_writes,
)
from events.services.sql import COMMIT_ASYNC, array_literal
from events.services.statements import Statement, execute, statements_of

logger = logging.getLogger(__name__)

# The article's columns storing reads under its row lock, with what storing looks up about
# other articles (the canonical URL's owner, duplicate candidates: see _OWNER_SQL and
# _DUPLICATE_SQL), in one round trip with the asynchronous commit (see sql.COMMIT_ASYNC):
# one row per candidate, or one row without. The owner is only looked for when the page names
# a canonical URL other than the article's. Looked up in the statement that takes the lock, so
# with the snapshot from before any wait for it: a copy committed during that wait is missed,
# as one committed just after a separate lookup would be.
_LOCK_TEMPLATE = """
WITH locked AS (
    SELECT id, state, canonical_url, content_hash, title, published_at, outlet_id,
        duplicate_of_id
    FROM events_article WHERE id = %(article)s FOR UPDATE
)
SELECT locked.*, {owner}, candidate.*
FROM locked LEFT JOIN LATERAL ({duplicates}) AS candidate ON true"""

_OWNER_COLUMN = (
    "(SELECT owner.id FROM ({owner}) AS owner (id) WHERE locked.canonical_url <> %(url)s)"
)


# Both forms of the lock statement run on one generic plan per connection, planned once
# (and again when ANALYZE or a schema change invalidates it) instead of for every article:
# planning was ~0.3-0.5 ms of the backend's ~1.4 ms per article for the lock (PostgreSQL 18,
# 100k articles). Its lookups are by index whatever the values, as long as the statistics know
# the tables hold rows: the content hash's partial index is provably usable, and the band keys
# are looked up one by one (see _DUPLICATE_SQL). A plan made while the statistics say the
# tables are empty (analysed before any article was stored) scans them, until the next
# ANALYZE of either table replaces it: autovacuum's, after 50 rows (about two articles' band
# keys). Earlier, the lock was planned for every article: a generic plan of the first form of
# the lookups, before their OFFSET 0 fences, scanned every ready article (fourth round).
# tests/test_ingest_store_sql.py checks the generic plans read nothing else.
_LOCK_PLANS = "force_generic_plan"


@dataclass
class _Locked:
    """The locked article's row as storing needs it (the rare paths load the model)."""

    id: int
    state: str
    canonical_url: str
    content_hash: str
    title: str
    published_at: dt.datetime | None
    outlet_id: int | None
    duplicate_of_id: int | None
    former_urls: list[str] = field(default_factory=list)  # to keep as variants


@transaction.atomic
def _store(article_id: int, prepared: Prepared, stamp: object) -> Outcome:
    """Store ``prepared`` on the article; ``stamp``: the curation version, for the outlet and
    the enrichment caches (read by the caller: see article_process)."""
    fp = prepared.fingerprint
    # A page that names as canonical the URL it was fetched at (the article's, as the claim
    # returned it) needs no owner lookup: the lock statement without it costs its backend
    # ~0.09 ms less (0.38 against 0.46 ms, statement by statement). Should the locked row's
    # URL differ all the same (changed since the claim), the owner is looked up after the lock.
    looked_up = prepared.canonical != prepared.page.requested_url
    params = {**_duplicate_params(article_id, fp), "url": prepared.canonical}
    with connection.cursor() as cursor:
        lock = _LOCK if looked_up else _LOCK_NO_OWNER
        execute(cursor, (lock,), params, prefix=COMMIT_ASYNC, plans=_LOCK_PLANS)
        rows = cursor.fetchall()
    if not rows:
        return Outcome(article_id=article_id, state="gone", reason="article no longer exists")
    article = _Locked(*rows[0][:8])
    owner = rows[0][8]
    if not looked_up and article.canonical_url != prepared.canonical:
        owner = _owner_find(article.id, prepared.canonical)
    merged = _merge_into_canonical_owner(article, prepared, owner=owner)
    if merged is not None:
        return merged
    if article.state == ArticleState.READY and article.content_hash == fp.content_hash:
        # Stored before with the same text (a refetch, a re-import, a racing worker): nothing
        # new, and the summaries must not count it as ingested again.
        _run(_page_writes(article.id, prepared))
        return Outcome(
            article_id=article.id,
            state=article.state,
            reason="already processed",
            duplicate_of=article.duplicate_of_id,
        )
    changed = article.state == ArticleState.READY
    if changed:
        _revision_keep(Article.objects.get(pk=article.id))
    duplicate_of = _original_pick(fp, [row[9:] for row in rows if row[9] is not None])
    fields = _fields(article, prepared, stamp, duplicate_of)
    enrichment = enrichment_compute(
        title=fields["title"],
        text=prepared.extracted.text,
        published_at=fields["published"],
        stamp=stamp,
    )
    # Every write of the article in one round trip, in order (see _write_sql).
    _run(*_writes(article, prepared, fields), enrichment_writes(article.id, enrichment))
    logger.info(
        "ingest.article_stored",
        extra={
            "article_id": article.id,
            "language": prepared.language,
            "duplicate_of": duplicate_of,
        },
    )
    return Outcome(
        article_id=article.id,
        state=ArticleState.READY,
        duplicate_of=duplicate_of,
        changed=changed,
    )


Writes = tuple[tuple[Statement, ...], dict[str, Any]]


def _run(*writes: Writes) -> None:
    """Run several groups of statements (each with its named parameters) in one round trip, in
    order. Parameters of the same name must have the same value."""
    params: dict[str, Any] = {}
    for _, named in writes:
        params.update(named)
    with connection.cursor() as cursor:
        execute(
            cursor,
            tuple(s for group, _ in writes for s in group),
            params,
            plans="auto",
        )


# Two unique-index lookups, the second only if the first finds nothing (an OR across the
# join would scan both tables).
_OWNER_SQL = """
(SELECT id FROM events_article WHERE canonical_url = %(url)s AND id <> %(article)s)
UNION ALL
(SELECT article_id FROM events_articleurl WHERE url = %(url)s AND article_id <> %(article)s)
LIMIT 1
"""


def _owner_find(article_id: int, url: str) -> int | None:
    """The other article ``url`` belongs to (see _OWNER_SQL), if any."""
    with connection.cursor() as cursor:
        cursor.execute(_OWNER_SQL, {"url": url, "article": article_id})
        row = cursor.fetchone()
    return None if row is None else int(row[0])


def _merge_into_canonical_owner(
    article: _Locked, prepared: Prepared, *, owner: int | None
) -> Outcome | None:
    """If the page's canonical URL already belongs to another article (``owner``, looked up
    under the lock), this article was only another URL of it: record the URLs there and drop
    the empty duplicate row. Otherwise the article takes the canonical URL and keeps the one it
    had as a variant."""
    canonical = prepared.canonical
    if canonical == article.canonical_url:
        return None
    if owner is None:
        article.former_urls.append(article.canonical_url)
        article.canonical_url = canonical
        return None
    instance = Article.objects.get(pk=article.id)
    urls = [instance.canonical_url, *instance.urls.values_list("url", flat=True)]
    if instance.state != ArticleState.READY and not instance.citations.exists():
        instance.delete()
    _url_variants_add(owner, *urls, prepared.page.final_url)
    return Outcome(article_id=article.id, state="merged", merged_into=owner)


def _fields(
    article: _Locked, prepared: Prepared, stamp: object, duplicate_of: int | None
) -> dict[str, Any]:
    """The article's new column values, as the named parameters of _ARTICLE_SQL."""
    extracted, fp = prepared.extracted, prepared.fingerprint
    outlet_id = article.outlet_id
    if outlet_id is None and not article.canonical_url.startswith("urn:"):
        outlet = outlet_for_host(url_host(article.canonical_url), stamp=stamp)
        outlet_id = outlet.pk if outlet is not None else None
    return {
        "canonical": article.canonical_url,
        "title": (extracted.title or article.title)[:500],
        "byline": extracted.author[:300],
        "text": extracted.text,
        "published": extracted.published_at or article.published_at,
        "modified": extracted.modified_at,
        "language": prepared.language,
        "hash": fp.content_hash,
        "minhash": array_literal(fp.minhash),
        "sha256": prepared.page_sha256,
        "outlet": outlet_id,
        "duplicate_of": duplicate_of,
        "ready": str(ArticleState.READY),
    }


# The article's row; its generated columns (language, the search vector) and the change-log
# trigger follow in the database. Processing bookkeeping (attempts) is left as it is.
_ARTICLE_SQL = """
UPDATE events_article SET
    updated_at = %(now)s, canonical_url = %(canonical)s, outlet_id = %(outlet)s,
    title = %(title)s, byline = %(byline)s, detected_language = %(language)s,
    published_at = %(published)s, modified_at = %(modified)s, text = %(text)s,
    raw_html_sha256 = %(sha256)s, content_hash = %(hash)s, duplicate_of_id = %(duplicate_of)s,
    state = %(ready)s, failure_reason = '', fetched_at = %(now)s,
    text_version = text_version + 1, minhash = %(minhash)s::bigint[]
WHERE id = %(article)s;
"""

# Band keys are written only with a stored text, by the transaction that makes the article
# ready (here, or article_band_keys_set in that transaction), and a ready article stays ready:
# so only a ready article has keys to replace. A first store sends no delete, one statement
# fewer to parse, plan and run (0.07 ms of its backend's CPU, measured statement by statement).
_BAND_KEYS_DELETE = """
DELETE FROM events_articlebandkey WHERE article_id = %(article)s;
"""

_KEYS_AND_URLS_SQL = """
INSERT INTO events_articlebandkey (article_id, key)
SELECT %(article)s, unnest(%(band_keys)s::bigint[]);
INSERT INTO events_articleurl (article_id, url, first_seen_at)
SELECT %(article)s, url, %(now)s FROM unnest(%(urls)s::text[]) AS u (url)
ON CONFLICT DO NOTHING
"""


# The write batch's prepared statements, each SQL text under its own name: a first store's,
# and a ready article's, which replaces its band keys first.
_ARTICLE = statements_of("tracker_article_write", _ARTICLE_SQL)
_KEYS_DELETE = statements_of("tracker_article_keys_delete", _BAND_KEYS_DELETE)
_KEYS_AND_URLS = statements_of("tracker_article_keys_urls", _KEYS_AND_URLS_SQL)
_WRITES_FIRST = (*_ARTICLE, *_KEYS_AND_URLS)
_WRITES_AGAIN = (*_ARTICLE, *_KEYS_DELETE, *_KEYS_AND_URLS)


def _writes(article: _Locked, prepared: Prepared, fields: dict[str, Any]) -> tuple[Writes, ...]:
    """The article's row, its LSH band keys (replaced), the URLs it was fetched at (variants)
    and its raw page. The unique constraints stay the arbiters: a canonical URL another
    worker stored meanwhile fails the update (and _store runs again, merging), a URL already
    known is left to its article."""
    page = prepared.page
    urls = (*article.former_urls, page.requested_url, *page.redirect_chain, page.final_url)
    params = {
        **fields,
        "article": article.id,
        "now": timezone.now(),
        "band_keys": array_literal(dict.fromkeys(prepared.fingerprint.band_keys)),
        "urls": [u for u in dict.fromkeys(urls) if u and len(u) <= MAX_URL_CHARS],
    }
    writes = _WRITES_AGAIN if article.state == ArticleState.READY else _WRITES_FIRST
    return (writes, params), _page_writes(article.id, prepared)


# One statement whether the page is new or replaces the last one.
_PAGE_SQL = """
INSERT INTO events_articlepage
    (article_id, url, body_gzip, sha256, encoding, content_type, fetched_at)
VALUES (%(article)s, %(page_url)s, %(page_gzip)s, %(page_sha256)s, %(page_encoding)s,
        %(page_type)s, %(now)s)
ON CONFLICT (article_id) DO UPDATE SET
    url = EXCLUDED.url, body_gzip = EXCLUDED.body_gzip, sha256 = EXCLUDED.sha256,
    encoding = EXCLUDED.encoding, content_type = EXCLUDED.content_type,
    fetched_at = EXCLUDED.fetched_at
"""


_PAGE = (Statement("tracker_article_page", _PAGE_SQL),)


def _page_writes(article_id: int, prepared: Prepared) -> Writes:
    page = prepared.page
    return _PAGE, {
        "article": article_id,
        "now": timezone.now(),
        "page_url": page.final_url,
        # Level 1: about 4x faster than the default 6 for a few per cent more bytes; the same
        # gzip format, read back by gzip.decompress.
        "page_gzip": gzip.compress(page.body, compresslevel=1),
        "page_sha256": prepared.page_sha256,
        "page_encoding": prepared.encoding,
        "page_type": page.content_type,
    }


def _revision_keep(article: Article) -> None:
    """Keep the text a later fetch replaces, and flag published lines that quote it."""
    ArticleRevision.objects.get_or_create(
        article=article,
        version=article.text_version,
        defaults={
            "title": article.title,
            "text": article.text,
            "content_hash": article.content_hash,
            "fetched_at": article.fetched_at,
        },
    )
    Update.objects.filter(citations__article=article, status=UpdateStatus.PUBLISHED).update(
        sources_changed_at=timezone.now()
    )


def article_band_keys_set(*, article_id: int, keys: tuple[int, ...]) -> None:
    """Replace an article's LSH band keys (inside the transaction that stored its text)."""
    ArticleBandKey.objects.filter(article_id=article_id).delete()
    ArticleBandKey.objects.bulk_create(
        ArticleBandKey(article_id=article_id, key=key) for key in dict.fromkeys(keys)
    )


# Exact copies (same normalised text) and near-duplicate candidates (sharing an LSH band key)
# in one round trip; both through their indexes, so the cost does not grow with the corpus.
# Each starts from its own index whatever the statistics say: ``OFFSET 0`` keeps the planner
# from folding the subquery into the outer query and reordering it. Left free, on a table
# whose statistics predate its ready rows (a young table, or one autovacuum has not analysed
# since a burst of stores) it walked every ready article by the ``article_ready`` index and
# probed its content hash and band keys one article at a time: 0.46 ms of execution at 49
# ready articles against 0.11, and growing with them. The same holds for the generic plan the
# lock statement runs on (see _LOCK_PLANS), which knows neither the hash nor the keys:
# ``content_hash <> ''`` lets the planner use the partial index on content hashes without
# knowing the hash, and each band key is a lookup of its own in the key index (a choice of
# speed: 42 probes, the lock statement executed in 0.15 ms at 100k articles, against 0.46
# with one bitmap scan of all the keys).
_DUPLICATE_SQL = """
(SELECT false, id, duplicate_of_id, NULL::bigint[] FROM (
     SELECT id, duplicate_of_id, state FROM events_article
     WHERE content_hash = %(hash)s AND content_hash <> '' AND id <> %(article)s OFFSET 0) AS same
 WHERE state = %(ready)s ORDER BY id LIMIT 1)
UNION ALL
(SELECT true, near.id, near.duplicate_of_id, near.minhash
 FROM (SELECT DISTINCT shared.article_id
       FROM unnest(%(keys)s::bigint[]) AS band (key),
       LATERAL (SELECT article_id FROM events_articlebandkey
                WHERE key = band.key AND article_id <> %(article)s OFFSET 0) AS shared) AS shared,
 LATERAL (SELECT id, duplicate_of_id, minhash FROM events_article
          WHERE id = shared.article_id AND state = %(ready)s OFFSET 0) AS near
 ORDER BY near.id LIMIT %(limit)s)
"""


def _duplicate_params(article_id: int, fp: Fingerprint) -> dict[str, Any]:
    return {
        "ready": str(ArticleState.READY),
        "article": article_id,
        "hash": fp.content_hash,
        "keys": array_literal(fp.band_keys),
        "limit": CANDIDATE_LIMIT,
    }


def _original_pick(fp: Fingerprint, rows: list[tuple[Any, ...]]) -> int | None:
    """The original among the candidate rows of _DUPLICATE_SQL."""
    best: tuple[float, int] | None = None
    for near, pk, duplicate_of, minhash in rows:
        if not near:
            return duplicate_of or pk
        other = Fingerprint(content_hash="", minhash=tuple(minhash), band_keys=())
        score = similarity(fp, other)
        if score >= NEAR_DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, duplicate_of or pk)
    return best[1] if best else None


# The lookups are defined next to the code that reads their rows.
_LOCK_SQL = _LOCK_TEMPLATE.format(
    owner=_OWNER_COLUMN.format(owner=_OWNER_SQL), duplicates=_DUPLICATE_SQL
)
_LOCK_SQL_NO_OWNER = _LOCK_TEMPLATE.format(owner="NULL::bigint", duplicates=_DUPLICATE_SQL)
_LOCK = Statement("tracker_article_lock", _LOCK_SQL)
_LOCK_NO_OWNER = Statement("tracker_article_lock_no_owner", _LOCK_SQL_NO_OWNER)
