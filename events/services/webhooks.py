"""Webhooks: registration, dispatch from the change log, signed delivery, retries and pausing.

- ``webhooks_dispatch`` follows the change log (events.selectors.changes, public rows only:
  drafts are never delivered) from each active webhook's position, records one
  ``WebhookDelivery`` per wanted change (unique per webhook and change, so a second run adds
  nothing) and advances the position, in one transaction per webhook holding its row lock.
- ``webhook_deliver`` POSTs one delivery through the project's safe HTTP client (address
  checks after DNS resolution, timeouts, per-host slots; no redirects), outside any
  transaction, then records the outcome under the delivery's row lock. A failure is retried
  after 1, 2, 4 ... minutes (at most 6 hours apart) up to ``MAX_ATTEMPTS`` attempts, then
  given up; ``PAUSE_AFTER_FAILURES`` failed attempts in a row pause the webhook until its
  owner switches it back on.
- Each task message names the attempt it stands for (the number of attempts recorded when it
  was handed out). A message delivered twice (late acknowledgement after a lost connection,
  a worker restart) whose attempt has since been recorded sends nothing: a delivery in its
  backoff is not sent early. A worker killed between sending and recording sends that attempt
  again: delivery is at least once, and ``X-Tracker-Delivery`` lets a receiver drop a repeat.

Latency: beat runs the dispatch every 10 s and it enqueues the new deliveries at once, so a
change usually reaches its receivers within ~10 s of being readable in the change log (a
long-running transaction anywhere on the PostgreSQL server delays that; see
events.selectors.changes). Retries are swept every minute.

Signature: ``X-Tracker-Signature: sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`` with
the webhook's secret, and the same ``<timestamp>`` (Unix seconds) in ``X-Tracker-Timestamp``,
so a receiver can refuse replays of old deliveries.
"""

import datetime as dt
import hashlib
import hmac
import json
import logging
import secrets
from typing import Any, NamedTuple

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from events.ingest.fetch import Fetcher, FetchError
from events.models import (
    Change,
    ChangeAction,
    ChangeKind,
    DeliveryState,
    User,
    Webhook,
    WebhookDelivery,
)
from events.selectors.changes import change_horizon, change_paths, changes_since
from events.services.fetching import fetcher as default_fetcher
from events.services.fetching import url_refusal

logger = logging.getLogger(__name__)

WEBHOOK_KINDS = frozenset(f"{kind}.{action}" for kind in ChangeKind for action in ChangeAction)
MAX_ATTEMPTS = 10
PAUSE_AFTER_FAILURES = 15
FIRST_RETRY = dt.timedelta(minutes=1)
MAX_RETRY = dt.timedelta(hours=6)
# A delivery handed to a worker is not handed out again for this long (its message may be lost;
# then the retry sweep takes it up again).
CLAIM_LEASE = dt.timedelta(minutes=5)
DISPATCH_PAGE = 500
DISPATCH_PAGES_PER_RUN = 20
_BIGINT_MAX = 2**63 - 1
_DUE_STATES = (DeliveryState.PENDING, DeliveryState.FAILED)


# --- registration and edits -------------------------------------------------------------------


def _checked(url: str, kinds: list[str]) -> tuple[str, list[str]]:
    errors: dict[str, str] = {}
    url = url.strip()
    refusal = url_refusal(url)
    if refusal:
        errors["url"] = refusal
    unknown = sorted(set(kinds) - WEBHOOK_KINDS)
    if unknown:
        errors["kinds"] = f"unknown kind {unknown[0]!r}; expected <kind>.<action>, e.g. " + (
            "update.published"
        )
    if errors:
        raise ValidationError(errors)
    return url, sorted(set(kinds))


def _log_position() -> tuple[int, int]:
    """A position before every change a transaction starting now can write, after every
    change already readable."""
    return change_horizon() - 1, _BIGINT_MAX


@transaction.atomic
def webhook_register(
    *, owner: User, url: str, kinds: list[str], secret: str | None = None
) -> Webhook:
    """A new active webhook receiving the public changes of ``kinds`` (``"update.published"``;
    empty: all) from now on. Its secret (generated unless given) is on the returned object:
    show it once."""
    url, kinds = _checked(url, kinds)
    last_txid, last_change_id = _log_position()
    webhook = Webhook(
        owner=owner,
        url=url,
        kinds=kinds,
        secret=secret or secrets.token_urlsafe(32),
        last_txid=last_txid,
        last_change_id=last_change_id,
    )
    webhook.full_clean()
    webhook.save()
    return webhook


WEBHOOK_EDITABLE_FIELDS = ("url", "kinds", "is_active")


