"""Articles: registration from feeds and URLs, and processing a fetched page into a clean,
language-tagged, fingerprinted, deduplicated, entity-tagged article with event suggestions.

Each step is idempotent: a redelivered task, two racing workers or a crashed worker leave one
Article per canonical URL (the unique constraint decides) and lose nothing.
"""

import datetime as dt
import gzip
import hashlib
import logging
import re
from collections.abc import Hashable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from events.ingest.decode import decode_html
from events.ingest.extract import ExtractedArticle, ExtractionError, extract_article
from events.ingest.fetch import Fetcher, FetchError, FetchResult
from events.ingest.fingerprint import NEAR_DUPLICATE_THRESHOLD, Fingerprint, fingerprint, similarity
from events.ingest.language import detect_language
from events.ingest.urls import InvalidURL, accept_rel_canonical, canonical_url, url_host
from events.models import (
    Article,
    ArticleBandKey,
    ArticleRevision,
    ArticleState,
    ArticleURL,
    Feed,
    Outlet,
    OutletDomain,
    Update,
    UpdateStatus,
)
from events.services.enrichment import (
    CuratedCache,
    curation_stamp,
    enrichment_compute,
    enrichment_writes,
)
from events.services.fetching import fetcher as default_fetcher

logger = logging.getLogger(__name__)

# Deliveries of one article's processing before it is given up on as poison.
MAX_ATTEMPTS = 5
HTML_TYPES = ("text/html", "application/xhtml+xml")
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.1"
CANDIDATE_LIMIT = 50
STALLED_AFTER = dt.timedelta(minutes=15)
# The URL columns' size: a longer URL (a hostile feed can list one) is refused as invalid
# rather than failing the whole poll or task on the database.
MAX_URL_CHARS = 2048


@dataclass(frozen=True)
class Outcome:
    """What processing did. ``temporary`` failures may be retried; the rest are final."""

    article_id: int
    state: str
    reason: str = ""
    temporary: bool = False
    retry_after: float | None = None
    duplicate_of: int | None = None
    merged_into: int | None = None
    changed: bool = False


@dataclass(frozen=True)
class Page:
    """A page's bytes and where they came from: fetched, or read from a saved file."""

    requested_url: str
    final_url: str
    redirect_chain: tuple[str, ...]
    body: bytes
    content_type: str
    charset: str | None

    @classmethod
    def from_fetch(cls, result: FetchResult) -> "Page":
        return cls(
            requested_url=result.requested_url,
            final_url=result.final_url,
            redirect_chain=result.redirect_chain,
            body=result.body,
            content_type=result.content_type,
            charset=result.charset,
        )


@dataclass(frozen=True)
class Prepared:
    """Everything computed from a page without touching the database."""

    page: Page
    extracted: ExtractedArticle
    canonical: str
    language: str
    fingerprint: Fingerprint
    encoding: str
    page_sha256: str  # of the raw bytes, kept on the article and with its page


# --- registration -----------------------------------------------------------------------------


def outlet_for_host(host: str, *, stamp: object = ...) -> Outlet | None:
    """The outlet owning ``host`` or its closest registered parent domain (www.bbc.co.uk →
    bbc.co.uk). Read from a per-process map of every outlet domain (outlets are few and rarely
    change; see :class:`~events.services.enrichment.CuratedCache` for how a change is seen).
    ``stamp``: the :func:`~events.services.enrichment.curation_stamp` the caller read already."""
    parts = host.lower().split(".")
    # The host itself always counts, even a single label (an intranet name, localhost).
    domains = _outlet_domains.get(stamp)
    for i in range(max(len(parts) - 1, 1)):
        outlet = domains.get(".".join(parts[i:]))
        if outlet is not None:
            return outlet
    return None


def _outlet_domains_version() -> Hashable:
    return (
        OutletDomain.objects.aggregate(n=Count("id"), last=Max("id")),
        Outlet.objects.aggregate(n=Count("id"), changed=Max("updated_at")),
    )


def _outlet_domains_build() -> dict[str, Outlet]:
    return {d.domain: d.outlet for d in OutletDomain.objects.select_related("outlet")}


_outlet_domains = CuratedCache(_outlet_domains_version, _outlet_domains_build)


def _url_variants_add(article_id: int, *urls: str) -> None:
    ArticleURL.objects.bulk_create(
        [
            ArticleURL(article_id=article_id, url=u)
            for u in dict.fromkeys(urls)
            if u and len(u) <= MAX_URL_CHARS
        ],
        ignore_conflicts=True,
    )


def storable_canonical_url(url: str) -> str:
    """canonical_url, also refusing URLs too long to store. Raises InvalidURL."""
    canonical = canonical_url(url)
    if len(canonical) > MAX_URL_CHARS:
        raise InvalidURL(f"URL longer than {MAX_URL_CHARS} characters")
    return canonical


