"""Webhooks against a real local HTTP receiver: signed deliveries of the public changes asked
for, drafts never sent, retries with backoff on a controlled clock, pausing after repeated
failures, private addresses refused, and a real Celery worker delivering end to end."""

import datetime as dt
import hashlib
import hmac
import json
import time
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from werkzeug import Request, Response

from events import models
from events.models import DeliveryState
from events.services import timeline
from events.services import webhooks as hooks
from events.services.tokens import token_create
from events.tasks import webhooks_dispatch_task
from tests import factories
from tests.api.conftest import auth, cited_update
from tests.api.test_changes import settle

# Deliveries follow the change log, which shows committed transactions only.
pytestmark = pytest.mark.django_db(transaction=True)

T0 = dt.datetime(2022, 1, 6, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def receiver(httpserver_ipv4):
    """The local receiver; it answers 204 unless a test says otherwise."""
    httpserver_ipv4.expect_request("/hook", method="POST").respond_with_data("", status=204)
    return httpserver_ipv4


@pytest.fixture
def private_allowed(settings):
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True


@pytest.fixture
def owner() -> models.User:
    return factories.UserFactory(username="newsroom-dashboard")


def _register(owner: models.User, server: Any, kinds: list[str] | None = None) -> models.Webhook:
    return hooks.webhook_register(owner=owner, url=server.url_for("/hook"), kinds=kinds or [])


def _dispatch() -> list[int]:
    settle()
    return hooks.webhooks_dispatch(now=T0)


def _received(server: Any) -> list[tuple[Request, Any]]:
    return [(request, json.loads(request.get_data())) for request, _ in server.log]


def test_published_update_is_delivered_signed_and_drafts_never(
    receiver, private_allowed, owner
) -> None:
    webhook = _register(owner, receiver, kinds=["update.published", "update.retracted"])
    event = factories.EventFactory(slug="csto-deployment")
    draft = cited_update(event, status="draft", headline="Unconfirmed: troops in Almaty")
    timeline.update_submit(update=draft, by=None)
    published = cited_update(event)

    created = _dispatch()
    states = [hooks.webhook_deliver(delivery_id=i, now=T0) for i in created]

    assert states == [DeliveryState.DELIVERED]
    [(request, payload)] = _received(receiver)
    assert payload["kind"] == "update.published"
    assert payload["object"] == {"kind": "update", "id": published.pk, "key": str(published.pk)}
    assert payload["data"] == {"event": "csto-deployment", "status": "published"}
    assert payload["url"] == f"/api/v1/updates/{published.pk}/"
    assert request.headers["X-Tracker-Event"] == "update.published"
    assert request.headers["X-Tracker-Delivery"] == str(created[0])
    timestamp = request.headers["X-Tracker-Timestamp"]
    assert timestamp == str(int(T0.timestamp()))
    # What a receiver does: recompute the HMAC of "<timestamp>.<raw body>" with its secret.
    expected = hmac.new(
        webhook.secret.encode(), f"{timestamp}.".encode() + request.get_data(), hashlib.sha256
    ).hexdigest()
    assert request.headers["X-Tracker-Signature"] == f"sha256={expected}"
    assert hmac.compare_digest(request.headers["X-Tracker-Signature"], f"sha256={expected}")
    assert "Unconfirmed" not in request.get_data(as_text=True)
    assert not models.WebhookDelivery.objects.filter(payload__object__id=draft.pk).exists()


def test_empty_kinds_means_all_public_changes(receiver, private_allowed, owner) -> None:
    _register(owner, receiver)
    event = factories.EventFactory()
    cited_update(event, status="draft")

    created = _dispatch()

    kinds = set(
        models.WebhookDelivery.objects.filter(pk__in=created).values_list("kind", flat=True)
    )
    assert "event.created" in kinds
    assert not any(kind.startswith("update.") for kind in kinds)  # the draft's rows are private


def test_dispatch_is_idempotent_even_if_the_position_was_lost(
    receiver, private_allowed, owner
) -> None:
    webhook = _register(owner, receiver, kinds=["event.created"])
    start = (webhook.last_txid, webhook.last_change_id)
    factories.EventFactory.create_batch(3)

    first = _dispatch()
    second = _dispatch()
    # A crash that lost the advanced position: the unique (webhook, change) decides.
    models.Webhook.objects.filter(pk=webhook.pk).update(last_txid=start[0], last_change_id=start[1])
    third = _dispatch()

    assert len(first) == 3 and second == [] and third == []
    assert models.WebhookDelivery.objects.filter(webhook=webhook).count() == 3


def test_changes_before_registration_are_not_sent(receiver, private_allowed, owner) -> None:
    factories.EventFactory()
    settle()
    _register(owner, receiver)

    assert _dispatch() == []


def test_failures_retry_with_exponential_backoff_then_give_up(
    httpserver_ipv4, private_allowed, owner
) -> None:
    httpserver_ipv4.expect_request("/hook").respond_with_data("busy", status=503)
    webhook = _register(owner, httpserver_ipv4, kinds=["event.created"])
    factories.EventFactory()
    [delivery_id] = _dispatch()

    now = T0
    waits = []
    for _ in range(hooks.MAX_ATTEMPTS - 1):
        assert hooks.webhook_deliver(delivery_id=delivery_id, now=now) == DeliveryState.FAILED
        delivery = models.WebhookDelivery.objects.get(pk=delivery_id)
        assert delivery.next_attempt_at is not None
        waits.append(delivery.next_attempt_at - now)
        # Not due a second early; due on time.
        early = delivery.next_attempt_at - dt.timedelta(seconds=1)
        assert hooks.webhook_deliveries_claim_due(now=early) == []
        due = hooks.webhook_deliveries_claim_due(now=delivery.next_attempt_at)
        assert due == [(delivery_id, delivery.attempts)]
        now = delivery.next_attempt_at
    final = hooks.webhook_deliver(delivery_id=delivery_id, now=now)

    minutes = [int(wait.total_seconds() // 60) for wait in waits]
    assert minutes == [1, 2, 4, 8, 16, 32, 64, 128, 256][: hooks.MAX_ATTEMPTS - 1]
    assert final == DeliveryState.GIVEN_UP
    delivery = models.WebhookDelivery.objects.get(pk=delivery_id)
    assert delivery.attempts == hooks.MAX_ATTEMPTS
    assert delivery.last_status_code == 503 and delivery.last_error == "HTTP 503"
    assert hooks.webhook_deliveries_claim_due(now=now + dt.timedelta(days=1)) == []
    assert len(httpserver_ipv4.log) == hooks.MAX_ATTEMPTS
    webhook.refresh_from_db()
    assert webhook.is_active  # one dead delivery is not yet a dead endpoint


def test_a_message_delivered_twice_does_not_send_during_the_backoff(
    httpserver_ipv4, private_allowed, owner
) -> None:
    # The broker hands the same message out again (late acknowledgement, lost connection)
    # after its attempt failed and was recorded: the delivery waits for its retry, unsent.
    httpserver_ipv4.expect_request("/hook").respond_with_data("busy", status=503)
    _register(owner, httpserver_ipv4, kinds=["event.created"])
    factories.EventFactory()
    [delivery_id] = _dispatch()

    assert hooks.webhook_deliver(delivery_id=delivery_id, attempt=0, now=T0) == "failed"
    again = T0 + dt.timedelta(seconds=5)
    assert hooks.webhook_deliver(delivery_id=delivery_id, attempt=0, now=again) == "failed"

    delivery = models.WebhookDelivery.objects.get(pk=delivery_id)
    assert len(httpserver_ipv4.log) == 1
    assert delivery.attempts == 1 and delivery.next_attempt_at == T0 + hooks.FIRST_RETRY
    # The retry sweep hands out the next attempt when it is due, and that one is sent.
    [claim] = hooks.webhook_deliveries_claim_due(now=delivery.next_attempt_at)
    assert claim == (delivery_id, 1)
    assert hooks.webhook_deliver(delivery_id=delivery_id, attempt=claim.attempt) == "failed"
    assert len(httpserver_ipv4.log) == 2
    # The first message handed out again later still sends nothing.
    assert hooks.webhook_deliver(delivery_id=delivery_id, attempt=0) == "failed"
    assert len(httpserver_ipv4.log) == 2


def test_backoff_is_capped_at_six_hours() -> None:
    assert hooks.retry_delay(1) == dt.timedelta(minutes=1)
    assert hooks.retry_delay(4) == dt.timedelta(minutes=8)
    assert hooks.retry_delay(30) == dt.timedelta(hours=6)


def test_consecutive_failures_pause_the_webhook_until_switched_back_on(
    httpserver_ipv4, private_allowed, owner
) -> None:
    httpserver_ipv4.expect_request("/hook").respond_with_data("gone", status=410)
    webhook = _register(owner, httpserver_ipv4, kinds=["event.created"])
    factories.EventFactory.create_batch(hooks.PAUSE_AFTER_FAILURES)
    created = _dispatch()

    for delivery_id in created:
        hooks.webhook_deliver(delivery_id=delivery_id, now=T0)
    webhook.refresh_from_db()
    sent = len(httpserver_ipv4.log)
    late = T0 + dt.timedelta(days=1)

    assert not webhook.is_active and webhook.paused_at == T0
    assert "15 failed deliveries in a row" in webhook.pause_reason
    assert "HTTP 410" in webhook.pause_reason
    assert sent == hooks.PAUSE_AFTER_FAILURES
    # Paused: nothing is claimed, sent or dispatched any more.
    assert hooks.webhook_deliveries_claim_due(now=late) == []
    assert hooks.webhook_deliver(delivery_id=created[0], now=late) == DeliveryState.FAILED
    assert len(httpserver_ipv4.log) == sent
    factories.EventFactory()
    assert _dispatch() == []

    # The owner fixes the endpoint and switches it back on: failures reset, retries resume,
    # and what happened while paused is delivered too.
    httpserver_ipv4.clear()
    httpserver_ipv4.expect_request("/hook").respond_with_data("", status=200)
    webhook = hooks.webhook_edit(webhook=webhook, is_active=True)
    assert webhook.consecutive_failures == 0 and webhook.pause_reason == ""
    missed = _dispatch()
    due = hooks.webhook_deliveries_claim_due(now=late, limit=100)
    states = {hooks.webhook_deliver(delivery_id=i, attempt=n, now=late) for i, n in due}

    assert len(missed) == 1
    assert set(created) | set(missed) <= {claim.delivery_id for claim in due}
    assert states == {DeliveryState.DELIVERED}


def test_private_addresses_are_refused_at_registration(httpserver_ipv4, owner) -> None:
    for url in (httpserver_ipv4.url_for("/hook"), "http://localhost/hook", "http://10.0.0.8/x"):
        with pytest.raises(ValidationError) as refusal:
            hooks.webhook_register(owner=owner, url=url, kinds=[])
        assert "url" in refusal.value.message_dict
        assert "refused" in refusal.value.message_dict["url"][0]
    with pytest.raises(ValidationError, match="http"):
        hooks.webhook_register(owner=owner, url="ftp://hooks.example/x", kinds=[])
    assert not models.Webhook.objects.exists()


def test_private_addresses_are_refused_at_delivery(receiver, settings, owner) -> None:
    """A webhook registered while private networks were allowed (or whose name now resolves
    to a private address) is refused by the HTTP client at connection time."""
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    _register(owner, receiver, kinds=["event.created"])
    factories.EventFactory()
    [delivery_id] = _dispatch()
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False

    state = hooks.webhook_deliver(delivery_id=delivery_id, now=T0)

    delivery = models.WebhookDelivery.objects.get(pk=delivery_id)
    assert state == DeliveryState.FAILED
    assert delivery.last_error == "refused: 127.0.0.1 is a loopback address"
    assert delivery.last_status_code is None
    assert receiver.log == []


def test_unknown_kinds_are_refused(private_allowed, receiver, owner) -> None:
    with pytest.raises(ValidationError) as refusal:
        _register(owner, receiver, kinds=["update.published", "update.exploded"])
    assert "update.exploded" in refusal.value.message_dict["kinds"][0]


# --- API ----------------------------------------------------------------------------------------


@pytest.fixture
def reader(db) -> tuple[models.User, dict[str, str]]:
    user = factories.UserFactory(username="researcher")
    return user, auth(token_create(user=user, role="reader")[1])


def test_api_register_shows_the_secret_once_and_lists_own_webhooks(
    client, receiver, private_allowed, reader
) -> None:
    _, headers = reader
    created = client.post(
        "/api/v1/webhooks/",
        {"url": receiver.url_for("/hook"), "kinds": ["update.published"]},
        content_type="application/json",
        **headers,
    )
    hook = created.json()
    listed = client.get("/api/v1/webhooks/", **headers).json()
    detail = client.get(f"/api/v1/webhooks/{hook['id']}/", **headers).json()
    stranger = token_create(user=factories.UserFactory(username="stranger"), role="editor")[1]
    others = client.get("/api/v1/webhooks/", **auth(stranger)).json()
    theirs = client.get(f"/api/v1/webhooks/{hook['id']}/", **auth(stranger))

    assert created.status_code == 201
    assert len(hook["secret"]) >= 32
    assert hook["secret"] == models.Webhook.objects.get().secret
    assert [h["id"] for h in listed["results"]] == [hook["id"]]
    assert "secret" not in listed["results"][0] and "secret" not in detail
    assert others["results"] == [] and theirs.status_code == 404
    assert client.get("/api/v1/webhooks/").status_code == 401


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "http://127.0.0.1:9/hook"}, "url"),
        ({"url": "not a url"}, "url"),
        ({"url": "https://hooks.example/x", "kinds": ["event.nope"]}, "kinds"),
        ({"url": "https://hooks.example/x", "kind": ["event.created"]}, "kind"),
        ({}, "url"),
    ],
)
def test_api_bad_bodies_are_400_naming_the_field(client, reader, body, field) -> None:
    response = client.post("/api/v1/webhooks/", body, content_type="application/json", **reader[1])
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert field in response.json()["errors"]
    assert not models.Webhook.objects.exists()


