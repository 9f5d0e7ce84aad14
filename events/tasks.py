"""Celery tasks: thin wrappers that load by id and call one service (see STYLE.md).

Every task is safe to run twice: the services lock rows and the database's unique
constraints decide. Temporary failures retry with exponential backoff and jitter; permanent
ones are recorded on the row by the service and not retried.
"""

import functools
import random

from celery import shared_task
from django.conf import settings
from django.db import transaction

from events.models import Event
from events.services.articles import article_process, articles_claim_stalled
from events.services.feeds import feed_poll, feeds_claim_due
from events.services.webhooks import (
    webhook_deliver,
    webhook_deliveries_claim_due,
    webhooks_dispatch,
)

MAX_RETRIES = 4


def _backoff(retries: int, retry_after: float | None = None) -> int:
    """Exponential backoff with jitter, honouring Retry-After, and always well inside the
    broker's visibility timeout: a worker holds a delayed task unacknowledged until it runs,
    and a countdown past the timeout would hand it to a second worker."""
    base = min(1200, 30 * 2**retries)
    delay = max(retry_after or 0, base * random.uniform(0.8, 1.2))  # noqa: S311 - jitter only
    return int(min(delay, settings.CELERY_VISIBILITY_TIMEOUT // 2))


@shared_task(name="events.tasks.ping_task")
def ping_task() -> dict[str, int]:
    """Prove a worker is consuming and reaches the database (`check_services --worker`)."""
    return {"events": Event.objects.count()}


@shared_task(name="events.tasks.feed_poll_due_task")
def feed_poll_due_task() -> int:
    """Run by beat every minute: claim the feeds whose poll is due and enqueue their polls."""
    due = feeds_claim_due()
    for feed_id in due:
        feed_poll_task.delay(feed_id)
    return len(due)


@shared_task(name="events.tasks.feed_poll_task")
def feed_poll_task(feed_id: int) -> dict[str, object]:
    """Poll one feed; its failures go into its health and schedule, not into Celery retries."""
    result = feed_poll(feed_id=feed_id)
    for article_id in result.new_article_ids:
        transaction.on_commit(functools.partial(article_process_task.delay, article_id))
    return {"ok": result.ok, "new": len(result.new_article_ids), "error": result.error}


@shared_task(name="events.tasks.article_process_task", bind=True, max_retries=MAX_RETRIES)
def article_process_task(self, article_id: int) -> dict[str, object]:  # type: ignore[no-untyped-def]
    outcome = article_process(article_id=article_id)
    if outcome.temporary and self.request.retries < MAX_RETRIES:
        raise self.retry(countdown=_backoff(self.request.retries, outcome.retry_after))
    return {"state": outcome.state, "reason": outcome.reason, "duplicate_of": outcome.duplicate_of}


@shared_task(name="events.tasks.article_retry_due_task")
def article_retry_due_task() -> int:
    """Run by beat: re-enqueue articles whose retry is due or whose message was lost, so an
    article is never silently left pending."""
    stalled = articles_claim_stalled()
    for article_id in stalled:
        article_process_task.delay(article_id)
    return len(stalled)


# Webhooks: one POST takes at most the fetch policy's 30 s deadline; a dispatch reads at most
# a few thousand changes per webhook. Both limits stay well under the global ones.
@shared_task(name="events.tasks.webhooks_dispatch_task", soft_time_limit=120, time_limit=150)
def webhooks_dispatch_task() -> int:
    """Run by beat every 10 s: record new deliveries from the change log and send them."""
    created = webhooks_dispatch()
    for delivery_id in created:
        webhook_deliver_task.delay(delivery_id, 0)
    return len(created)


@shared_task(name="events.tasks.webhook_deliver_task", soft_time_limit=60, time_limit=90)
def webhook_deliver_task(delivery_id: int, attempt: int | None = None) -> str | None:
    """Send one delivery; a failure is scheduled again by the service, not by Celery. A
    message delivered again after its ``attempt`` was recorded sends nothing (messages queued
    before ``attempt`` existed carry none and send while the delivery is due)."""
    return webhook_deliver(delivery_id=delivery_id, attempt=attempt)


@shared_task(name="events.tasks.webhook_retry_due_task", soft_time_limit=60, time_limit=90)
def webhook_retry_due_task() -> int:
    """Run by beat every minute: send deliveries whose retry is due or whose message was lost."""
    due = webhook_deliveries_claim_due()
    for claim in due:
        webhook_deliver_task.delay(claim.delivery_id, claim.attempt)
    return len(due)
