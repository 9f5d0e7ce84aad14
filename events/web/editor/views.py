"""Editors' pages. Every view is thin: it checks the role, validates a form and calls a
service; reads go through the queue module and the selectors. Every action is a plain form
POST that redirects back; with htmx, a review-queue action redraws only its row."""

from urllib.parse import urlsplit

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Case, Exists, IntegerField, OuterRef, Prefetch, Value, When
from django.forms import Form
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from events.models import (
    Article,
    ArticleEvent,
    ArticleState,
    Citation,
    Entity,
    Feed,
    FeedHealth,
    LinkState,
    Mention,
    Update,
    UpdateRevision,
    UpdateStatus,
    User,
)
from events.services.events import event_create
from events.services.feeds import feeds_poll_soon
from events.services.history import acting_as
from events.services.suggestions import link_attach, link_confirm, link_reject
from events.services.timeline import (
    CitationData,
    citation_add,
    update_create,
    update_edit,
    update_publish,
    update_retract,
    update_revision_discard,
    update_revision_propose,
    update_revision_publish,
    update_submit,
)
from events.web.editor import queue
from events.web.editor.access import editor_required
from events.web.editor.choices import event_datalist
from events.web.editor.diff import revision_changes, version_changes
from events.web.editor.forms import (
    AttachForm,
    CitationForm,
    EventStartForm,
    RetractForm,
    UpdateEditForm,
    UpdateFromArticleForm,
)
from events.web.editor.rows import row_texts, rows_prepare
from events.web.requests import is_htmx, page_language, safe_next

# Service errors name model fields; these are the form fields that show them.
FIELD_ALIASES = {"span_start": "quote", "span_end": "quote", "retraction_reason": "reason"}


