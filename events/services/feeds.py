"""Feeds: registration, polling with conditional GET, adaptive scheduling and health.

Network I/O happens outside transactions; the results are written under the feed's row lock.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from events.ingest import schedule
from events.ingest.feeds import FeedParseError, ParsedFeed, parse_feed
from events.ingest.fetch import Fetcher, FetchError
from events.ingest.urls import InvalidURL, url_host
from events.models import Feed, FeedHealth
from events.services.articles import (
    Link,
    articles_register_links,
    outlet_for_host,
    storable_canonical_url,
)
from events.services.fetching import fetcher as default_fetcher

logger = logging.getLogger(__name__)

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.8, text/xml;q=0.8, */*;q=0.1"
)
# A poll claims its feed for this long, so the beat never hands it to two workers at once.
POLL_LEASE = dt.timedelta(minutes=10)
# The sizes of Feed.etag and Feed.last_modified. A longer validator (a broken or hostile server)
# is not kept: the next poll is simply unconditional, instead of every poll failing to save.
ETAG_MAX_CHARS = 512
LAST_MODIFIED_MAX_CHARS = 64


@dataclass
class PollResult:
    feed_id: int
    ok: bool
    not_modified: bool = False
    entries: int = 0
    new_article_ids: list[int] = field(default_factory=list)
    error: str = ""


@transaction.atomic
def feed_register(*, url: str, title: str = "", language: str = "") -> Feed:
    """The feed at ``url`` (created if new), attached to the outlet that owns its host."""
    try:
        url = storable_canonical_url(url)
    except InvalidURL as error:
        from django.core.exceptions import ValidationError

        raise ValidationError({"url": str(error)}) from error
    feed, created = Feed.objects.get_or_create(
        url=url, defaults={"title": title, "language": language, "next_poll_at": timezone.now()}
    )
    if created and feed.outlet_id is None:
        feed.outlet = outlet_for_host(url_host(url))
        feed.save(update_fields=["outlet", "updated_at"])
    return feed


def feeds_poll_soon(*, feed_ids: list[int]) -> int:
    """Make feeds due now (the beat claims them within a minute), healthy or not."""
    return Feed.objects.filter(id__in=feed_ids, is_active=True).update(next_poll_at=timezone.now())


def feeds_claim_due(*, limit: int = 100) -> list[int]:
    """Claim active feeds whose poll is due: skip rows another beat/worker holds, and push
    their next poll past the lease so nobody claims them again meanwhile."""
    now = timezone.now()
    with transaction.atomic():
        due = list(
            Feed.objects.select_for_update(skip_locked=True)
            .filter(is_active=True, next_poll_at__lte=now)
            .order_by("next_poll_at")
            .values_list("id", flat=True)[:limit]
        )
        Feed.objects.filter(id__in=due).update(next_poll_at=now + POLL_LEASE)
    return due


def feed_poll(*, feed_id: int, fetcher: Fetcher | None = None) -> PollResult:
    """Poll one feed now and register its new articles (their processing is enqueued by the
    caller, or run inline by the ingest_feed command)."""
    feed = Feed.objects.get(pk=feed_id)
    try:
        response = (fetcher or default_fetcher()).fetch(
            feed.url, etag=feed.etag, last_modified=feed.last_modified, accept=FEED_ACCEPT
        )
        parsed = (
            None
            if response.not_modified
            else parse_feed(
                response.body, content_type=response.content_type, url=response.final_url
            )
        )
    except (FetchError, FeedParseError) as error:
        return _poll_failed(feed_id, error)
    return _poll_succeeded(feed_id, response.status, response.etag, response.last_modified, parsed)


def _poll_failed(feed_id: int, error: Exception) -> PollResult:
    temporary = bool(getattr(error, "temporary", False))
    reason = getattr(error, "reason", "") or str(error)
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed_id)
        plan = schedule.after_failure(
            feed.poll_interval,
            feed.consecutive_failures,
            temporary=temporary,
            retry_after=getattr(error, "retry_after", None),
        )
        now = timezone.now()
        feed.consecutive_failures = plan.failures
        feed.health = plan.health
        feed.last_error = reason
        feed.last_error_at = feed.last_polled_at = now
        feed.last_status = getattr(error, "status", None)
        feed.next_poll_at = now + dt.timedelta(seconds=plan.delay)
        feed.save()
    logger.warning(
        "ingest.feed_failed",
        extra={"feed_id": feed_id, "reason": reason, "temporary": temporary, "health": plan.health},
    )
    return PollResult(feed_id=feed_id, ok=False, error=reason)


def _poll_succeeded(
    feed_id: int, status: int, etag: str, last_modified: str, parsed: ParsedFeed | None
) -> PollResult:
    result = PollResult(feed_id=feed_id, ok=True, not_modified=parsed is None)
    with transaction.atomic():
        feed = Feed.objects.select_for_update().get(pk=feed_id)
        if parsed is not None:
            result.entries = len(parsed.entries)
            links = [
                Link(e.url, title=e.title, published_at=e.published_at) for e in parsed.entries
            ]
            result.new_article_ids = articles_register_links(links=links, feed=feed)
            feed.title = feed.title or parsed.title
            feed.etag = etag if len(etag) <= ETAG_MAX_CHARS else ""
            feed.last_modified = (
                last_modified if len(last_modified) <= LAST_MODIFIED_MAX_CHARS else ""
            )
            feed.items_seen += len(result.new_article_ids)
        plan = schedule.after_success(feed.poll_interval, len(result.new_article_ids))
        now = timezone.now()
        feed.poll_interval = plan.interval
        feed.consecutive_failures = 0
        feed.health = FeedHealth.HEALTHY
        feed.last_error = ""
        feed.last_status = status
        feed.last_new_items = len(result.new_article_ids)
        feed.last_polled_at = feed.last_success_at = now
        feed.next_poll_at = now + dt.timedelta(seconds=plan.delay)
        feed.save()
    logger.info(
        "ingest.feed_polled",
        extra={"feed_id": feed_id, "entries": result.entries, "new": len(result.new_article_ids)},
    )
    return result


FEED_EDITABLE_FIELDS = ("title", "language", "is_active")


@transaction.atomic
def feed_edit(*, feed: Feed, **fields: object) -> Feed:
    """Change an editor's settings of a feed (:data:`FEED_EDITABLE_FIELDS`); its polling state
    belongs to the poller. A feed switched back on is due at once."""
    from django.core.exceptions import ValidationError

    unknown = sorted(set(fields) - set(FEED_EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "not a field that can be set"))
    feed = Feed.objects.select_for_update().get(pk=feed.pk)
    reactivated = fields.get("is_active") is True and not feed.is_active
    for name, value in fields.items():
        setattr(feed, name, value.strip() if isinstance(value, str) else value)
    if reactivated:
        feed.next_poll_at = timezone.now()
    feed.full_clean()
    feed.save()
    return feed