def test_api_patch_delete_and_deliveries(client, receiver, private_allowed, reader) -> None:
    user, headers = reader
    webhook = _register(user, receiver, kinds=["event.created"])
    url = f"/api/v1/webhooks/{webhook.pk}/"
    factories.EventFactory()
    [delivery_id] = _dispatch()
    hooks.webhook_deliver(delivery_id=delivery_id, now=T0)

    deliveries = client.get(url + "deliveries/", **headers).json()["results"]
    patched = client.patch(
        url, {"kinds": ["update.published"], "is_active": False}, content_type="application/json",
        **headers,
    )  # fmt: skip
    bad = client.patch(url, {"kinds": ["x"]}, content_type="application/json", **headers)
    deleted = client.delete(url, **headers)

    assert [(d["id"], d["state"], d["last_status_code"]) for d in deliveries] == [
        (delivery_id, "delivered", 204)
    ]
    assert patched.status_code == 200
    assert patched.json()["kinds"] == ["update.published"]
    assert patched.json()["is_active"] is False
    assert bad.status_code == 400 and "kinds" in bad.json()["errors"]
    assert deleted.status_code == 204
    assert not models.Webhook.objects.exists()


def test_admin_lists_webhooks_and_deliveries(admin_client, receiver, private_allowed, owner):
    _register(owner, receiver)
    factories.EventFactory()
    _dispatch()
    for name in ("webhook", "webhookdelivery"):
        response = admin_client.get(f"/admin/events/{name}/")
        assert response.status_code == 200
    assert (
        models.Webhook.objects.get().secret
        not in admin_client.get(
            f"/admin/events/webhook/{models.Webhook.objects.get().pk}/change/"
        ).content.decode()
    )


