"""Processing a registered article: counting the attempt, fetching, the CPU part (decode, extract,
language, fingerprint), recording failures; and the sweep of stalled articles."""

import datetime as dt
import hashlib
import logging

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from events.ingest.decode import decode_html
from events.ingest.extract import ExtractionError, extract_article
from events.ingest.fetch import Fetcher, FetchError
from events.ingest.fingerprint import fingerprint
from events.ingest.language import detect_language
from events.ingest.urls import InvalidURL, accept_rel_canonical
from events.models import (
    Article,
    ArticleState,
)
from events.services.articles.common import (
    HTML_TYPES,
    MAX_ATTEMPTS,
    PAGE_ACCEPT,
    STALLED_AFTER,
    Outcome,
    Page,
    Prepared,
    _storable_url,
    storable_canonical_url,
)
from events.services.articles.store import _store
from events.services.enrichment import curation_stamp
from events.services.fetching import fetcher as default_fetcher
from events.services.sql import COMMIT_ASYNC
from events.services.statements import Statement, execute, statement_lost

logger = logging.getLogger(__name__)


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
    # The curation version storing needs, read now, while Redis is awake from the fetch's
    # host slot: after the extraction's ~10 ms it is idle, and a round trip that wakes it
    # costs about three times as much (0.4-0.5 against 0.14-0.16 ms, measured; see
    # docs/ingestion-speed.md, twelfth round).
    stamp = curation_stamp()
    return article_store_page(article_id=article_id, page=Page.from_fetch(result), stamp=stamp)


# Counting an attempt of a pending article with a URL: the common case. Neither column is
# indexed: a HOT update, which adds no index entries (updated_at would, ~0.1 ms of the
# backend's CPU per article).
_CLAIM_SQL = """
UPDATE events_article SET attempts = attempts + 1, claimed_at = %(now)s
WHERE id = %(article)s AND state NOT IN (%(ready)s, %(failed)s) AND attempts < %(attempts)s
    AND canonical_url NOT LIKE 'urn:%%'
RETURNING canonical_url
"""


_CLAIM = Statement("tracker_article_claim", _CLAIM_SQL)


def _attempt_count(article_id: int) -> str | None:
    """The common case of _attempt_claim in one round trip: the URL to fetch, or None."""
    # Outside a transaction, two statements in one message run as one transaction, committed
    # asynchronously.
    prefix = "" if connection.in_atomic_block else COMMIT_ASYNC
    params = {
        "now": timezone.now(),
        "article": article_id,
        "ready": str(ArticleState.READY),
        "failed": str(ArticleState.FAILED),
        "attempts": MAX_ATTEMPTS,
    }
    with connection.cursor() as cursor:
        execute(cursor, (_CLAIM,), params, prefix=prefix)
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
        article.claimed_at = timezone.now()
        article.save(update_fields=["attempts", "claimed_at", "updated_at"])
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


def article_store_page(*, article_id: int, page: Page, stamp: object = ...) -> Outcome:
    """Extract ``page`` and store the result on the article (fetched or imported).
    ``stamp``: the :func:`~events.services.enrichment.curation_stamp` the caller read already."""
    try:
        prepared = _prepare(page)
    except (ExtractionError, InvalidURL) as error:
        return _failed(article_id, str(error), temporary=False)
    if stamp is ...:
        stamp = curation_stamp()  # one read for the outlet and the enrichment caches
    try:
        return _store(article_id, prepared, stamp)
    except IntegrityError:
        # Another worker stored the same canonical URL first: fold this one into it.
        return _store(article_id, prepared, stamp)
    except DatabaseError as error:
        if not statement_lost(error):
            raise
        # The server forgot a prepared statement (see events/services/statements.py): the
        # transaction was rolled back and the statements are prepared again.
        return _store(article_id, prepared, stamp)


def articles_claim_stalled(*, limit: int = 500) -> list[int]:
    """Pending articles whose retry is due, or that nobody registered, changed or claimed for
    a while (their message was lost); each is leased so the next sweep does not enqueue it
    again. An article a worker claimed within STALLED_AFTER is left to it either way: a worker
    is done or killed within the tasks' time limit, which the settings keep below it. (A due
    retry whose delayed message, from the task's own retry, is lost is found again by the first
    sweep after both its retry is due and its last claim is STALLED_AFTER old.)"""
    now = timezone.now()
    not_held = Q(claimed_at__isnull=True) | Q(claimed_at__lte=now - STALLED_AFTER)
    quiet = Q(next_attempt_at__isnull=True, updated_at__lte=now - STALLED_AFTER)
    with transaction.atomic():
        stalled = list(
            Article.objects.select_for_update(skip_locked=True)
            .filter(state=ArticleState.PENDING)
            .filter(not_held & (Q(next_attempt_at__lte=now) | quiet))
            .order_by("id")
            .values_list("id", flat=True)[:limit]
        )
        Article.objects.filter(id__in=stalled).update(next_attempt_at=now + STALLED_AFTER)
    return stalled
