"""The timeline's rules: nothing is published without a citation, every change is a version,
retraction keeps the line with its reason, and the database enforces what services promise."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from events.models import Citation, Update, UpdateStatus
from events.services.timeline import (
    CitationData,
    citation_add,
    update_create,
    update_edit,
    update_publish,
    update_retract,
    update_submit,
)
from tests.factories import ArticleFactory, EntityFactory, EventFactory, OutletFactory, UserFactory

pytestmark = pytest.mark.django_db

JAN_5 = dt.datetime(2022, 1, 5, tzinfo=dt.UTC)


def _cited_draft(**kwargs):
    article = ArticleFactory()
    return update_create(
        event=EventFactory(),
        occurred_at=JAN_5,
        headline="Tokayev asks the CSTO for help",
        by=UserFactory(),
        citations=[CitationData(article_id=article.pk, quote="Токаев поиска съдействие от ОДКС")],
        **kwargs,
    )


def test_published_update_requires_citation():
    update = update_create(event=EventFactory(), occurred_at=JAN_5, headline="Uncited", by=None)
    with pytest.raises(ValidationError, match="at least one citation"):
        update_publish(update=update, by=None)
    update.refresh_from_db()
    assert update.status == UpdateStatus.DRAFT
    assert update.published_at is None


def test_publishing_a_cited_draft_sets_status_date_and_version():
    update = _cited_draft()
    update_submit(update=update, by=None)
    update = update_publish(update=update, by=None)
    assert update.status == UpdateStatus.PUBLISHED
    assert update.published_at is not None
    assert list(update.versions.values_list("version", "status", "note")) == [
        (3, "published", "published"),
        (2, "in_review", "sent for review"),
        (1, "draft", "created"),
    ]


def test_citation_span_is_located_from_the_quote():
    update = _cited_draft()
    citation = update.citations.get()
    text = citation.article.text
    assert text[citation.span_start : citation.span_end] == "Токаев поиска съдействие от ОДКС"


def test_citation_span_that_does_not_hold_the_quote_is_refused():
    article = ArticleFactory()
    update = update_create(event=EventFactory(), occurred_at=JAN_5, headline="Line", by=None)
    bad = CitationData(article_id=article.pk, quote="ОДКС", span_start=0, span_end=4)
    with pytest.raises(ValidationError, match="span"):
        citation_add(update=update, data=bad, by=None)
    assert not update.citations.exists()


def test_citation_needs_an_article_or_an_outlet():
    update = update_create(event=EventFactory(), occurred_at=JAN_5, headline="Line", by=None)
    with pytest.raises(ValidationError, match="article or an outlet"):
        citation_add(update=update, data=CitationData(quote="words"), by=None)


def test_citation_records_speaker_and_relaying_outlet():
    price, bbc = EntityFactory(name="Ned Price"), OutletFactory(name="BBC")
    update = update_create(event=EventFactory(), occurred_at=JAN_5, headline="Line", by=None)
    data = CitationData(outlet_id=bbc.pk, speaker_id=price.pk, quote="q", translation="t")
    citation = citation_add(update=update, data=data, by=None)
    assert (citation.speaker, citation.outlet) == (price, bbc)
    assert update.versions.first().citations[0]["speaker"] == price.pk


def test_retraction_requires_a_reason_and_keeps_the_line():
    update = update_publish(update=_cited_draft(), by=None)
    with pytest.raises(ValidationError, match="reason"):
        update_retract(update=update, by=None, reason="  ")
    update = update_retract(update=update, by=None, reason="Misattributed quote")
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.RETRACTED
    assert update.retraction_reason == "Misattributed quote"
    assert update.versions.first().note == "retracted: Misattributed quote"


def test_only_published_updates_can_be_retracted():
    with pytest.raises(ValidationError, match="only a published update"):
        update_retract(update=_cited_draft(), by=None, reason="why")


def test_correcting_a_published_update_needs_a_visible_note():
    update = update_publish(update=_cited_draft(), by=None)
    with pytest.raises(ValidationError):
        update_edit(update=update, by=None, headline="Tokayev requests CSTO troops")
    update = update_edit(
        update=update,
        by=None,
        headline="Tokayev requests CSTO troops",
        correction_note="Headline said 'help'; he asked for troops.",
    )
    assert update.headline == "Tokayev requests CSTO troops"
    assert update.correction_note.startswith("Headline said")
    assert update.versions.count() == update.version == 3


def test_every_version_keeps_what_the_update_said():
    update = _cited_draft()
    update_edit(update=update, by=None, headline="Second wording")
    headlines = list(update.versions.order_by("version").values_list("headline", flat=True))
    assert headlines == ["Tokayev asks the CSTO for help", "Second wording"]


@pytest.mark.django_db(transaction=True)
def test_database_refuses_a_published_update_without_citation():
    event = EventFactory()
    with pytest.raises(IntegrityError, match="no citation"), transaction.atomic():
        Update.objects.create(
            event=event, occurred_at=JAN_5, headline="Bypassing services",
            status=UpdateStatus.PUBLISHED, published_at=JAN_5,
        )  # fmt: skip
    assert not Update.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_database_refuses_removing_the_last_citation_of_a_published_update():
    update = update_publish(update=_cited_draft(), by=None)
    with pytest.raises(IntegrityError, match="no citation"), transaction.atomic():
        Citation.objects.filter(update=update).delete()
    assert update.citations.count() == 1


@pytest.mark.django_db(transaction=True)
def test_database_refuses_deleting_a_published_update():
    update = update_publish(update=_cited_draft(), by=None)
    with pytest.raises(IntegrityError, match="retract it instead"), transaction.atomic():
        Update.objects.filter(pk=update.pk).delete()
    assert Update.objects.filter(pk=update.pk).exists()


def test_a_draft_can_still_be_deleted():
    update = _cited_draft()
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    update.delete()
    assert not Update.objects.filter(pk=update.pk).exists()


def _published():
    update = _cited_draft()
    return update_publish(update=update, by=None)


def test_a_revision_of_a_published_update_stays_out_of_sight_until_published():
    from events.services.timeline import update_revision_propose, update_revision_publish

    update = _published()
    editor = UserFactory()
    update_revision_propose(
        update=update, by=editor, headline="Tokayev asks the CSTO for troops", correction_note="x"
    )
    live = Update.objects.get(pk=update.pk)
    assert live.headline == "Tokayev asks the CSTO for help"
    assert live.version == update.version

    published = update_revision_publish(update=update, by=editor)
    assert published.headline == "Tokayev asks the CSTO for troops"
    assert published.correction_note == "x"
    assert published.version == update.version + 1
    from events.models import UpdateRevision

    assert not UpdateRevision.objects.filter(update=update).exists()


def test_a_revision_needs_a_note_and_a_published_update():
    from events.services.timeline import update_revision_propose

    with pytest.raises(ValidationError):
        update_revision_propose(update=_published(), by=None, headline="New", correction_note=" ")
    with pytest.raises(ValidationError):
        update_revision_propose(update=_cited_draft(), by=None, headline="New", correction_note="n")


def test_proposing_again_replaces_the_waiting_revision_and_retraction_drops_it():
    from events.models import UpdateRevision
    from events.services.timeline import update_revision_discard, update_revision_propose

    update = _published()
    update_revision_propose(update=update, by=None, headline="First try", correction_note="a")
    update_revision_propose(update=update, by=None, body="Added context", correction_note="b")
    revision = UpdateRevision.objects.get(update=update)
    assert (revision.headline, revision.body, revision.correction_note) == (
        "First try",
        "Added context",
        "b",
    )
    update_revision_discard(update=update, by=None)
    assert not UpdateRevision.objects.filter(update=update).exists()
    with pytest.raises(ValidationError):
        update_revision_discard(update=update, by=None)

    update_revision_propose(update=update, by=None, headline="Again", correction_note="c")
    update_retract(update=update, by=None, reason="wrong")
    assert not UpdateRevision.objects.filter(update=update).exists()


def test_services_record_who_acted_in_the_change_log():
    from events.models import Change

    editor = UserFactory()
    update = _cited_draft()
    update_publish(update=update, by=editor)
    row = Change.objects.get(kind="update", object_id=update.pk, action="published")
    assert row.actor_id == editor.pk


def test_a_direct_edit_is_refused_while_a_revision_waits_so_publishing_it_loses_nothing():
    from events.models import UpdateRevision
    from events.services.timeline import update_revision_propose, update_revision_publish

    update = _published()
    update_revision_propose(
        update=update, by=None, headline="Tokayev asks the CSTO for troops", correction_note="a"
    )

    with pytest.raises(ValidationError, match="waiting"):
        update_edit(update=update, by=None, body="Meanwhile edited", correction_note="b")

    live = Update.objects.get(pk=update.pk)
    assert (live.body, live.version) == ("", update.version)
    published = update_revision_publish(update=update, by=None)
    assert (published.headline, published.correction_note) == (
        "Tokayev asks the CSTO for troops",
        "a",
    )
    assert not UpdateRevision.objects.filter(update=update).exists()
