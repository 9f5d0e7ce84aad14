"""The admin, driven as an editor would: pages open, refusals are shown, never a 500."""

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events import models
from events.admin.base import refusal_from_database
from events.services import timeline
from events.services.roles import roles_ensure
from events.services.tokens import token_create
from tests import factories

pytestmark = pytest.mark.django_db

QUOTE = "Токаев поиска съдействие"
OCCURRED = dt.datetime(2022, 1, 5, 10, 0, tzinfo=dt.UTC)


# --- objects to show -------------------------------------------------------------------------


def _cited_update(*, publish: bool = False) -> models.Update:
    article = factories.ArticleFactory(text=f"Президентът {QUOTE} от ОДКС.")
    update = timeline.update_create(
        event=factories.EventFactory(),
        occurred_at=OCCURRED,
        headline="Tokayev asks the CSTO for help",
        by=factories.UserFactory(),
        citations=[timeline.CitationData(article_id=article.pk, quote=QUOTE)],
    )
    return timeline.update_publish(update=update, by=None) if publish else update


def _entity() -> models.Entity:
    entity = factories.EntityFactory(name="Kassym-Jomart Tokayev")
    models.EntityAlias.objects.create(entity=entity, name="Токаев", language="bg")
    return entity


def _relation() -> models.EventRelation:
    relation = models.EventRelation.objects.create(
        source=factories.EventFactory(), target=factories.EventFactory(), kind="response_to"
    )
    models.Citation.objects.create(relation=relation, outlet=factories.OutletFactory())
    return relation


def _event() -> models.Event:
    event = factories.EventFactory()
    models.EventTranslation.objects.create(event=event, language="bg", title="Протести")
    models.Participant.objects.create(event=event, entity=_entity(), role="actor")
    models.EventRelation.objects.create(
        source=event, target=factories.EventFactory(), kind="part_of"
    )
    models.EventRelation.objects.create(
        source=factories.EventFactory(), target=event, kind="caused_by"
    )
    return event


def _outlet() -> models.Outlet:
    outlet = factories.OutletFactory(languages=["en", "bg"])
    models.OutletDomain.objects.create(outlet=outlet, domain=f"{outlet.slug}.example")
    return outlet


def _feed() -> models.Feed:
    return models.Feed.objects.create(
        url=f"https://{factories.OutletFactory().slug}.example/rss",
        outlet=factories.OutletFactory(),
        health=models.FeedHealth.FAILING,
        consecutive_failures=2,
        last_error="timed out after 10 s",
    )


def _article() -> models.Article:
    article = factories.ArticleFactory(duplicate_of=factories.ArticleFactory())
    models.ArticleURL.objects.create(article=article, url=f"{article.canonical_url}?utm=x")
    models.ArticleRevision.objects.create(article=article, version=1, text="earlier text")
    models.Mention.objects.create(article=article, entity=_entity(), first_start=0, first_end=6)
    return article


def _article_event() -> models.ArticleEvent:
    return models.ArticleEvent.objects.create(
        article=factories.ArticleFactory(), event=factories.EventFactory(), score=0.7
    )


def _mention() -> models.Mention:
    return _article().mentions.get()


def _webhook() -> models.Webhook:
    return models.Webhook.objects.create(
        owner=factories.UserFactory(), url="https://hooks.example/x", secret="s"
    )


BUILDERS: dict[type, Callable[[], Any]] = {
    models.User: factories.UserFactory,
    models.Entity: _entity,
    models.Event: _event,
    models.EventRelation: _relation,
    models.Outlet: _outlet,
    models.Feed: _feed,
    models.Article: _article,
    models.ArticleRevision: lambda: _article().revisions.get(),
    models.ArticleEvent: _article_event,
    models.Mention: _mention,
    models.Update: lambda: _cited_update(publish=True),
    models.UpdateVersion: lambda: _cited_update().versions.get(),
    models.Citation: lambda: _cited_update().citations.get(),
    models.ApiToken: lambda: token_create(user=factories.UserFactory(), role="reader")[0],
    models.Change: lambda: (_event(), models.Change.objects.latest("id"))[1],
    models.Webhook: lambda: _webhook(),
    models.WebhookDelivery: lambda: _webhook().deliveries.create(kind="event.created"),
}
READ_ONLY = {
    models.ArticleRevision,
    models.UpdateVersion,
    models.ApiToken,
    models.Change,
    models.Webhook,
    models.WebhookDelivery,
}
# Edited on their parent's page only.
INLINE_ONLY = {
    models.EntityAlias,
    models.EventTranslation,
    models.Participant,
    models.OutletDomain,
    models.ArticleURL,
    models.ArticlePage,
    models.UpdateRevision,
}


