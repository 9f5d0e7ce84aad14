"""Editors' pages through the Django test client: who may open them, CSRF, every action of
the review queue and the sourced-update workflow, bad input writing nothing, and query counts
that do not grow with the rows shown."""

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import (
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Event,
    EventTranslation,
    Feed,
    FeedHealth,
    LinkOrigin,
    LinkState,
    Mention,
    Update,
    UpdateStatus,
)
from events.services.timeline import (
    CitationData,
    update_create,
    update_edit,
    update_publish,
)
from events.web.editor import queue
from tests.factories import (
    ArticleFactory,
    EntityFactory,
    EventFactory,
    OutletFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TEXT = (
    "Президентът Касим-Жомарт Токаев поиска съдействие от ОДКС. "
    "„Страната е подложена на агресия“, заяви Токаев в обръщение към нацията."
)
QUOTE = "Страната е подложена на агресия"


def _article(**fields):
    return ArticleFactory(**{"text": TEXT, **fields})


def _suggestion(article, event, score=0.7):
    return ArticleEvent.objects.create(article=article, event=event, score=score)


def _update(event, *, publish=False, headline="Tokayev asks the CSTO for help", **citation):
    update = update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC),
        headline=headline,
        by=None,
        citations=[CitationData(**(citation or {"outlet_id": OutletFactory().pk}))],
    )
    return update_publish(update=update, by=None) if publish else update


def _pages(article_id=1, update_id=1, link_id=1, feed_id=1):
    return [
        ("get", "/editor/review/"),
        ("get", "/editor/feeds/"),
        ("get", f"/editor/articles/{article_id}/update/"),
        ("get", f"/editor/articles/{article_id}/new-event/"),
        ("get", f"/editor/updates/{update_id}/"),
        ("post", f"/editor/review/links/{link_id}/confirm/"),
        ("post", f"/editor/review/links/{link_id}/reject/"),
        ("post", f"/editor/articles/{article_id}/attach/"),
        ("post", f"/editor/updates/{update_id}/publish/"),
        ("post", f"/editor/updates/{update_id}/retract/"),
        ("post", f"/editor/updates/{update_id}/edit/"),
        ("post", f"/editor/updates/{update_id}/submit/"),
        ("post", f"/editor/updates/{update_id}/citations/"),
        ("post", f"/editor/updates/{update_id}/correction/publish/"),
        ("post", f"/editor/updates/{update_id}/correction/discard/"),
        ("post", f"/editor/articles/{article_id}/new-event/"),
        ("post", f"/editor/articles/{article_id}/update/"),
        ("post", f"/editor/feeds/{feed_id}/poll/"),
    ]


# --- roles and CSRF ---------------------------------------------------------------------------


