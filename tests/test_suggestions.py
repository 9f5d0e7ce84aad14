"""Editors' decisions on article ↔ event links: who decided and when, one link per pair, and
ingestion never undoing a decision."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from events.models import (
    ArticleEvent,
    ArticleState,
    EntityAlias,
    LinkOrigin,
    LinkState,
    Participant,
    ParticipantRole,
)
from events.services.enrichment import article_enrich
from events.services.suggestions import link_attach, link_confirm, link_reject
from tests.factories import ArticleFactory, EntityFactory, EventFactory, UserFactory

pytestmark = pytest.mark.django_db

TEXT = (
    "Президентът Токаев поиска помощ от ОДКС. Войски на ОДКС пристигнаха в Казахстан, "
    "след като Токаев обяви извънредно положение заради протестите срещу цените на газа."
)


@pytest.fixture
def editor():
    return UserFactory(username="editor")


@pytest.fixture
def deployment():
    """An event the Bulgarian text above is clearly about."""
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev", slug="tokayev")
    csto = EntityFactory(name="Collective Security Treaty Organization", slug="csto")
    EntityAlias.objects.create(entity=tokayev, name="Токаев", language="bg")
    EntityAlias.objects.create(entity=csto, name="ОДКС", language="bg", is_acronym=True)
    event = EventFactory(
        slug="csto-deployment",
        title="CSTO troops deployed to Kazakhstan",
        summary="Токаев поиска помощ от ОДКС заради протестите срещу цените на газа.",
        start=dt.datetime(2022, 1, 6, tzinfo=dt.UTC),
    )
    for entity in (tokayev, csto):
        Participant.objects.create(event=event, entity=entity, role=ParticipantRole.ACTOR)
    return event


def _suggested(article, event, score=0.7):
    return ArticleEvent.objects.create(article=article, event=event, score=score)


def test_confirm_records_who_decided_and_when(editor):
    link = _suggested(ArticleFactory(), EventFactory())
    confirmed = link_confirm(link=link, by=editor)
    link.refresh_from_db()
    assert (link.state, link.origin, link.decided_by) == (
        LinkState.CONFIRMED,
        LinkOrigin.AUTO,
        editor,
    )
    assert link.decided_at is not None
    assert confirmed.decided_at == link.decided_at


def test_reject_records_who_decided(editor):
    link = link_reject(link=_suggested(ArticleFactory(), EventFactory()), by=editor)
    link.refresh_from_db()
    assert (link.state, link.decided_by) == (LinkState.REJECTED, editor)
    assert link.decided_at is not None


def test_deciding_twice_keeps_the_first_decider(editor):
    link = link_confirm(link=_suggested(ArticleFactory(), EventFactory()), by=editor)
    other = UserFactory(username="other")
    again = link_confirm(link=link, by=other)
    assert again.decided_by == editor
    assert ArticleEvent.objects.get(pk=link.pk).decided_by == editor


def test_a_rejection_can_be_reversed_by_confirming(editor):
    link = link_reject(link=_suggested(ArticleFactory(), EventFactory()), by=editor)
    link_confirm(link=link, by=editor)
    assert ArticleEvent.objects.get(pk=link.pk).state == LinkState.CONFIRMED


def test_attach_creates_a_confirmed_editor_link(editor):
    article, event = ArticleFactory(), EventFactory()
    link = link_attach(article=article, event=event, by=editor)
    stored = ArticleEvent.objects.get(article=article, event=event)
    assert stored.pk == link.pk
    assert (stored.state, stored.origin, stored.decided_by) == (
        LinkState.CONFIRMED,
        LinkOrigin.EDITOR,
        editor,
    )


def test_attach_confirms_an_existing_suggestion_instead_of_duplicating_it(editor):
    article, event = ArticleFactory(), EventFactory()
    suggestion = _suggested(article, event, score=0.42)
    link = link_attach(article=article, event=event, by=editor)
    assert link.pk == suggestion.pk
    assert ArticleEvent.objects.filter(article=article).count() == 1
    stored = ArticleEvent.objects.get()
    assert (stored.state, stored.origin, stored.score) == (
        LinkState.CONFIRMED,
        LinkOrigin.AUTO,
        0.42,
    )


def test_attach_refuses_an_article_without_text(editor):
    article = ArticleFactory(state=ArticleState.FAILED, failure_reason="404", text="")
    with pytest.raises(ValidationError, match="extracted"):
        link_attach(article=article, event=EventFactory(), by=editor)
    assert not ArticleEvent.objects.exists()


def test_confirming_a_suggestion_that_ingestion_removed_recreates_it(editor):
    link = _suggested(ArticleFactory(), EventFactory())
    ArticleEvent.objects.filter(pk=link.pk).delete()
    confirmed = link_confirm(link=link, by=editor)
    stored = ArticleEvent.objects.get(article=link.article, event=link.event)
    assert stored.pk == confirmed.pk
    assert (stored.state, stored.origin) == (LinkState.CONFIRMED, LinkOrigin.EDITOR)


def test_rejecting_a_suggestion_that_ingestion_removed_keeps_the_rejection(editor):
    link = _suggested(ArticleFactory(), EventFactory())
    ArticleEvent.objects.filter(pk=link.pk).delete()
    link_reject(link=link, by=editor)
    assert ArticleEvent.objects.get(article=link.article).state == LinkState.REJECTED


def test_decisions_run_as_the_editor_for_the_change_log(editor):
    link = _suggested(ArticleFactory(), EventFactory())
    seen = []

    def actor(execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("UPDATE") and "events_articleevent" in sql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT current_setting('tracker.actor', true)")
                seen.append(cursor.fetchone()[0])
        return result

    with connection.execute_wrapper(actor):
        link_confirm(link=link, by=editor)
    assert seen == [str(editor.pk)]


def test_enrichment_suggests_the_event_for_this_text(deployment):
    # The control for the two tests below: without a decision, ingestion suggests the event.
    article = ArticleFactory(text=TEXT)
    article_enrich(article=article)
    link = ArticleEvent.objects.get(article=article)
    assert (link.event, link.state) == (deployment, LinkState.SUGGESTED)


def test_a_rejection_survives_re_enrichment_and_is_not_suggested_again(deployment, editor):
    article = ArticleFactory(text=TEXT)
    article_enrich(article=article)
    link = link_reject(link=ArticleEvent.objects.get(article=article), by=editor)
    article_enrich(article=article)
    stored = ArticleEvent.objects.get(article=article)
    assert (stored.pk, stored.state, stored.decided_at) == (
        link.pk,
        LinkState.REJECTED,
        link.decided_at,
    )


def test_a_confirmation_survives_re_enrichment_on_a_text_that_no_longer_supports_it(
    deployment, editor
):
    article = ArticleFactory(text=TEXT)
    article_enrich(article=article)
    link = link_confirm(link=ArticleEvent.objects.get(article=article), by=editor)
    unrelated = EventFactory(slug="unrelated")
    attached = link_attach(article=article, event=unrelated, by=editor)
    article.text = "Футболният мач завърши наравно."
    article.save(update_fields=["text"])
    article_enrich(article=article)
    states = dict(ArticleEvent.objects.filter(article=article).values_list("pk", "state"))
    assert states == {link.pk: LinkState.CONFIRMED, attached.pk: LinkState.CONFIRMED}


def test_an_event_merged_away_is_not_suggested(deployment):
    winner = EventFactory(slug="csto-mission", title="CSTO mission")
    deployment.merged_into = winner
    deployment.save(update_fields=["merged_into"])
    article = ArticleFactory(text=TEXT)
    article_enrich(article=article)
    assert not ArticleEvent.objects.filter(article=article, event=deployment).exists()
