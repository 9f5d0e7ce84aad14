"""The admin's bulk confirm/reject of article ↔ event links goes through the decision
services: who decided is recorded, a refusal is reported by name and leaves its link as it
was, and the workers' curated caches hear of the decisions when they commit."""

import pytest
from django.urls import reverse

from events.models import ArticleEvent, ArticleState, LinkState
from events.services import enrichment
from events.services.fetching import redis_client
from tests.factories import ArticleFactory, EventFactory

# Committed data: the curation counter moves when the transaction commits.
pytestmark = pytest.mark.django_db(transaction=True)


def _suggested(**article: object) -> ArticleEvent:
    return ArticleEvent.objects.create(
        article=ArticleFactory(**article), event=EventFactory(), score=0.6
    )


def _action(client, action: str, *links: ArticleEvent):
    return client.post(
        reverse("admin:events_articleevent_changelist"),
        {"action": action, "_selected_action": [link.pk for link in links]},
        follow=True,
    )


def _version() -> bytes | None:
    return redis_client().get(enrichment._curation.key())


def test_bulk_confirm_records_the_editor_and_tells_the_workers(admin_client, admin_user) -> None:
    links = [_suggested(), _suggested()]
    before = _version()

    response = _action(admin_client, "confirm_links", *links)

    assert "2 link(s) confirmed." in response.content.decode()
    for link in links:
        link.refresh_from_db()
        assert (link.state, link.decided_by) == (LinkState.CONFIRMED, admin_user)
        assert link.decided_at is not None
    assert _version() != before


def test_bulk_reject_reports_a_refusal_and_decides_the_rest(admin_client, admin_user) -> None:
    pending = _suggested(state=ArticleState.PENDING, text="")
    ready = _suggested()

    page = _action(admin_client, "reject_links", pending, ready).content.decode()

    assert "was not rejected" in page and "1 link(s) rejected." in page
    pending.refresh_from_db()
    ready.refresh_from_db()
    assert (pending.state, pending.decided_by) == (LinkState.SUGGESTED, None)
    assert (ready.state, ready.decided_by) == (LinkState.REJECTED, admin_user)