@transaction.atomic
def webhook_edit(*, webhook: Webhook, **fields: Any) -> Webhook:
    """Change ``url``, ``kinds`` or ``is_active``. Switching a paused webhook back on clears its
    failure count; it then receives what it missed while paused."""
    unknown = sorted(set(fields) - set(WEBHOOK_EDITABLE_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "not a field that can be set"))
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    if fields.keys() & {"url", "kinds"} or fields.get("is_active") is True:
        # Switching off is never refused: a webhook whose address went bad must be pausable.
        url, kinds = _checked(fields.get("url", webhook.url), fields.get("kinds", webhook.kinds))
        webhook.url, webhook.kinds = url, kinds
    if fields.get("is_active") is True and not webhook.is_active:
        webhook.is_active = True
        webhook.paused_at, webhook.pause_reason, webhook.consecutive_failures = None, "", 0
    elif fields.get("is_active") is False and webhook.is_active:
        webhook.is_active = False
        webhook.paused_at, webhook.pause_reason = timezone.now(), "switched off by its owner"
    webhook.full_clean()
    webhook.save()
    return webhook


@transaction.atomic
def webhook_delete(*, webhook: Webhook) -> None:
    Webhook.objects.filter(pk=webhook.pk).delete()


# --- dispatch ---------------------------------------------------------------------------------


def _payload(change: Change, path: str | None) -> dict[str, Any]:
    return {
        "id": change.pk,
        "kind": f"{change.kind}.{change.action}",
        "action": change.action,
        "object": {"kind": change.kind, "id": change.object_id, "key": change.object_key},
        "at": change.at.isoformat().replace("+00:00", "Z"),
        "data": change.data,
        "url": path,
    }


def webhooks_dispatch(*, now: dt.datetime | None = None) -> list[int]:
    """Record the deliveries of every active webhook's new public changes; returns the ids of
    the deliveries created (to send now). Safe to run concurrently: a webhook another run is
    dispatching is skipped."""
    now = now or timezone.now()
    created: list[int] = []
    for webhook_id in Webhook.objects.filter(is_active=True).values_list("id", flat=True):
        created += _dispatch_one(webhook_id, now)
    return created


def _dispatch_one(webhook_id: int, now: dt.datetime) -> list[int]:
    path = change_paths()
    created: list[int] = []
    with transaction.atomic():
        webhook = (
            Webhook.objects.select_for_update(skip_locked=True)
            .filter(pk=webhook_id, is_active=True)
            .first()
        )
        if webhook is None:
            return []
        wanted = set(webhook.kinds)
        for _ in range(DISPATCH_PAGES_PER_RUN):
            page = changes_since(
                cursor=(webhook.last_txid, webhook.last_change_id),
                limit=DISPATCH_PAGE,
                include_private=False,
            )
            matching = [c for c in page.changes if not wanted or f"{c.kind}.{c.action}" in wanted]
            # Recording and advancing commit together, so a change is already recorded only
            # if the position was moved back (an operator replaying): those are not sent again.
            # The webhook's row lock keeps other runs out; the unique (webhook, change)
            # constraint backs that up.
            known = set(
                WebhookDelivery.objects.filter(webhook=webhook, change__in=matching).values_list(
                    "change_id", flat=True
                )
                if matching
                else ()
            )
            deliveries = WebhookDelivery.objects.bulk_create(
                [
                    WebhookDelivery(
                        webhook=webhook,
                        change=change,
                        kind=f"{change.kind}.{change.action}",
                        payload=_payload(change, path(change)),
                        next_attempt_at=now + CLAIM_LEASE,
                    )
                    for change in matching
                    if change.pk not in known
                ]
            )
            created += [delivery.pk for delivery in deliveries]
            if page.cursor is not None:
                webhook.last_txid, webhook.last_change_id = page.cursor
            if not page.has_more:
                break
        webhook.save(update_fields=["last_txid", "last_change_id"])
    return created


class Claimed(NamedTuple):
    """A delivery handed out to send, and the attempt that sending is: the number of
    attempts recorded when it was handed out."""

    delivery_id: int
    attempt: int


def webhook_deliveries_claim_due(
    *, now: dt.datetime | None = None, limit: int = 100
) -> list[Claimed]:
    """Deliveries of active webhooks whose (re)try is due, claimed for ``CLAIM_LEASE`` so the
    next sweep does not hand them out again while a worker has them."""
    now = now or timezone.now()
    with transaction.atomic():
        due = [
            Claimed(*row)
            for row in WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(state__in=_DUE_STATES, next_attempt_at__lte=now, webhook__is_active=True)
            .order_by("next_attempt_at")
            .values_list("id", "attempts")[:limit]
        ]
        WebhookDelivery.objects.filter(pk__in=[claim.delivery_id for claim in due]).update(
            next_attempt_at=now + CLAIM_LEASE
        )
    return due