def _editor(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - editor_required let only signed-in users in
    return user


def _form_add_service_errors(form: Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form, on the field it names when it has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        field = FIELD_ALIASES.get(field, field)
        messages_ = [m for e in errors for m in e.messages]
        form.add_error(field if field in form.fields else None, messages_)


# --- review queue -----------------------------------------------------------------------------


@require_GET
@editor_required
def review_queue(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", queue.Show.WAITING)
    include_duplicates = request.GET.get("duplicates") == "1"
    error, next_cursor = "", None
    rows: list[queue.QueueRow] = []
    language = page_language()
    try:
        if show not in queue.Show.CHOICES:
            raise ValueError(_("Unknown view of the queue; showing what is waiting."))
        cursor_param = request.GET.get("after", "")
        cursor = queue.Cursor.decode(cursor_param) if cursor_param else None
        rows, next_cursor = queue.review_page(
            show=show, include_duplicates=include_duplicates, cursor=cursor, language=language
        )
    except ValueError as problem:
        error = str(problem)
    here = request.get_full_path()
    rows_prepare(rows, here=here)
    next_query = request.GET.copy()
    if next_cursor is not None:
        next_query["after"] = next_cursor.encode()
    context = {
        "rows": rows,
        "counts": queue.review_counts(),
        "show": show,
        "include_duplicates": include_duplicates,
        "next_url": f"?{next_query.urlencode()}" if next_cursor else "",
        "is_later_page": "after" in request.GET,
        "event_datalist": event_datalist(),
        "row_text": row_texts(),
        "error": error,
        "here": here,
    }
    return render(request, "editor/review_queue.html", context, status=400 if error else 200)


def _row_response(
    request: HttpRequest, article_id: int, *, notice: str = "", error: str = ""
) -> HttpResponse:
    if is_htmx(request):
        here = safe_next(request, reverse("web:review-queue"))
        article = queue.review_row(article_id=article_id, language=page_language())
        rows_prepare([article], here=here)
        context = {
            "article": article,
            "row_text": row_texts(),
            "row_notice": notice,
            "row_error": error,
            "here": here,
            # The header's counts are redrawn too (htmx out-of-band swap).
            "counts": queue.review_counts(),
            "show": QueryDict(urlsplit(here).query).get("show", queue.Show.WAITING),
        }
        return render(request, "editor/_review_row_response.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, notice)
    return redirect(safe_next(request, reverse("web:review-queue")))


@require_POST
@editor_required
def link_decide(request: HttpRequest, link_id: int, decision: str) -> HttpResponse:
    link = get_object_or_404(ArticleEvent.objects.select_related("event"), pk=link_id)
    decide = link_confirm if decision == "confirm" else link_reject
    try:
        decide(link=link, by=_editor(request))
    except ValidationError as error:
        return _row_response(request, link.article_id, error=" ".join(error.messages))
    template = _("Confirmed: %(event)s") if decision == "confirm" else _("Rejected: %(event)s")
    return _row_response(request, link.article_id, notice=template % {"event": link.event.title})


@require_POST
@editor_required
def article_attach(request: HttpRequest, article_id: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.only("id", "state"), pk=article_id)
    form = AttachForm(request.POST)
    if not form.is_valid():
        return _row_response(
            request, article.pk, error=" ".join(str(e) for e in form.errors["event"])
        )
    event = form.cleaned_data["event"]
    try:
        link_attach(article=article, event=event, by=_editor(request))
    except ValidationError as error:
        return _row_response(request, article.pk, error=" ".join(error.messages))
    return _row_response(request, article.pk, notice=_("Attached to %(event)s") % {"event": event})


def _article_or_404(article_id: int) -> Article:
    articles = Article.objects.select_related("outlet").defer("minhash", "search")
    return get_object_or_404(articles, pk=article_id, state=ArticleState.READY)


@editor_required
def event_start(request: HttpRequest, article_id: int) -> HttpResponse:
    """A new event from an article (the form starts from the article's title and date); the
    article is attached to it."""
    article = _article_or_404(article_id)
    if request.method != "POST":
        start = timezone.localtime(article.published_at) if article.published_at else None
        form = EventStartForm(initial={"title": article.title, "start": start})
        context = {"form": form, "article": article, "next": request.GET.get("next", "")}
        return render(request, "editor/event_start.html", context)
    form = EventStartForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            with transaction.atomic():
                event = event_create(
                    by=_editor(request),
                    title=data["title"],
                    kind=data["kind"],
                    status=data["status"],
                    start=data["start"],
                    start_precision=data["start_precision"],
                    place=data["place"],
                    summary=data["summary"],
                    slug=data["slug"] or None,
                )
                link_attach(article=article, event=event, by=_editor(request))
        except ValidationError as error:
            _form_add_service_errors(form, error)
        else:
            messages.success(
                request, _("Event “%(event)s” created; the article is attached.") % {"event": event}
            )
            return redirect(safe_next(request, reverse("web:review-queue")))
    context = {"form": form, "article": article, "next": request.POST.get("next", "")}
    return render(request, "editor/event_start.html", context, status=400)


# --- sourced updates --------------------------------------------------------------------------


def _update_form(article: Article, data: object = None) -> UpdateFromArticleForm:
    form = UpdateFromArticleForm(data, article=article)
    mentioned = Mention.objects.filter(article=article, entity=OuterRef("pk"))
    # Who the article names comes first: the speaker is almost always among them.
    form.fields["speaker"].queryset = Entity.objects.annotate(  # type: ignore[attr-defined]
        named=Exists(mentioned)
    ).order_by("-named", "name")
    return form


def _initial_update_form(article: Article) -> UpdateFromArticleForm:
    link = (
        ArticleEvent.objects.filter(article=article)
        .exclude(state=LinkState.REJECTED)
        .order_by(
            Case(When(state=LinkState.CONFIRMED, then=Value(0)), default=Value(1)),
            "-score",
        )
        .first()
    )
    codes = {code for code, _name in UpdateFromArticleForm.base_fields["language"].choices}  # type: ignore[attr-defined]
    form = _update_form(article)
    form.initial = {
        "event": link.event_id if link else None,
        "occurred_at": timezone.localtime(article.published_at) if article.published_at else None,
        "language": article.language if article.language in codes else "en",
        "outlet": article.outlet_id,
        "cite_article": True,
    }
    return form


def _update_create_from(form: UpdateFromArticleForm, action: str, by: User) -> Update:
    data, article = form.cleaned_data, form.article
    citations = []
    if data["cite_article"] or data["outlet"]:
        citations.append(
            CitationData(
                article_id=article.pk if data["cite_article"] else None,
                outlet_id=data["outlet"].pk if data["outlet"] else None,
                speaker_id=data["speaker"].pk if data["speaker"] else None,
                quote=data["quote"],
                quote_language=article.language if data["quote"] else "",
                translation=data["translation"],
                translation_language=data["translation_language"] if data["translation"] else "",
                span_start=data["span_start"],
                span_end=data["span_end"],
            )
        )
    with acting_as(by):
        update = update_create(
            event=data["event"],
            occurred_at=data["occurred_at"],
            precision=data["precision"],
            headline=data["headline"],
            body=data["body"],
            language=data["language"],
            by=by,
            citations=citations,
        )
        if action == "review":
            update = update_submit(update=update, by=by)
        elif action == "publish":
            update = update_publish(update=update, by=by)
    return update


@editor_required
def update_from_article(request: HttpRequest, article_id: int) -> HttpResponse:
    article = _article_or_404(article_id)
    if request.method != "POST":
        context = {"form": _initial_update_form(article), "article": article}
        return render(request, "editor/update_form.html", context)
    form = _update_form(article, request.POST)
    action = request.POST.get("action", "")
    if form.is_valid() and action not in UpdateFromArticleForm.ACTIONS:
        form.add_error(None, _("Choose save as draft, send for review or publish."))
    if form.is_valid():
        try:
            update = _update_create_from(form, action, _editor(request))
        except ValidationError as error:
            _form_add_service_errors(form, error)
        else:
            notices = {
                "draft": _("Saved as a draft."),
                "review": _("Sent for review."),
                "publish": _("Published."),
            }
            messages.success(request, notices[action])
            return redirect("web:editor-update", update_id=update.pk)
    context = {"form": form, "article": article}
    return render(request, "editor/update_form.html", context, status=400)


def _update_or_404(update_id: int) -> Update:
    citations = Citation.objects.select_related("article__outlet", "outlet", "speaker").defer(
        "article__text", "article__minhash", "article__search"
    )
    updates = Update.objects.select_related(
        "event", "author", "revision", "revision__proposed_by"
    ).prefetch_related(Prefetch("citations", queryset=citations))
    return get_object_or_404(updates, pk=update_id)


def _revision(update: Update) -> UpdateRevision | None:
    try:
        return update.revision
    except UpdateRevision.DoesNotExist:
        return None


def _update_page(
    request: HttpRequest,
    update: Update,
    *,
    edit_form: UpdateEditForm | None = None,
    retract_form: RetractForm | None = None,
    citation_form: CitationForm | None = None,
    error: str = "",
) -> HttpResponse:
    revision = _revision(update)
    if edit_form is None:
        # A waiting revision of a published line is what the editor goes on editing.
        base: Update | UpdateRevision = revision or update
        edit_form = UpdateEditForm(
            initial={
                "headline": base.headline,
                "body": base.body,
                "occurred_at": timezone.localtime(base.occurred_at),
                "precision": base.occurred_precision,
                "correction_note": revision.correction_note if revision else "",
            }
        )
    versions = update.versions.select_related("changed_by")
    context = {
        "update": update,
        "revision": revision,
        "revision_changes": revision_changes(update, revision) if revision else [],
        "edit_form": edit_form,
        "retract_form": retract_form or RetractForm(),
        "citation_form": citation_form or CitationForm(event=update.event),
        "history": version_changes(list(versions)),
        "error": error,
        "editable": update.status != UpdateStatus.RETRACTED,
        "is_published": update.status == UpdateStatus.PUBLISHED,
        "can_submit": update.status == UpdateStatus.DRAFT,
        "can_publish": update.status in (UpdateStatus.DRAFT, UpdateStatus.IN_REVIEW),
        "language": page_language(),
    }
    bad = (
        error
        or edit_form.errors
        or (retract_form is not None and retract_form.errors)
        or (citation_form is not None and citation_form.errors)
    )
    return render(request, "editor/update_detail.html", context, status=400 if bad else 200)


@require_GET
@editor_required
def update_detail(request: HttpRequest, update_id: int) -> HttpResponse:
    return _update_page(request, _update_or_404(update_id))


@require_POST
@editor_required
def update_edit_view(request: HttpRequest, update_id: int) -> HttpResponse:
    update = _update_or_404(update_id)
    form = UpdateEditForm(request.POST)
    if form.is_valid():
        data, by = form.cleaned_data, _editor(request)
        fields = {
            "headline": data["headline"],
            "body": data["body"],
            "occurred_at": data["occurred_at"],
            "precision": data["precision"],
        }
        try:
            if update.status == UpdateStatus.PUBLISHED:
                # Readers keep the live line until the correction is published.
                update_revision_propose(
                    update=update, by=by, correction_note=data["correction_note"], **fields
                )
                notice = _("Correction saved. Readers see the live line until you publish it.")
            else:
                update_edit(update=update, by=by, **fields)
                notice = _("Saved.")
        except ValidationError as error:
            _form_add_service_errors(form, error)
        else:
            messages.success(request, notice)
            return redirect("web:editor-update", update_id=update.pk)
    return _update_page(request, update, edit_form=form)


@require_POST
@editor_required
def update_transition(request: HttpRequest, update_id: int, action: str) -> HttpResponse:
    """Send for review or publish."""
    update, by = _update_or_404(update_id), _editor(request)
    service = update_submit if action == "submit" else update_publish
    try:
        service(update=update, by=by)
    except ValidationError as error:
        return _update_page(request, update, error=" ".join(error.messages))
    notice = _("Sent for review.") if action == "submit" else _("Published.")
    messages.success(request, notice)
    return redirect("web:editor-update", update_id=update.pk)


@require_POST
@editor_required
def update_citation_add(request: HttpRequest, update_id: int) -> HttpResponse:
    update, by = _update_or_404(update_id), _editor(request)
    form = CitationForm(request.POST, event=update.event)
    if form.is_valid():
        data = form.cleaned_data
        article = data["article"]
        try:
            citation_add(
                update=update,
                by=by,
                data=CitationData(
                    article_id=article.pk if article else None,
                    outlet_id=data["outlet"].pk if data["outlet"] else None,
                    speaker_id=data["speaker"].pk if data["speaker"] else None,
                    quote=data["quote"],
                    quote_language=article.language if article and data["quote"] else "",
                ),
            )
        except ValidationError as error:
            _form_add_service_errors(form, error)
        else:
            messages.success(request, _("Citation added."))
            return redirect("web:editor-update", update_id=update.pk)
    return _update_page(request, update, citation_form=form)


@require_POST
@editor_required
def update_revision_action(request: HttpRequest, update_id: int, action: str) -> HttpResponse:
    """Publish or discard the correction waiting on a published update."""
    update, by = _update_or_404(update_id), _editor(request)
    try:
        if action == "publish":
            update_revision_publish(update=update, by=by)
        else:
            update_revision_discard(update=update, by=by)
    except ValidationError as error:
        return _update_page(request, update, error=" ".join(error.messages))
    if action == "publish":
        messages.success(request, _("Correction published, with its note."))
    else:
        messages.success(request, _("Correction discarded; the live line is unchanged."))
    return redirect("web:editor-update", update_id=update.pk)


@require_POST
@editor_required
def update_retract_view(request: HttpRequest, update_id: int) -> HttpResponse:
    update, by = _update_or_404(update_id), _editor(request)
    form = RetractForm(request.POST)
    if form.is_valid():
        try:
            update_retract(update=update, by=by, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            return _update_page(request, update, error=" ".join(error.messages))
        else:
            messages.success(request, _("Retracted. The line stays visible, struck through."))
            return redirect("web:editor-update", update_id=update.pk)
    return _update_page(request, update, retract_form=form)


# --- feeds ------------------------------------------------------------------------------------

HEALTH_ORDER = [FeedHealth.UNHEALTHY, FeedHealth.FAILING, FeedHealth.UNKNOWN, FeedHealth.HEALTHY]


@require_GET
@editor_required
def feeds_health(request: HttpRequest) -> HttpResponse:
    rank = Case(
        *(When(health=health, then=Value(i)) for i, health in enumerate(HEALTH_ORDER)),
        default=Value(len(HEALTH_ORDER)),
        output_field=IntegerField(),
    )
    feeds = Feed.objects.select_related("outlet").order_by("-is_active", rank, "url")
    return render(request, "editor/feeds.html", {"feeds": feeds, "now": timezone.now()})


@require_POST
@editor_required
def feed_poll_now(request: HttpRequest, feed_id: int) -> HttpResponse:
    feed = get_object_or_404(Feed.objects.only("id", "url", "title", "is_active"), pk=feed_id)
    if feeds_poll_soon(feed_ids=[feed.pk]):
        messages.success(request, _("%(feed)s will be polled within a minute.") % {"feed": feed})
    else:
        messages.error(
            request, _("%(feed)s is inactive; activate it in the admin first.") % {"feed": feed}
        )
    return redirect("web:editor-feeds")