def _url(model: type, view: str, *args: object) -> str:
    return reverse(f"admin:events_{model._meta.model_name}_{view}", args=args)


def _messages(response: Any) -> list[str]:
    return [str(message) for message in response.context["messages"]]


def _form_data(response: Any) -> dict[str, Any]:
    """The POST a browser sends for a change page as rendered, untouched."""
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        forms += [inline.formset.management_form, *inline.formset.initial_forms]
    data: dict[str, Any] = {}
    for form in forms:
        for bound in form:
            # Unwrap the admin's related-object wrapper (the add and change links).
            widget = getattr(bound.field.widget, "widget", bound.field.widget)
            widget = widget.get_context(bound.html_name, bound.value(), {})["widget"]
            for sub in widget.get("subwidgets") or [widget]:
                if sub.get("type") == "checkbox":
                    if sub["attrs"].get("checked"):
                        data[sub["name"]] = "on"
                elif sub["value"] is not None:
                    data[sub["name"]] = sub["value"]
    return data


def _add_inline_row(data: dict[str, Any], prefix: str, row: dict[str, Any]) -> None:
    index = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-TOTAL_FORMS"] = index + 1
    data.update({f"{prefix}-{index}-{name}": value for name, value in row.items()})


# --- every page opens ------------------------------------------------------------------------


def test_every_events_model_has_an_admin_or_an_inline() -> None:
    registered = {model for model in admin.site._registry if model._meta.app_label == "events"}
    every = set(apps.get_app_config("events").get_models())
    assert registered == set(BUILDERS)
    # Band keys are index rows derived from an article's text: nothing for an editor to edit.
    assert every == registered | INLINE_ONLY | {models.ArticleBandKey}


@pytest.mark.parametrize("model", BUILDERS, ids=lambda model: model.__name__)
def test_superuser_opens_changelist_search_add_and_change_pages(admin_client, model) -> None:
    obj = BUILDERS[model]()

    assert admin_client.get(_url(model, "changelist")).status_code == 200
    searched = admin_client.get(_url(model, "changelist"), {"q": "Токаев 100% ' \""})
    assert searched.status_code == 200
    add = admin_client.get(_url(model, "add"))
    assert add.status_code == (403 if model in READ_ONLY else 200)
    assert admin_client.get(_url(model, "change", obj.pk)).status_code == 200


def test_search_finds_an_entity_by_its_alias(admin_client) -> None:
    entity = _entity()
    factories.EntityFactory(name="Ned Price")

    response = admin_client.get(_url(models.Entity, "changelist"), {"q": "Токаев"})

    assert list(response.context["cl"].result_list) == [entity]


@pytest.mark.parametrize("model", BUILDERS, ids=lambda model: model.__name__)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model) -> None:
    def queries() -> int:
        with CaptureQueriesContext(connection) as context:
            response = admin_client.get(_url(model, "changelist"))
        assert response.status_code == 200
        return len(context.captured_queries)

    for _ in range(2):
        BUILDERS[model]()
    queries()  # warm up per-process caches (content types, sessions)
    with_two = queries()
    for _ in range(18):
        BUILDERS[model]()

    assert queries() == with_two


def test_editor_group_member_opens_event_changelist(client) -> None:
    editors, _ = roles_ensure()
    editor = factories.UserFactory(username="newsroom-editor", is_staff=True)
    editor.groups.add(editors)
    client.force_login(editor)
    factories.EventFactory()

    assert client.get(_url(models.Event, "changelist")).status_code == 200


def test_editor_group_member_publishes_through_the_action(client) -> None:
    editors, _ = roles_ensure()
    editor = factories.UserFactory(username="newsroom-editor", is_staff=True)
    editor.groups.add(editors)
    client.force_login(editor)
    update = _cited_update()

    _action(client, "publish", update)

    update.refresh_from_db()
    assert update.status == models.UpdateStatus.PUBLISHED
    assert update.versions.get(version=update.version).changed_by == editor


