"""The change log is written by the database itself: every path that changes an event, an
update, an article or an entity leaves a row with the transaction id, the action, whether the
public may see it, and who acted."""

import datetime as dt

import pytest
from django.db import connection

from events.models import Change, Event, EventRelation, RelationKind
from events.services.history import acting_as
from events.services.timeline import (
    CitationData,
    update_create,
    update_publish,
    update_retract,
    update_submit,
)
from tests.factories import ArticleFactory, EntityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN_5 = dt.datetime(2022, 1, 5, tzinfo=dt.UTC)


def _changes(kind: str, object_id: int) -> list[tuple[str, bool]]:
    return list(
        Change.objects.filter(kind=kind, object_id=object_id)
        .order_by("txid", "id")
        .values_list("action", "public")
    )


def test_update_lifecycle_is_logged_and_drafts_stay_private():
    article = ArticleFactory()
    update = update_create(
        event=EventFactory(),
        occurred_at=JAN_5,
        headline="Tokayev asks the CSTO for help",
        by=None,
        citations=[CitationData(article_id=article.pk, quote="Токаев поиска съдействие от ОДКС")],
    )
    update_submit(update=update, by=None)
    update_publish(update=update, by=None)
    update_retract(update=update, by=None, reason="wrong date")

    actions = _changes("update", update.pk)
    assert ("published", True) in actions
    assert ("retracted", True) in actions
    before_publication = actions[: actions.index(("published", True))]
    assert before_publication and all(public is False for _, public in before_publication)
    row = Change.objects.filter(kind="update", object_id=update.pk, action="retracted").get()
    assert row.data == {"event": update.event.slug, "status": "retracted"}


def test_event_creation_edit_relation_and_merge():
    event, other = EventFactory(), EventFactory()
    Event.objects.filter(pk=event.pk).update(title="Renamed")
    EventRelation.objects.create(source=event, target=other, kind=RelationKind.RELATED)
    Event.objects.filter(pk=other.pk).update(merged_into=event)

    assert [a for a, _ in _changes("event", event.pk)] == ["created", "updated", "updated"]
    assert [a for a, _ in _changes("event", other.pk)] == ["created", "updated", "merged"]
    merged = Change.objects.get(kind="event", object_id=other.pk, action="merged")
    assert merged.data == {"merged_into": event.slug}


def test_a_save_that_changes_nothing_is_not_a_change():
    event = EventFactory()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE events_event SET title = title WHERE id = %s", [event.pk])
    assert _changes("event", event.pk) == [("created", True)]


def test_articles_appear_when_ready_and_bookkeeping_is_not_a_change():
    article = ArticleFactory(state="pending", text="", title="")
    assert _changes("article", article.pk) == []
    type(article).objects.filter(pk=article.pk).update(state="ready", title="Protests")
    type(article).objects.filter(pk=article.pk).update(attempts=3)
    type(article).objects.filter(pk=article.pk).update(title="Protests spread")
    type(article).objects.filter(pk=article.pk).delete()
    assert [a for a, _ in _changes("article", article.pk)] == ["created", "updated", "deleted"]


def test_entities_and_aliases():
    entity = EntityFactory()
    entity.aliases.create(name="Токаев", language="bg")
    assert [a for a, _ in _changes("entity", entity.pk)] == ["created", "updated"]


def test_actor_is_whoever_the_service_acted_as():
    editor = UserFactory()
    with acting_as(editor):
        event = EventFactory()
    other = EventFactory()
    assert Change.objects.get(kind="event", object_id=event.pk).actor_id == editor.pk
    assert Change.objects.get(kind="event", object_id=other.pk).actor_id is None


def test_rows_carry_the_writing_transaction_id():
    event = EventFactory()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_xact_id()::text::bigint")
        (txid,) = cursor.fetchone()
    assert Change.objects.get(kind="event", object_id=event.pk).txid == txid