@pytest.mark.parametrize(("method", "url"), _pages())
def test_anonymous_visitors_are_sent_to_the_login_form(client, method, url):
    response = getattr(client, method)(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


@pytest.mark.parametrize(("method", "url"), _pages())
def test_signed_in_readers_are_refused(client, method, url):
    client.force_login(UserFactory(username="reader"))
    assert getattr(client, method)(url).status_code == 403


def test_superusers_are_editors(client):
    client.force_login(UserFactory(username="root", is_superuser=True))
    assert client.get("/editor/review/").status_code == 200


def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(editor):
    link = _suggestion(_article(), EventFactory())
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    assert strict.post(f"/editor/review/links/{link.pk}/confirm/").status_code == 403
    assert ArticleEvent.objects.get(pk=link.pk).state == LinkState.SUGGESTED


def test_a_post_with_the_csrf_token_from_the_page_is_accepted(editor):
    link = _suggestion(_article(), EventFactory())
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(editor)
    strict.get("/editor/review/")
    token = strict.cookies["csrftoken"].value
    response = strict.post(
        f"/editor/review/links/{link.pk}/confirm/", {"csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302
    assert ArticleEvent.objects.get(pk=link.pk).state == LinkState.CONFIRMED


def test_the_login_form_signs_an_editor_in_and_returns_to_the_queue(client, editor):
    page = client.get("/accounts/login/?next=/editor/review/")
    assert page.status_code == 200
    assert 'name="username"' in page.content.decode()
    response = client.post(
        "/accounts/login/",
        {"username": "editor", "password": "correct horse battery", "next": "/editor/review/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/editor/review/"
    assert client.get("/editor/review/").status_code == 200


def test_a_wrong_password_shows_an_error_and_signs_nobody_in(client, editor):
    response = client.post("/accounts/login/", {"username": "editor", "password": "nope"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()
    assert client.get("/editor/review/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(editor_client):
    assert editor_client.post("/accounts/logout/").status_code == 302
    assert editor_client.get("/editor/review/").status_code == 302


# --- review queue -----------------------------------------------------------------------------


def test_queue_shows_suggestions_with_scores_language_entities_outlet_and_copies(editor_client):
    outlet = OutletFactory(name="Svyat")
    article = _article(title="Токаев поиска помощ", outlet=outlet)
    event = EventFactory(title="CSTO deployment")
    _suggestion(article, event, score=0.83)
    tokayev = EntityFactory(name="Kassym-Jomart Tokayev")
    Mention.objects.create(article=article, entity=tokayev, count=2, first_start=12, first_end=18)
    ArticleFactory.create_batch(2, duplicate_of=article, text=TEXT)
    body = editor_client.get("/editor/review/").content.decode()
    for expected in ("Токаев поиска помощ", "CSTO deployment", "0.83", "BG", "Svyat"):
        assert expected in body
    assert "Kassym-Jomart Tokayev" in body
    assert "2 copies elsewhere" in body


def test_queue_lists_waiting_articles_only(editor_client):
    event = EventFactory()
    waiting = _article(title="Has a suggestion")
    _suggestion(waiting, event)
    unlinked = _article(title="Linked to nothing yet")
    decided = _article(title="Already decided")
    ArticleEvent.objects.create(
        article=decided, event=event, state=LinkState.CONFIRMED, decided_at=timezone.now()
    )
    copy = _article(title="A syndicated copy", duplicate_of=waiting)
    failed = _article(title="Never extracted", state=ArticleState.FAILED, failure_reason="404")
    body = editor_client.get("/editor/review/").content.decode()
    assert waiting.title in body and unlinked.title in body
    for hidden in (decided, copy, failed):
        assert hidden.title not in body
    with_copies = editor_client.get("/editor/review/?duplicates=1").content.decode()
    assert copy.title in with_copies
    assert (
        unlinked.title not in editor_client.get("/editor/review/?show=suggested").content.decode()
    )
    only_unlinked = editor_client.get("/editor/review/?show=unlinked").content.decode()
    assert unlinked.title in only_unlinked and waiting.title not in only_unlinked


def test_queue_rows_label_events_in_the_page_language_name_deciders_and_cap_names(
    editor_client, editor
):
    article = _article(title="Разполагане")
    csto = EventFactory(title="CSTO deployment")
    EventTranslation.objects.create(event=csto, language="bg", title="Разполагане на ОДКС")
    unrest = EventFactory(title="Unrest")
    EventTranslation.objects.create(event=unrest, language="bg", title="", summary="Само резюме")
    _suggestion(article, csto, score=0.835)
    ArticleEvent.objects.create(
        article=article,
        event=unrest,
        score=0.4,
        state=LinkState.CONFIRMED,
        decided_by=editor,
        decided_at=timezone.now(),
    )
    for i in range(queue.MENTIONS_SHOWN + 2):
        entity = EntityFactory(name=f"Person {i:02}")
        Mention.objects.create(
            article=article, entity=entity, count=20 - i, first_start=i, first_end=i + 1
        )
    english = editor_client.get("/editor/review/").content.decode()
    assert "CSTO deployment</a>" in english and "0.84" in english
    assert "confirmed · editor" in english
    assert english.index("CSTO deployment") < english.index("Unrest")  # undecided first
    assert "Person 07" in english and "Person 08" not in english
    editor_client.cookies["django_language"] = "bg"
    bulgarian = editor_client.get("/editor/review/").content.decode()
    assert "Разполагане на ОДКС</a>" in bulgarian and "0,84" in bulgarian
    assert "Unrest</a>" in bulgarian  # no curated Bulgarian title: the English one
    assert ': CSTO deployment">' in bulgarian  # the buttons' names keep the English title


def test_queue_header_counts_what_is_waiting(editor_client):
    event, other = EventFactory(), EventFactory()
    article = _article()
    _suggestion(article, event)
    _suggestion(article, other)
    _article()
    decided = _article()
    ArticleEvent.objects.create(
        article=decided, event=event, state=LinkState.REJECTED, decided_at=timezone.now()
    )
    _article(duplicate_of=article)
    response = editor_client.get("/editor/review/")
    counts = response.context["counts"]
    assert (counts.waiting, counts.suggested, counts.unlinked) == (2, 1, 1)
    tabs = response.content.decode()
    assert 'Waiting <span class="count">2</span>' in tabs


def test_queue_header_counts_stop_at_the_cap(editor_client, monkeypatch):
    monkeypatch.setattr(queue, "REVIEW_COUNT_CAP", 2)
    event = EventFactory()
    for _ in range(3):
        _suggestion(_article(), event)
    _article()
    _article()
    response = editor_client.get("/editor/review/")
    counts = response.context["counts"]
    assert (counts.waiting, counts.suggested, counts.unlinked) == (3, 3, 2)  # cap + 1 = "more"
    tabs = response.content.decode()
    assert 'Waiting <span class="count">2+</span>' in tabs
    assert 'With suggestions <span class="count">2+</span>' in tabs
    assert 'Not linked to any event <span class="count">2</span>' in tabs  # at the cap: exact
    assert queue.QueueCounts(1001, 1001, 0, cap=1000).shown == {
        "waiting": "1,000+",
        "suggested": "1,000+",
        "unlinked": "0",
    }


def test_queue_pages_newest_first_through_a_cursor_without_gaps_or_repeats(editor_client):
    start = dt.datetime(2022, 1, 1, tzinfo=dt.UTC)
    dated = [_article(published_at=start + dt.timedelta(hours=i)) for i in range(27)]
    undated = [_article(published_at=None) for _ in range(2)]
    # Two articles published at the same instant are told apart by id.
    same_time = [_article(published_at=start + dt.timedelta(hours=3)) for _ in range(2)]
    seen, url = [], "/editor/review/"
    while url:
        response = editor_client.get(url)
        assert response.status_code == 200
        seen += [article.pk for article in response.context["rows"]]
        url = response.context["next_url"] and "/editor/review/" + response.context["next_url"]
    expected = list(
        Article.objects.filter(pk__in=[a.pk for a in dated + undated + same_time])
        .order_by("-published_at", "-id")
        .values_list("pk", flat=True)
    )
    assert seen == expected
    assert seen[:2] == sorted((a.pk for a in undated), reverse=True)


def test_a_tampered_page_link_is_a_clear_400(editor_client):
    response = editor_client.get("/editor/review/?after=not-a-cursor")
    assert response.status_code == 400
    assert "page link is not valid" in response.content.decode()


def test_confirm_without_javascript_redirects_back_to_the_same_queue_page(editor_client, editor):
    link = _suggestion(_article(), EventFactory(title="CSTO deployment"))
    back = "/editor/review/?show=suggested"
    response = editor_client.post(f"/editor/review/links/{link.pk}/confirm/", {"next": back})
    assert (response.status_code, response["Location"]) == (302, back)
    link.refresh_from_db()
    assert (link.state, link.decided_by) == (LinkState.CONFIRMED, editor)
    assert "Confirmed: CSTO deployment" in editor_client.get(back).content.decode()


def test_an_outside_next_address_is_not_followed(editor_client):
    link = _suggestion(_article(), EventFactory())
    response = editor_client.post(
        f"/editor/review/links/{link.pk}/confirm/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/editor/review/"


def test_confirm_with_htmx_returns_only_the_redrawn_row(editor_client):
    article = _article()
    link = _suggestion(article, EventFactory(title="CSTO deployment"))
    response = editor_client.post(
        f"/editor/review/links/{link.pk}/confirm/", HTTP_HX_REQUEST="true"
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<li class="review-row" id="article-{article.pk}"')
    assert "<html" not in body
    assert "Confirmed: CSTO deployment" in body
    assert f"/editor/review/links/{link.pk}/confirm/" not in body  # no confirm button any more
    assert f"/editor/review/links/{link.pk}/reject/" in body  # the decision can be reversed
    # The header's counts come along, swapped out of band: nothing waits any more.
    assert 'id="queue-tabs"' in body and 'hx-swap-oob="true"' in body
    assert 'Waiting <span class="count">0</span>' in body


def test_reject(editor_client, editor):
    link = _suggestion(_article(), EventFactory())
    editor_client.post(f"/editor/review/links/{link.pk}/reject/")
    link.refresh_from_db()
    assert (link.state, link.decided_by) == (LinkState.REJECTED, editor)


def test_attach_to_another_event_by_slug(editor_client):
    article, event = _article(), EventFactory(slug="nato-russia-council")
    response = editor_client.post(
        f"/editor/articles/{article.pk}/attach/", {"event": "nato-russia-council"}
    )
    assert response.status_code == 302
    link = ArticleEvent.objects.get(article=article)
    assert (link.event, link.state, link.origin) == (event, LinkState.CONFIRMED, LinkOrigin.EDITOR)


@pytest.mark.parametrize("htmx", [False, True])
def test_attach_to_an_unknown_event_shows_a_message_and_writes_nothing(editor_client, htmx):
    article = _article()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = editor_client.post(
        f"/editor/articles/{article.pk}/attach/", {"event": "no-such-event"}, follow=True, **headers
    )
    assert "There is no event with the slug “no-such-event”" in response.content.decode()
    assert not ArticleEvent.objects.exists()


def test_start_a_new_event_from_an_article(editor_client, editor):
    article = _article(
        title="Протести в Алмати", published_at=dt.datetime(2022, 1, 4, tzinfo=dt.UTC)
    )
    form = editor_client.get(f"/editor/articles/{article.pk}/new-event/")
    assert form.context["form"].initial["title"] == "Протести в Алмати"
    response = editor_client.post(
        f"/editor/articles/{article.pk}/new-event/",
        {
            "title": "Протести в Алмати",
            "kind": "protest",
            "status": "developing",
            "start": "2022-01-04T00:00",
            "start_precision": "day",
            "place": "Almaty",
            "summary": "",
        },
    )
    assert response.status_code == 302
    event = Event.objects.get(title="Протести в Алмати")
    assert (event.kind, event.place, event.created_by) == ("protest", "Almaty", editor)
    assert event.slug  # made from the Cyrillic title
    link = ArticleEvent.objects.get(article=article)
    assert (link.event, link.state) == (event, LinkState.CONFIRMED)


def test_a_new_event_without_a_title_writes_nothing(editor_client):
    article = _article()
    response = editor_client.post(
        f"/editor/articles/{article.pk}/new-event/",
        {"title": "", "kind": "protest", "status": "developing", "start_precision": "day"},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Event.objects.exists() and not ArticleEvent.objects.exists()


def test_a_taken_slug_is_shown_on_its_field_and_writes_nothing(editor_client):
    EventFactory(slug="taken")
    article = _article()
    response = editor_client.post(
        f"/editor/articles/{article.pk}/new-event/",
        {"title": "X", "slug": "taken", "kind": "other", "status": "developing",
         "start_precision": "day"},
    )  # fmt: skip
    assert response.status_code == 400
    assert response.context["form"].errors["slug"]
    assert Event.objects.count() == 1 and not ArticleEvent.objects.exists()


# --- sourced updates --------------------------------------------------------------------------


def _update_post(event, **overrides):
    data = {
        "event": event.pk,
        "occurred_at": "2022-01-05T10:00",
        "precision": "minute",
        "headline": "Tokayev calls the protests an aggression",
        "body": "",
        "language": "en",
        "cite_article": "on",
        "quote": QUOTE,
        "span_start": "",
        "span_end": "",
        "translation": "The country is under aggression",
        "translation_language": "en",
        "speaker": "",
        "outlet": "",
        "action": "publish",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_update_form_shows_the_article_text_and_starts_from_the_confirmed_event(editor_client):
    article, event = _article(), EventFactory(title="CSTO deployment")
    _suggestion(article, EventFactory(), score=0.9)
    ArticleEvent.objects.create(
        article=article, event=event, score=0.3, state=LinkState.CONFIRMED,
        decided_at=timezone.now(),
    )  # fmt: skip
    response = editor_client.get(f"/editor/articles/{article.pk}/update/")
    assert response.status_code == 200
    assert QUOTE in response.content.decode()
    assert response.context["form"].initial["event"] == event.pk
    assert response.context["form"].initial["outlet"] == article.outlet_id


def test_publish_an_update_with_a_selected_quote_and_its_span(editor_client, editor):
    article, event = _article(), EventFactory()
    speaker = EntityFactory(name="Kassym-Jomart Tokayev")
    start = TEXT.index(QUOTE)
    response = editor_client.post(
        f"/editor/articles/{article.pk}/update/",
        _update_post(
            event,
            span_start=str(start),
            span_end=str(start + len(QUOTE)),
            speaker=speaker.pk,
            outlet=article.outlet_id,
        ),
    )
    update = Update.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/editor/updates/{update.pk}/"
    assert (update.status, update.author, update.occurred_precision) == (
        UpdateStatus.PUBLISHED,
        editor,
        "minute",
    )
    citation = update.citations.get()
    assert (citation.article, citation.speaker, citation.outlet) == (
        article,
        speaker,
        article.outlet,
    )
    assert (citation.quote, citation.span_start, citation.span_end) == (
        QUOTE,
        start,
        start + len(QUOTE),
    )
    assert (citation.quote_language, citation.translation_language) == ("bg", "en")


def test_a_pasted_quote_gets_its_span_found(editor_client):
    article, event = _article(), EventFactory()
    editor_client.post(
        f"/editor/articles/{article.pk}/update/", _update_post(event, quote=f"  {QUOTE}\n")
    )
    citation = Citation.objects.get()
    assert TEXT[citation.span_start : citation.span_end] == QUOTE


def test_a_wrong_span_for_a_quote_that_is_in_the_text_is_corrected(editor_client):
    article, event = _article(), EventFactory()
    editor_client.post(
        f"/editor/articles/{article.pk}/update/",
        _update_post(event, span_start="0", span_end=str(len(QUOTE))),
    )
    citation = Citation.objects.get()
    assert (citation.span_start, citation.span_end) == (
        TEXT.index(QUOTE),
        TEXT.index(QUOTE) + len(QUOTE),
    )


def test_a_quote_that_is_not_in_the_article_is_refused_and_nothing_is_written(editor_client):
    article, event = _article(), EventFactory()
    response = editor_client.post(
        f"/editor/articles/{article.pk}/update/", _update_post(event, quote="Words never said")
    )
    assert response.status_code == 400
    assert "The quote is not in the article text" in response.content.decode()
    assert not Update.objects.exists() and not Citation.objects.exists()


def test_publishing_without_a_citation_is_refused_with_the_reason_and_writes_nothing(editor_client):
    article, event = _article(), EventFactory()
    response = editor_client.post(
        f"/editor/articles/{article.pk}/update/",
        _update_post(event, cite_article=None, quote="", translation=""),
    )
    assert response.status_code == 400
    assert "needs at least one citation" in response.content.decode()
    assert not Update.objects.exists()


def test_without_a_citation_a_draft_can_still_be_saved(editor_client):
    article, event = _article(), EventFactory()
    editor_client.post(
        f"/editor/articles/{article.pk}/update/",
        _update_post(event, cite_article=None, quote="", translation="", action="draft"),
    )
    update = Update.objects.get()
    assert update.status == UpdateStatus.DRAFT and not update.citations.exists()


def test_send_for_review(editor_client):
    article, event = _article(), EventFactory()
    editor_client.post(
        f"/editor/articles/{article.pk}/update/", _update_post(event, action="review")
    )
    assert Update.objects.get().status == UpdateStatus.IN_REVIEW


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("headline", "", "This field is required."),
        ("occurred_at", "yesterday", "Enter a valid date/time."),
        ("precision", "week", "Select a valid choice."),
        ("action", "delete", "Choose save as draft, send for review or publish."),
        ("span_start", "-3", "greater than or equal to 0"),
    ],
)
def test_bad_update_input_names_the_problem_and_writes_nothing(
    editor_client, field, value, message
):
    article, event = _article(), EventFactory()
    response = editor_client.post(
        f"/editor/articles/{article.pk}/update/", _update_post(event, **{field: value})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Update.objects.exists()


def test_an_article_that_failed_has_no_update_form(editor_client):
    article = _article(state=ArticleState.FAILED, failure_reason="404")
    assert editor_client.get(f"/editor/articles/{article.pk}/update/").status_code == 404


# --- the update page --------------------------------------------------------------------------


def test_a_draft_is_edited_in_place_and_published_from_its_page(editor_client):
    update = _update(EventFactory())
    response = editor_client.post(
        f"/editor/updates/{update.pk}/edit/",
        {"headline": "Tokayev asks the CSTO for troops", "body": "",
         "occurred_at": "2022-01-05T00:00", "precision": "day"},
    )  # fmt: skip
    assert response.status_code == 302
    update.refresh_from_db()
    assert (update.headline, update.status, update.correction_note) == (
        "Tokayev asks the CSTO for troops",
        UpdateStatus.DRAFT,
        "",
    )
    editor_client.post(f"/editor/updates/{update.pk}/publish/")
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.PUBLISHED


def test_publishing_a_draft_without_citations_shows_the_reason(editor_client):
    update = update_create(
        event=EventFactory(),
        occurred_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC),
        headline="Unsourced",
        by=None,
    )
    response = editor_client.post(f"/editor/updates/{update.pk}/publish/")
    assert response.status_code == 400
    assert "needs at least one citation" in response.content.decode()
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.DRAFT


def test_a_correction_waits_while_readers_keep_the_live_line(editor_client):
    update = _update(EventFactory(), publish=True)
    edit = {
        "headline": "Tokayev asks the CSTO for peacekeepers",
        "body": "",
        "occurred_at": "2022-01-05T00:00",
        "precision": "day",
        "correction_note": "",
    }
    refused = editor_client.post(f"/editor/updates/{update.pk}/edit/", edit)
    assert refused.status_code == 400
    assert "correcting a published update needs a note" in refused.content.decode()
    edit["correction_note"] = "He asked for peacekeepers, not troops."
    assert editor_client.post(f"/editor/updates/{update.pk}/edit/", edit).status_code == 302
    live = Update.objects.get(pk=update.pk)
    assert (live.headline, live.correction_note) == ("Tokayev asks the CSTO for help", "")
    page = editor_client.get(f"/editor/updates/{update.pk}/").content.decode()
    assert "Correction waiting for publication" in page
    assert "<ins>peacekeepers</ins>" in page
    editor_client.post(f"/editor/updates/{update.pk}/correction/publish/")
    live.refresh_from_db()
    assert (live.headline, live.correction_note, live.status) == (
        "Tokayev asks the CSTO for peacekeepers",
        "He asked for peacekeepers, not troops.",
        UpdateStatus.PUBLISHED,
    )


def test_a_waiting_correction_can_be_discarded(editor_client):
    update = _update(EventFactory(), publish=True)
    editor_client.post(
        f"/editor/updates/{update.pk}/edit/",
        {"headline": "Changed", "body": "", "occurred_at": "2022-01-05T00:00", "precision": "day",
         "correction_note": "n"},
    )  # fmt: skip
    editor_client.post(f"/editor/updates/{update.pk}/correction/discard/")
    page = editor_client.get(f"/editor/updates/{update.pk}/").content.decode()
    assert "Correction waiting for publication" not in page
    assert Update.objects.get(pk=update.pk).headline == "Tokayev asks the CSTO for help"


def test_retracting_needs_a_reason(editor_client):
    update = _update(EventFactory(), publish=True)
    response = editor_client.post(f"/editor/updates/{update.pk}/retract/", {"reason": "  "})
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.PUBLISHED
    editor_client.post(f"/editor/updates/{update.pk}/retract/", {"reason": "Misattributed."})
    update.refresh_from_db()
    assert (update.status, update.retraction_reason) == (UpdateStatus.RETRACTED, "Misattributed.")


def test_retracting_a_draft_is_refused_with_the_services_reason(editor_client):
    update = _update(EventFactory())
    response = editor_client.post(f"/editor/updates/{update.pk}/retract/", {"reason": "x"})
    assert response.status_code == 400
    assert "only a published update can be retracted" in response.content.decode()


def test_history_shows_each_change_as_an_escaped_diff(editor_client):
    update = _update(EventFactory(), headline="Troops <b>arrive</b>")
    update_edit(update=update, by=None, headline="Troops <b>leave</b>")
    body = editor_client.get(f"/editor/updates/{update.pk}/").content.decode()
    assert "<del>&lt;b&gt;arrive&lt;/b&gt;</del><ins>&lt;b&gt;leave&lt;/b&gt;</ins>" in body
    assert "<b>leave</b>" not in body
    assert "Version 2" in body and "Version 1" in body


# --- feeds ------------------------------------------------------------------------------------


def test_feeds_page_shows_health_last_poll_error_and_next_poll(editor_client):
    Feed.objects.create(
        url="https://svyat.example/rss",
        title="Svyat",
        health=FeedHealth.UNHEALTHY,
        consecutive_failures=7,
        last_error="HTTP 503 from svyat.example",
        last_error_at=dt.datetime(2022, 1, 6, 12, 0, tzinfo=dt.UTC),
        last_polled_at=dt.datetime(2022, 1, 6, 12, 0, tzinfo=dt.UTC),
        next_poll_at=dt.datetime(2022, 1, 7, 12, 0, tzinfo=dt.UTC),
    )
    body = editor_client.get("/editor/feeds/").content.decode()
    for expected in ("Svyat", "unhealthy", "7 failures in a row", "HTTP 503 from svyat.example",
                     "7 Jan 2022 12:00", "Poll now"):  # fmt: skip
        assert expected in body


def test_poll_now_makes_the_feed_due(editor_client):
    later = timezone.now() + dt.timedelta(days=1)
    feed = Feed.objects.create(url="https://svyat.example/rss", next_poll_at=later)
    response = editor_client.post(f"/editor/feeds/{feed.pk}/poll/", follow=True)
    assert "will be polled within a minute" in response.content.decode()
    feed.refresh_from_db()
    assert feed.next_poll_at <= timezone.now()


def test_poll_now_on_an_inactive_feed_says_so(editor_client):
    later = timezone.now() + dt.timedelta(days=1)
    feed = Feed.objects.create(url="https://svyat.example/rss", next_poll_at=later, is_active=False)
    response = editor_client.post(f"/editor/feeds/{feed.pk}/poll/", follow=True)
    assert "is inactive" in response.content.decode()
    assert Feed.objects.get(pk=feed.pk).next_poll_at == later


# --- query counts -----------------------------------------------------------------------------


def _queue_rows(n):
    events = EventFactory.create_batch(2)
    entity = EntityFactory()
    for _ in range(n):
        article = _article()
        for event in events:
            _suggestion(article, event)
        Mention.objects.create(article=article, entity=entity, count=1, first_start=0, first_end=5)
        _article(duplicate_of=article)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_queue_queries_do_not_grow_with_rows(editor_client):
    _queue_rows(2)
    few = _queries(editor_client, "/editor/review/?duplicates=1")
    # The user, the editors' group, the page's rows, the header counts, the event choices'
    # fingerprint and (new events: not cached yet) the choices.
    assert few == 6
    _queue_rows(18)
    assert _queries(editor_client, "/editor/review/?duplicates=1") == few


def test_htmx_row_queries_do_not_grow_with_links(editor_client):
    article = _article()
    link = _suggestion(article, EventFactory())
    url = f"/editor/review/links/{link.pk}/confirm/"
    with CaptureQueriesContext(connection) as few:
        editor_client.post(url, HTTP_HX_REQUEST="true")
    for event in EventFactory.create_batch(20):
        _suggestion(article, event)
    link_b = ArticleEvent.objects.filter(article=article, state=LinkState.SUGGESTED).first()
    with CaptureQueriesContext(connection) as many:
        editor_client.post(f"/editor/review/links/{link_b.pk}/confirm/", HTTP_HX_REQUEST="true")
    assert len(many) == len(few)


def test_update_page_queries_do_not_grow_with_versions_or_citations(editor_client):
    def build(n):
        article = _article()
        update = update_create(
            event=EventFactory(),
            occurred_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC),
            headline="v",
            by=None,
            citations=[CitationData(article_id=article.pk, quote=QUOTE) for _ in range(n)],
        )
        for i in range(n):
            update_edit(update=update, by=None, headline=f"v{i}")
        return f"/editor/updates/{update.pk}/"

    few = _queries(editor_client, build(2))
    assert _queries(editor_client, build(20)) == few


def test_feeds_page_queries_do_not_grow_with_feeds(editor_client):
    def feeds(start, n):
        for i in range(start, start + n):
            Feed.objects.create(url=f"https://f{i}.example/rss", outlet=OutletFactory())

    feeds(0, 2)
    few = _queries(editor_client, "/editor/feeds/")
    feeds(2, 18)
    assert _queries(editor_client, "/editor/feeds/") == few


def test_update_form_queries_do_not_grow_with_mentions(editor_client):
    article, event = _article(), EventFactory()
    url = f"/editor/articles/{article.pk}/update/"
    few = _queries(editor_client, url)
    for entity in EntityFactory.create_batch(20):
        Mention.objects.create(article=article, entity=entity, count=1, first_start=0, first_end=3)
    _suggestion(article, event)
    assert _queries(editor_client, url) == few


def test_history_names_the_cited_sources_not_their_ids(editor_client):
    article = _article(title="Токаев поиска помощ")
    speaker = EntityFactory(name="Kassym-Jomart Tokayev")
    update = _update(EventFactory(), article_id=article.pk, speaker_id=speaker.pk, quote=QUOTE)
    history = editor_client.get(f"/editor/updates/{update.pk}/").context["history"]
    (citations,) = [html for label, html in history[-1].changes if label == "Citations"]
    assert "Kassym-Jomart Tokayev · Токаев поиска помощ: “" in citations


def _unsourced_draft(event):
    return update_create(
        event=event,
        occurred_at=dt.datetime(2022, 1, 5, tzinfo=dt.UTC),
        headline="Unsourced",
        by=None,
    )


def test_a_citation_added_on_the_update_page_lets_it_be_published(editor_client):
    event = EventFactory()
    article = _article()
    ArticleEvent.objects.create(
        article=article, event=event, state=LinkState.CONFIRMED, decided_at=timezone.now()
    )
    update = _unsourced_draft(event)
    response = editor_client.post(
        f"/editor/updates/{update.pk}/citations/",
        {"article": article.pk, "outlet": "", "speaker": "", "quote": QUOTE},
    )
    assert response.status_code == 302
    citation = update.citations.get()
    assert (citation.article, citation.quote_language) == (article, "bg")
    assert TEXT[citation.span_start : citation.span_end] == QUOTE
    editor_client.post(f"/editor/updates/{update.pk}/publish/")
    assert Update.objects.get(pk=update.pk).status == UpdateStatus.PUBLISHED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "Choose the article or the outlet this comes from."),
        ({"article": "linked", "quote": "Words never said"}, "The quote is not in the article"),
        ({"article": "unlinked"}, "Select a valid choice."),
    ],
)
def test_a_bad_citation_names_the_problem_and_writes_nothing(editor_client, fields, message):
    event = EventFactory()
    linked, unlinked = _article(), _article()
    ArticleEvent.objects.create(
        article=linked, event=event, state=LinkState.CONFIRMED, decided_at=timezone.now()
    )
    update = _unsourced_draft(event)
    articles = {"linked": linked.pk, "unlinked": unlinked.pk}
    data = {"article": "", "outlet": "", "speaker": "", "quote": "", **fields}
    data["article"] = articles.get(data["article"], "")
    response = editor_client.post(f"/editor/updates/{update.pk}/citations/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Citation.objects.exists()
    assert Update.objects.get(pk=update.pk).version == 1


def test_hostile_article_markup_is_escaped_in_the_queue_and_the_update_form(editor_client):
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    article = _article(title=f"Title {hostile}", text=f"Text {hostile} end.")
    _suggestion(article, EventFactory(title=f"Event {hostile}"))
    for url in ("/editor/review/", f"/editor/articles/{article.pk}/update/"):
        body = editor_client.get(url).content.decode()
        assert "<script>alert(1)" not in body and "<img src=x" not in body
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_attach_suggestions_list_every_event_escaped(editor_client):
    EventFactory(slug="csto", title='CSTO <img src=x onerror="alert(1)"> & co')
    EventFactory(slug="unrest", title="Unrest")
    body = editor_client.get("/editor/review/").content.decode()
    datalist = body[body.index('<datalist id="event-choices">') :]
    datalist = datalist[: datalist.index("</datalist>")]
    assert '<option value="csto">CSTO &lt;img src=x onerror=&quot;alert(1)&quot;&gt; &amp; co' in (
        datalist
    )
    assert '<option value="unrest">Unrest</option>' in datalist