# --- update status only through the actions --------------------------------------------------


def _action(client: Any, action: str, *updates: models.Update, **extra: str) -> Any:
    data = {"action": action, "_selected_action": [u.pk for u in updates], **extra}
    if "post" not in extra:
        data["index"] = "0"
    return client.post(_url(models.Update, "changelist"), data, follow=True)


def test_publish_action_refuses_update_without_citation(admin_client) -> None:
    update = factories.UpdateFactory(headline="Uncited rumour")

    response = _action(admin_client, "publish", update)

    assert response.status_code == 200
    [message] = _messages(response)
    assert "Uncited rumour" in message
    assert "citation" in message
    update.refresh_from_db()
    assert update.status == models.UpdateStatus.DRAFT


def test_publish_action_publishes_cited_update(admin_client) -> None:
    update = _cited_update()

    response = _action(admin_client, "publish", update)

    update.refresh_from_db()
    assert update.status == models.UpdateStatus.PUBLISHED
    assert update.published_at is not None
    assert update.versions.filter(note="published").exists()
    assert _messages(response) == ["1 update(s) published."]


def test_publish_action_reports_each_refusal_and_publishes_the_rest(admin_client) -> None:
    cited = _cited_update()
    uncited = factories.UpdateFactory(headline="Uncited rumour")

    response = _action(admin_client, "publish", cited, uncited)

    cited.refresh_from_db()
    uncited.refresh_from_db()
    assert (cited.status, uncited.status) == ("published", "draft")
    assert len(_messages(response)) == 2


def test_send_for_review_action_moves_draft_to_review(admin_client) -> None:
    update = factories.UpdateFactory()

    _action(admin_client, "send_for_review", update)

    update.refresh_from_db()
    assert update.status == models.UpdateStatus.IN_REVIEW


def test_retract_action_asks_for_a_reason_before_retracting(admin_client) -> None:
    update = _cited_update(publish=True)

    first = _action(admin_client, "retract", update)
    without_reason = _action(admin_client, "retract", update, post="yes", reason="  ")

    assert first.status_code == without_reason.status_code == 200
    page = first.content.decode()
    assert update.headline in page
    assert 'name="reason"' in page
    assert "{{" not in page
    assert without_reason.context["form"].errors["reason"]
    update.refresh_from_db()
    assert update.status == models.UpdateStatus.PUBLISHED


def test_retract_action_with_reason_retracts(admin_client) -> None:
    update = _cited_update(publish=True)

    response = _action(admin_client, "retract", update, post="yes", reason="Misattributed quote")

    assert response.redirect_chain[-1][0].endswith(_url(models.Update, "changelist"))
    update.refresh_from_db()
    assert update.status == models.UpdateStatus.RETRACTED
    assert update.retraction_reason == "Misattributed quote"
    assert update.retracted_at is not None


def test_retract_action_refuses_a_draft_by_name(admin_client) -> None:
    update = factories.UpdateFactory(headline="Not yet out")

    response = _action(admin_client, "retract", update, post="yes", reason="Wrong")

    [message] = _messages(response)
    assert "Not yet out" in message
    update.refresh_from_db()
    assert update.status == models.UpdateStatus.DRAFT


# --- deleting and read-only history ----------------------------------------------------------


@pytest.mark.parametrize("publish_then_retract", [False, True])
def test_public_update_delete_page_is_refused(admin_client, publish_then_retract) -> None:
    update = _cited_update(publish=True)
    if publish_then_retract:
        update = timeline.update_retract(update=update, by=None, reason="Wrong")

    assert admin_client.get(_url(models.Update, "delete", update.pk)).status_code == 403
    assert admin_client.post(_url(models.Update, "delete", update.pk)).status_code == 403
    assert models.Update.objects.filter(pk=update.pk).exists()


def test_delete_selected_action_refuses_a_selection_with_a_published_update(
    admin_client,
) -> None:
    published, draft = _cited_update(publish=True), factories.UpdateFactory()

    confirmation = _action(admin_client, "delete_selected", published, draft)
    confirmed = _action(admin_client, "delete_selected", published, draft, post="yes")

    assert confirmation.status_code == 200
    assert confirmation.context["perms_lacking"]
    assert confirmed.status_code == 403
    assert models.Update.objects.count() == 2