def _storable_url(url: str | None) -> str | None:
    """The canonical form of ``url``, or None when it is not a URL an article can have."""
    try:
        return storable_canonical_url(url or "")
    except InvalidURL:
        return None


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
    article = Article(
        canonical_url=canonical,
        feed=feed,
        outlet=(feed.outlet if feed else None) or outlet_for_host(url_host(canonical)),
        title=title[:500],
        published_at=published_at,
    )
    sql, params = _register_sql(article)
    params.update(url=url, variants=[url] if url == canonical else [url, canonical])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        # The canonical URL was registered by a transaction that committed while this
        # statement ran (its snapshot does not show the row): add the variants to it.
        owner = Article.objects.filter(canonical_url=canonical).values_list("pk", flat=True)
        _url_variants_add(owner.get(), url, canonical)
        return None
    article_id, created = row
    return int(article_id) if created else None


# Registration in one statement: a URL known already (as any article's URL) only adds this
# URL to that article; else the article is inserted, or, if its canonical URL exists, that
# article gets both URLs as variants. The row is built from the model's fields and their
# defaults (_register_sql), so a new column with a default needs no change here.
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


_VARCHAR_LENGTH = re.compile(r"^varchar\(\d+\)$")


def _register_sql(article: Article) -> tuple[str, dict[str, Any]]:
    """_REGISTER_SQL for ``article``'s row: every stored column but the generated ones, with
    the values the ORM would insert (defaults, auto_now), cast to the column types."""
    fields = [f for f in Article._meta.concrete_fields if not f.primary_key and not f.generated]
    params = {f.column: f.get_db_prep_save(f.pre_save(article, True), connection) for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    # varchar without its length: an explicit cast to varchar(n) would truncate silently, the
    # assignment to the column refuses an overlong value as the ORM's insert does.
    types = [_VARCHAR_LENGTH.sub("varchar", str(f.db_type(connection))) for f in fields]
    values = ", ".join(f"%({f.column})s::{t}" for f, t in zip(fields, types, strict=True))
    return _REGISTER_SQL.format(columns=columns, values=values), params


# --- processing -------------------------------------------------------------------------------


def article_process(
    *, article_id: int, fetcher: Fetcher | None = None, refetch: bool = False
) -> Outcome:
    """Fetch, extract and store one article. Safe to run twice or concurrently."""
    claimed = _attempt_claim(article_id, refetch=refetch)
    if isinstance(claimed, Outcome):
        return claimed
    try:
        result = (fetcher or default_fetcher()).fetch(claimed, accept=PAGE_ACCEPT)
    except FetchError as error:
        return _failed(
            article_id, error.reason, temporary=error.temporary, retry_after=error.retry_after
        )
    return article_store_page(article_id=article_id, page=Page.from_fetch(result))


# Lets a transaction's commit return before its WAL reaches the disk. Only for the worker's
# own transactions, which are idempotent: if the database crashes within the next fraction of a
# second and loses one, the article is still pending (or its attempt is not counted) and the
# sweep re-enqueues it; nothing half-written is possible, and any later ordinary commit flushes
# everything before it. Saves a disk flush per transaction.
_COMMIT_ASYNC = "SET LOCAL synchronous_commit = off"


# Counting an attempt of a pending article with a URL: the common case.
_CLAIM_SQL = """
UPDATE events_article SET attempts = attempts + 1, updated_at = %s
WHERE id = %s AND state NOT IN (%s, %s) AND attempts < %s AND canonical_url NOT LIKE 'urn:%%'
RETURNING canonical_url
"""


def _attempt_count(article_id: int) -> str | None:
    """The common case of _attempt_claim in one round trip: the URL to fetch, or None."""
    sql = _CLAIM_SQL
    if not connection.in_atomic_block:
        # Two statements in one message run as one transaction, committed asynchronously.
        sql = f"{_COMMIT_ASYNC}; {_CLAIM_SQL}"
    done = (str(ArticleState.READY), str(ArticleState.FAILED))
    with connection.cursor() as cursor:
        cursor.execute(sql, (timezone.now(), article_id, *done, MAX_ATTEMPTS))
        row = cursor.fetchone()
    return None if row is None else str(row[0])


def _attempt_claim(article_id: int, *, refetch: bool) -> str | Outcome:
    """Count the attempt before working (so a message that keeps killing workers is bounded)
    and return the URL to fetch, or the outcome if there is nothing to do."""
    if not refetch:
        url = _attempt_count(article_id)
        if url is not None:
            return url
    # Gone, processed, given up on, or nothing to fetch: say which.
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            return Outcome(article_id=article_id, state="gone", reason="article no longer exists")
        if article.state in (ArticleState.READY, ArticleState.FAILED) and not refetch:
            return Outcome(article_id=article_id, state=article.state, reason="already processed")
        if article.attempts >= MAX_ATTEMPTS and not refetch:
            article.state = ArticleState.FAILED
            article.failure_reason = f"gave up after {article.attempts} attempts"
            article.save(update_fields=["state", "failure_reason", "updated_at"])
            return Outcome(
                article_id=article_id, state=article.state, reason=article.failure_reason
            )
        article.attempts += 1
        article.save(update_fields=["attempts", "updated_at"])
        if article.canonical_url.startswith("urn:"):
            return Outcome(article_id=article_id, state=article.state, reason="no URL to fetch")
        return article.canonical_url


def _failed(
    article_id: int, reason: str, *, temporary: bool, retry_after: float | None = None
) -> Outcome:
    """Record a failure. A temporary one leaves the article pending for a retry; a permanent
    one marks it failed with its reason (shown on its feed), never listed as an article."""
    with transaction.atomic():
        article = Article.objects.select_for_update().filter(pk=article_id).first()
        if article is None:
            return Outcome(article_id=article_id, state="gone", reason=reason)
        if article.state == ArticleState.READY:
            # A re-fetch of a known article failed: keep what we have.
            return Outcome(
                article_id=article_id, state=article.state, reason=reason, temporary=temporary
            )
        if temporary and article.attempts < MAX_ATTEMPTS:
            article.failure_reason = reason
            article.next_attempt_at = timezone.now() + dt.timedelta(seconds=retry_after or 60)
            article.save(update_fields=["failure_reason", "next_attempt_at", "updated_at"])
        else:
            article.state = ArticleState.FAILED
            article.failure_reason = (
                reason if not temporary else f"{reason} (gave up after {article.attempts} attempts)"
            )
            article.save(update_fields=["state", "failure_reason", "updated_at"])
            temporary = False
    logger.info(
        "ingest.article_failed",
        extra={"article_id": article_id, "reason": reason, "temporary": temporary},
    )
    return Outcome(
        article_id=article_id,
        state=article.state,
        reason=reason,
        temporary=temporary,
        retry_after=retry_after,
    )


def _prepare(page: Page) -> Prepared:
    """The CPU part: decode, extract, detect language, fingerprint. Raises ExtractionError."""
    if page.content_type and page.content_type not in HTML_TYPES:
        raise ExtractionError(f"not an HTML page ({page.content_type})")
    decoded = decode_html(page.body, http_charset=page.charset)
    extracted = extract_article(decoded.text, url=page.final_url)
    if page.final_url.startswith("urn:"):
        # An imported file: trust the page's own canonical URL if it names a usable one.
        canonical = _storable_url(extracted.canonical_url) or page.final_url
    else:
        accepted = accept_rel_canonical(page.final_url, extracted.canonical_url)
        canonical = _storable_url(accepted) or storable_canonical_url(page.final_url)
    guess = detect_language(extracted.text)
    return Prepared(
        page=page,
        extracted=extracted,
        canonical=canonical,
        language=guess.code or "",
        fingerprint=fingerprint(extracted.text),
        encoding=decoded.encoding,
        page_sha256=hashlib.sha256(page.body).hexdigest(),
    )


def article_store_page(*, article_id: int, page: Page) -> Outcome:
    """Extract ``page`` and store the result on the article (fetched or imported)."""
    try:
        prepared = _prepare(page)
    except (ExtractionError, InvalidURL) as error:
        return _failed(article_id, str(error), temporary=False)
    try:
        return _store(article_id, prepared)
    except IntegrityError:
        # Another worker stored the same canonical URL first: fold this one into it.
        return _store(article_id, prepared)


# The article's columns storing reads under its row lock, in the same round trip as the
# asynchronous commit (see _COMMIT_ASYNC).
_LOCK_SQL = """SET LOCAL synchronous_commit = off;
SELECT id, state, canonical_url, content_hash, title, published_at, outlet_id, duplicate_of_id
FROM events_article WHERE id = %s FOR UPDATE"""


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
def _store(article_id: int, prepared: Prepared) -> Outcome:
    with connection.cursor() as cursor:
        cursor.execute(_LOCK_SQL, [article_id])
        row = cursor.fetchone()
    if row is None:
        return Outcome(article_id=article_id, state="gone", reason="article no longer exists")
    article = _Locked(*row)
    merged = _merge_into_canonical_owner(article, prepared)
    if merged is not None:
        return merged
    fp = prepared.fingerprint
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
    stamp = curation_stamp()  # one read for the outlet and the enrichment caches
    duplicate_of = _original_of(article.id, fp)
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


def _run(*statements: tuple[str, dict[str, Any]]) -> None:
    """Run several statements (each its SQL and named parameters) in one round trip, in order.
    Parameters of the same name must have the same value."""
    sql = ";\n".join(text for text, _ in statements)
    params: dict[str, Any] = {}
    for _, named in statements:
        params.update(named)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


# Two unique-index lookups, the second only if the first finds nothing (an OR across the
# join would scan both tables).
_OWNER_SQL = """
(SELECT id FROM events_article WHERE canonical_url = %(url)s AND id <> %(article)s)
UNION ALL
(SELECT article_id FROM events_articleurl WHERE url = %(url)s AND article_id <> %(article)s)
LIMIT 1
"""


def _merge_into_canonical_owner(article: _Locked, prepared: Prepared) -> Outcome | None:
    """If the page's canonical URL already belongs to another article, this article was only
    another URL of it: record the URLs there and drop the empty duplicate row. Otherwise the
    article takes the canonical URL and keeps the one it had as a variant."""
    canonical = prepared.canonical
    if canonical == article.canonical_url:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_OWNER_SQL, {"url": canonical, "article": article.id})
        row = cursor.fetchone()
    if row is None:
        article.former_urls.append(article.canonical_url)
        article.canonical_url = canonical
        return None
    owner = row[0]
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
        "minhash": list(fp.minhash),
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
DELETE FROM events_articlebandkey WHERE article_id = %(article)s;
INSERT INTO events_articlebandkey (article_id, key)
SELECT %(article)s, unnest(%(band_keys)s::bigint[]);
INSERT INTO events_articleurl (article_id, url, first_seen_at)
SELECT %(article)s, url, %(now)s FROM unnest(%(urls)s::text[]) AS u (url)
ON CONFLICT DO NOTHING
"""


def _writes(
    article: _Locked, prepared: Prepared, fields: dict[str, Any]
) -> tuple[tuple[str, dict[str, Any]], ...]:
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
        "band_keys": list(dict.fromkeys(prepared.fingerprint.band_keys)),
        "urls": [u for u in dict.fromkeys(urls) if u and len(u) <= MAX_URL_CHARS],
    }
    return (_ARTICLE_SQL, params), _page_writes(article.id, prepared)


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


def _page_writes(article_id: int, prepared: Prepared) -> tuple[str, dict[str, Any]]:
    page = prepared.page
    return _PAGE_SQL, {
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
_DUPLICATE_SQL = """
(SELECT false, id, duplicate_of_id, NULL::bigint[] FROM events_article
 WHERE state = %(ready)s AND id <> %(article)s AND content_hash = %(hash)s
 ORDER BY id LIMIT 1)