# --- delivery ---------------------------------------------------------------------------------


def webhook_signature(*, secret: str, timestamp: int, body: bytes) -> str:
    """``sha256=<hex>`` of the HMAC-SHA256 of ``b"<timestamp>." + body`` with ``secret``."""
    signed = f"{timestamp}.".encode() + body
    return "sha256=" + hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def retry_delay(attempts: int) -> dt.timedelta:
    """Wait after the ``attempts``-th failed attempt: 1, 2, 4 ... minutes, at most 6 hours."""
    return min(MAX_RETRY, FIRST_RETRY * 2 ** min(attempts - 1, 20))


def webhook_deliver(
    *,
    delivery_id: int,
    attempt: int | None = None,
    now: dt.datetime | None = None,
    fetcher: Fetcher | None = None,
) -> str | None:
    """Send one delivery if it is still due and its webhook active; returns its state
    afterwards (None if it no longer exists). Network I/O happens outside any transaction.

    ``attempt`` is the number of attempts recorded when the delivery was handed out (0 from
    the dispatch, ``Claimed.attempt`` from the retry sweep): if more have been recorded
    since, this message was delivered twice and its attempt already happened, so nothing is
    sent. None (a caller's own retry, an operator) sends whenever the delivery is due."""
    now = now or timezone.now()
    delivery = WebhookDelivery.objects.select_related("webhook").filter(pk=delivery_id).first()
    if delivery is None:
        return None
    if delivery.state not in _DUE_STATES or not delivery.webhook.is_active:
        return delivery.state
    if attempt is not None and delivery.attempts != attempt:
        logger.info(
            "webhook.repeated_message_skipped",
            extra={"delivery_id": delivery.pk, "attempt": attempt, "attempts": delivery.attempts},
        )
        return delivery.state
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    timestamp = int(now.timestamp())
    headers = {
        "Content-Type": "application/json",
        "Accept": "*/*",
        "X-Tracker-Event": delivery.kind,
        "X-Tracker-Delivery": str(delivery.pk),
        "X-Tracker-Timestamp": str(timestamp),
        "X-Tracker-Signature": webhook_signature(
            secret=delivery.webhook.secret, timestamp=timestamp, body=body
        ),
    }
    status: int | None = None
    error = ""
    try:
        result = (fetcher or default_fetcher()).post(
            delivery.webhook.url, content=body, headers=headers
        )
        status = result.status
    except FetchError as exc:
        status, error = exc.status, exc.reason
    return _record(delivery.pk, now=now, status=status, error=error)


@transaction.atomic
def _record(delivery_id: int, *, now: dt.datetime, status: int | None, error: str) -> str | None:
    delivery = WebhookDelivery.objects.select_for_update().filter(pk=delivery_id).first()
    if delivery is None:
        return None
    if delivery.state not in _DUE_STATES:
        return delivery.state  # a concurrent attempt finished first
    webhook = Webhook.objects.select_for_update().get(pk=delivery.webhook_id)
    delivery.attempts += 1
    delivery.last_status_code, delivery.last_error = status, error
    if not error:
        delivery.state, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryState.DELIVERED,
            now,
            None,
        )
        webhook.consecutive_failures = 0
    else:
        _failed(delivery, webhook, now)
    delivery.save()
    webhook.save(update_fields=["consecutive_failures", "is_active", "paused_at", "pause_reason"])
    logger.info(
        "webhook.delivery_attempted",
        extra={
            "delivery_id": delivery.pk,
            "webhook_id": webhook.pk,
            "state": delivery.state,
            "status": status,
            "error": error,
        },
    )
    return delivery.state


def _failed(delivery: WebhookDelivery, webhook: Webhook, now: dt.datetime) -> None:
    if delivery.attempts >= MAX_ATTEMPTS:
        delivery.state, delivery.next_attempt_at = DeliveryState.GIVEN_UP, None
    else:
        delivery.state = DeliveryState.FAILED
        delivery.next_attempt_at = now + retry_delay(delivery.attempts)
    webhook.consecutive_failures += 1
    if webhook.is_active and webhook.consecutive_failures >= PAUSE_AFTER_FAILURES:
        webhook.is_active, webhook.paused_at = False, now
        webhook.pause_reason = (
            f"paused after {webhook.consecutive_failures} failed deliveries in a row; "
            f"last: {delivery.last_error}"
        )