def test_draft_update_can_be_deleted_with_its_history_and_citations(admin_client) -> None:
    update = _cited_update()

    response = admin_client.post(_url(models.Update, "delete", update.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not models.Update.objects.filter(pk=update.pk).exists()
    assert not models.UpdateVersion.objects.filter(update_id=update.pk).exists()


def test_article_can_be_deleted_with_its_revisions(admin_client) -> None:
    article = _article()

    response = admin_client.post(_url(models.Article, "delete", article.pk), {"post": "yes"})

    assert response.status_code == 302
    assert not models.Article.objects.filter(pk=article.pk).exists()


@pytest.mark.parametrize("model", sorted(READ_ONLY, key=str), ids=lambda model: model.__name__)
def test_history_admins_refuse_add_change_and_delete(admin_client, model) -> None:
    obj = BUILDERS[model]()

    assert admin_client.get(_url(model, "add")).status_code == 403
    assert admin_client.post(_url(model, "add"), {}).status_code == 403
    assert admin_client.post(_url(model, "change", obj.pk), {"note": "x"}).status_code == 403
    assert admin_client.post(_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model.objects.filter(pk=obj.pk).exists()


def test_retracted_update_page_is_read_only(admin_client) -> None:
    update = timeline.update_retract(update=_cited_update(publish=True), by=None, reason="Wrong")

    assert admin_client.get(_url(models.Update, "change", update.pk)).status_code == 200
    assert admin_client.post(_url(models.Update, "change", update.pk), {}).status_code == 403


# --- updates are written through the services ------------------------------------------------


def _new_update_data(event: models.Event, article: models.Article, **citation: Any) -> dict:
    data = {
        "event": event.pk,
        "language": "en",
        "headline": "  CSTO troops arrive in Almaty ",
        "body": "",
        "occurred_at_0": "2022-01-06",
        "occurred_at_1": "08:00:00",
        "occurred_precision": "minute",
        "citations-TOTAL_FORMS": 0,
        "citations-INITIAL_FORMS": 0,
        "versions-TOTAL_FORMS": 0,
        "versions-INITIAL_FORMS": 0,
    }
    _add_inline_row(data, "citations", {"article": article.pk, "quote": QUOTE, **citation})
    return data


def test_adding_an_update_creates_a_cited_draft_as_version_one(admin_client, admin_user) -> None:
    article = factories.ArticleFactory(text=f"… {QUOTE} …")
    event = factories.EventFactory()

    response = admin_client.post(_url(models.Update, "add"), _new_update_data(event, article))

    assert response.status_code == 302
    update = models.Update.objects.get(event=event)
    assert (update.headline, update.status, update.version) == (
        "CSTO troops arrive in Almaty",
        "draft",
        1,
    )
    assert update.author == admin_user
    [version] = update.versions.all()
    assert version.note == "created"
    assert version.citations[0]["span"] == [2, 2 + len(QUOTE)]


def test_adding_an_update_shows_the_services_refusal_as_a_form_error(admin_client) -> None:
    article = factories.ArticleFactory(text=f"… {QUOTE} …")
    data = _new_update_data(factories.EventFactory(), article, span_start=0, span_end=5)

    response = admin_client.post(_url(models.Update, "add"), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.non_field_errors()
    assert "span does not hold the quote" in " ".join(errors)
    assert not models.Update.objects.exists()
    assert not models.Citation.objects.exists()


def test_correcting_a_published_update_needs_a_correction_note(admin_client) -> None:
    update = _cited_update(publish=True)
    url = _url(models.Update, "change", update.pk)
    data = _form_data(admin_client.get(url))
    data["headline"] = "Tokayev asks the CSTO for peacekeepers"

    refused = admin_client.post(url, data)

    assert refused.status_code == 200
    assert refused.context["adminform"].form.errors["correction"]
    update.refresh_from_db()
    assert update.headline == "Tokayev asks the CSTO for help"

    data["correction"] = "The request was for peacekeepers."
    assert admin_client.post(url, data).status_code == 302
    update.refresh_from_db()
    assert update.headline == "Tokayev asks the CSTO for peacekeepers"
    assert update.correction_note == "The request was for peacekeepers."
    assert update.versions.get(version=update.version).note == "The request was for peacekeepers."


def test_saving_an_unchanged_published_update_makes_no_version(admin_client) -> None:
    update = _cited_update(publish=True)
    url = _url(models.Update, "change", update.pk)

    response = admin_client.post(url, _form_data(admin_client.get(url)))

    assert response.status_code == 302
    assert models.Update.objects.get(pk=update.pk).version == update.version


def test_citation_added_on_the_update_page_goes_through_citation_add(admin_client) -> None:
    update = _cited_update(publish=True)
    url = _url(models.Update, "change", update.pk)
    data = _form_data(admin_client.get(url))
    _add_inline_row(data, "citations", {"outlet": factories.OutletFactory().pk})

    assert admin_client.post(url, data).status_code == 302

    update.refresh_from_db()
    assert update.citations.count() == 2
    assert update.versions.get(version=update.version).note == "citation added"


def test_citation_admin_adds_update_citations_through_the_service(admin_client) -> None:
    update = _cited_update()
    outlet = factories.OutletFactory()

    response = admin_client.post(
        _url(models.Citation, "add"), {"update": update.pk, "outlet": outlet.pk, "position": 0}
    )

    assert response.status_code == 302
    assert update.versions.filter(note="citation added").exists()


def test_update_citation_cannot_be_changed_or_deleted_on_its_own(admin_client) -> None:
    citation = _cited_update().citations.get()

    assert admin_client.post(_url(models.Citation, "change", citation.pk), {}).status_code == 403
    assert admin_client.post(_url(models.Citation, "delete", citation.pk)).status_code == 403


# --- other refusals are form errors ----------------------------------------------------------


def test_two_aliases_differing_only_in_case_are_a_form_error(admin_client) -> None:
    entity = factories.EntityFactory()
    url = _url(models.Entity, "change", entity.pk)
    data = _form_data(admin_client.get(url))
    data["aliases-TOTAL_FORMS"] = 0
    _add_inline_row(data, "aliases", {"name": "Tokayev", "language": "en"})
    _add_inline_row(data, "aliases", {"name": "TOKAYEV", "language": "en"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not entity.aliases.exists()


def test_event_linked_to_itself_is_a_form_error(admin_client) -> None:
    event = factories.EventFactory()
    url = _url(models.Event, "change", event.pk)
    data = _form_data(admin_client.get(url))
    _add_inline_row(data, "relations_out", {"kind": "related", "target": event.pk})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not models.EventRelation.objects.exists()


def test_event_page_links_to_a_list_of_its_updates(admin_client) -> None:
    update = _cited_update()
    factories.UpdateFactory()
    page = admin_client.get(_url(models.Event, "change", update.event_id))
    link = f"{_url(models.Update, 'changelist')}?event__id__exact={update.event_id}"

    listed = admin_client.get(link)

    assert link in page.content.decode()
    assert list(listed.context["cl"].result_list) == [update]


def test_new_event_link_records_its_editor(admin_client, admin_user) -> None:
    event, other = factories.EventFactory(), factories.EventFactory()
    url = _url(models.Event, "change", event.pk)
    data = _form_data(admin_client.get(url))
    _add_inline_row(data, "relations_out", {"kind": "precedes", "target": other.pk})

    assert admin_client.post(url, data).status_code == 302

    assert models.EventRelation.objects.get().created_by == admin_user


def test_confirming_an_article_event_link_records_the_decision(admin_client, admin_user) -> None:
    link = _article_event()
    url = _url(models.ArticleEvent, "change", link.pk)
    data = _form_data(admin_client.get(url))
    data["state"] = models.LinkState.CONFIRMED

    assert admin_client.post(url, data).status_code == 302

    link.refresh_from_db()
    assert link.decided_by == admin_user
    assert link.decided_at is not None


def test_article_language_override_is_editable_and_language_follows(admin_client) -> None:
    article = factories.ArticleFactory(detected_language="bg")
    url = _url(models.Article, "change", article.pk)
    data = _form_data(admin_client.get(url))
    data["language_override"] = "ru"

    assert admin_client.post(url, data).status_code == 302

    article.refresh_from_db()
    assert (article.language_override, article.language) == ("ru", "ru")


def test_article_cannot_be_its_own_duplicate(admin_client) -> None:
    article = factories.ArticleFactory()
    url = _url(models.Article, "change", article.pk)
    data = _form_data(admin_client.get(url))
    data["duplicate_of"] = article.pk

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["duplicate_of"]


def test_feed_polling_state_is_not_changed_by_the_form(admin_client) -> None:
    feed = _feed()
    url = _url(models.Feed, "change", feed.pk)
    data = _form_data(admin_client.get(url))
    data.update(health="healthy", consecutive_failures=0, poll_interval=600)

    assert admin_client.post(url, data).status_code == 302

    feed.refresh_from_db()
    assert (feed.health, feed.consecutive_failures, feed.poll_interval) == ("failing", 2, 600)


GARBAGE = {
    "headline": "",
    "occurred_at_0": "not a date",
    "url": "not a url",
    "poll_interval": "5",
    "latitude": "91",
    "span_start": "-1",
    "languages": "EN,xx1",
}
KEY_FIELDS = ("event", "article", "entity", "outlet", "update", "source", "target", "speaker")


@pytest.mark.parametrize("key", ["not-a-key", "99999999999999999999999"])
@pytest.mark.parametrize("model", BUILDERS, ids=lambda model: model.__name__)
def test_garbage_posted_to_add_and_change_pages_is_never_a_server_error(
    admin_client, model, key
) -> None:
    obj = BUILDERS[model]()
    garbage = {**GARBAGE, **dict.fromkeys(KEY_FIELDS, key)}

    for url in (_url(model, "add"), _url(model, "change", obj.pk)):
        assert admin_client.post(url, garbage).status_code in (200, 403)
    dated = admin.site.get_model_admin(model).date_hierarchy or "id"
    for params in ({"o": "9.x"}, {"event__id__exact": key}, {f"{dated}__year": key}):
        assert admin_client.get(_url(model, "changelist"), params).status_code in (200, 302)


def test_domain_taken_by_another_outlet_is_a_form_error(admin_client) -> None:
    first, second = factories.OutletFactory(), factories.OutletFactory()
    models.OutletDomain.objects.create(outlet=first, domain="bbc.co.uk")
    url = _url(models.Outlet, "change", second.pk)
    data = _form_data(admin_client.get(url))
    _add_inline_row(data, "domains", {"domain": "BBC.co.uk"})

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert not second.domains.exists()


def test_database_refusal_is_named_by_its_constraint() -> None:
    outlet = factories.OutletFactory()
    models.OutletDomain.objects.create(outlet=outlet, domain="reuters.com")
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        models.OutletDomain.objects.create(outlet=outlet, domain="reuters.com")

    message = refusal_from_database(refused.value).messages[0]

    assert "events_outletdomain_domain_key" in message


def test_adding_a_user_through_the_admin_works_with_the_custom_user_model(admin_client) -> None:
    response = admin_client.post(
        _url(models.User, "add"),
        {
            "username": "ned.price",
            "password1": "a long enough passphrase",
            "password2": "a long enough passphrase",
            "usable_password": "true",
        },
    )

    assert response.status_code == 302
    assert models.User.objects.get(username="ned.price").check_password("a long enough passphrase")


def test_feed_page_lists_its_failed_articles_with_reasons(admin_client):
    from events.models import Article, ArticleState, Feed

    feed = Feed.objects.create(url="https://wire.example/feed.xml")
    Article.objects.create(
        canonical_url="https://wire.example/gone",
        feed=feed,
        state=ArticleState.FAILED,
        failure_reason="HTTP 404",
    )
    body = admin_client.get(f"/admin/events/feed/{feed.pk}/change/").content.decode()
    assert "https://wire.example/gone: HTTP 404" in body


def test_poll_now_action_makes_a_feed_due(admin_client):
    import datetime as dt

    from django.utils import timezone

    from events.models import Feed

    later = timezone.now() + dt.timedelta(hours=5)
    feed = Feed.objects.create(url="https://wire.example/feed.xml", next_poll_at=later)
    admin_client.post("/admin/events/feed/", {"action": "poll_now", "_selected_action": [feed.pk]})
    feed.refresh_from_db()
    assert feed.next_poll_at <= timezone.now()