UNION ALL
(SELECT true, id, duplicate_of_id, minhash FROM events_article
 WHERE state = %(ready)s AND id <> %(article)s AND id IN (
     SELECT article_id FROM events_articlebandkey WHERE key = ANY(%(keys)s::bigint[]))
 ORDER BY id LIMIT %(limit)s)
"""


def _original_of(article_id: int, fp: Fingerprint) -> int | None:
    """The article this one copies: same normalised text, or a near-duplicate found through
    the LSH band index (cost independent of corpus size). The earliest stored wins."""
    params: dict[str, Any] = {
        "ready": str(ArticleState.READY),
        "article": article_id,
        "hash": fp.content_hash,
        "keys": list(fp.band_keys),
        "limit": CANDIDATE_LIMIT,
    }
    with connection.cursor() as cursor:
        cursor.execute(_DUPLICATE_SQL, params)
        rows = cursor.fetchall()
    best: tuple[float, int] | None = None
    for near, pk, duplicate_of, minhash in rows:
        if not near:
            return duplicate_of or pk
        other = Fingerprint(content_hash="", minhash=tuple(minhash), band_keys=())
        score = similarity(fp, other)
        if score >= NEAR_DUPLICATE_THRESHOLD and (best is None or score > best[0]):
            best = (score, duplicate_of or pk)
    return best[1] if best else None


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


def articles_claim_stalled(*, limit: int = 500) -> list[int]:
    """Pending articles whose retry is due, or that nobody touched for a while (their message
    was lost); each is leased so the next sweep does not enqueue it again."""
    now = timezone.now()
    with transaction.atomic():
        stalled = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(state=ArticleState.PENDING)
            .filter(
                Q(next_attempt_at__lte=now)
                | Q(next_attempt_at__isnull=True, updated_at__lte=now - STALLED_AFTER)
            )
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        Article.objects.filter(id__in=stalled).update(next_attempt_at=now + STALLED_AFTER)
    return stalled


# --- imports ----------------------------------------------------------------------------------


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