# --- a real worker ------------------------------------------------------------------------------


@pytest.mark.worker
def test_worker_delivers_a_published_update_end_to_end(
    start_worker, httpserver_ipv4, private_allowed, owner
) -> None:
    received: list[bytes] = []

    def record(request: Request) -> Response:
        received.append(request.get_data())
        return Response("", status=202)

    httpserver_ipv4.expect_oneshot_request("/hook", method="POST").respond_with_handler(record)
    webhook = _register(owner, httpserver_ipv4, kinds=["update.published"])
    start_worker(INGEST_ALLOW_PRIVATE_NETWORKS="true")
    update = cited_update(factories.EventFactory(slug="nato-russia-council"))
    settle()

    assert webhooks_dispatch_task.delay().get(timeout=120) == 1
    with httpserver_ipv4.wait(timeout=60) as waiting:
        pass
    delivery = models.WebhookDelivery.objects.get(webhook=webhook)
    deadline = time.monotonic() + 60
    while delivery.state == DeliveryState.PENDING and time.monotonic() < deadline:
        time.sleep(0.1)
        delivery.refresh_from_db()

    assert waiting.result
    assert json.loads(received[0])["object"]["id"] == update.pk
    assert delivery.state == DeliveryState.DELIVERED
    assert delivery.last_status_code == 202 and delivery.attempts == 1


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://[::ffff:127.0.0.1]/hook", "a loopback address"),
        ("http://[::ffff:10.0.0.8]/hook", "a private address"),
        ("http://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("http://[fe80::1]/hook", "a link-local address"),
        ("http://[::1]/hook", "a loopback address"),
        ("http://0.0.0.0/hook", "an unspecified address"),
        ("http://2130706433/hook", "a loopback address"),
    ],
)
def test_disguised_private_addresses_are_refused_at_registration(owner, url, reason) -> None:
    with pytest.raises(ValidationError) as refusal:
        hooks.webhook_register(owner=owner, url=url, kinds=[])

    assert reason in refusal.value.message_dict["url"][0]
    assert not models.Webhook.objects.exists()


def test_delivery_does_not_follow_a_redirect(httpserver_ipv4, private_allowed, owner) -> None:
    """A receiver answering 3xx is a failed delivery: a redirect could point the POST at an
    address that registration refused."""
    httpserver_ipv4.expect_request("/hook", method="POST").respond_with_data(
        "", status=307, headers={"Location": "http://169.254.169.254/latest/meta-data/"}
    )
    _register(owner, httpserver_ipv4, kinds=["event.created"])
    factories.EventFactory()
    [delivery_id] = _dispatch()

    state = hooks.webhook_deliver(delivery_id=delivery_id, now=T0)

    delivery = models.WebhookDelivery.objects.get(pk=delivery_id)
    assert (state, delivery.last_status_code) == (DeliveryState.FAILED, 307)
    assert len(httpserver_ipv4.log) == 1


def test_admin_switch_on_reports_a_refused_url_by_name(admin_client, receiver, settings, owner):
    """Switching on re-checks the URL; one that is now refused is a message, not a 500, and
    the other selected webhooks are still switched on."""
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    private = _register(owner, receiver)
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False
    public = hooks.webhook_register(owner=owner, url="http://93.184.215.14/hook", kinds=[])
    models.Webhook.objects.update(is_active=False)

    response = admin_client.post(
        "/admin/events/webhook/",
        {"action": "switch_on", "_selected_action": [private.pk, public.pk]},
        follow=True,
    )

    assert response.status_code == 200
    shown = [str(message) for message in response.context["messages"]]
    assert any(private.url in text and "loopback" in text for text in shown), shown
    assert "1 webhook(s) switched on." in shown
    assert dict(models.Webhook.objects.values_list("pk", "is_active")) == {
        private.pk: False,
        public.pk: True,
    }


def test_a_webhook_whose_address_went_private_can_still_be_switched_off(
    receiver, settings, owner
) -> None:
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = True
    webhook = _register(owner, receiver)
    settings.INGEST_ALLOW_PRIVATE_NETWORKS = False

    paused = hooks.webhook_edit(webhook=webhook, is_active=False)

    assert (paused.is_active, paused.pause_reason) == (False, "switched off by its owner")
    with pytest.raises(ValidationError) as refusal:
        hooks.webhook_edit(webhook=webhook, is_active=True)
    assert "loopback" in refusal.value.message_dict["url"][0]
    assert not models.Webhook.objects.get().is_active
