"""Timeline updates, their read-only history and their citations.

An Update is only ever written through events.services.timeline: the add page calls
``update_create``, the change page ``update_edit`` (and ``citation_add`` for new citations),
and status moves only through the actions, which call ``update_submit``, ``update_publish``
and ``update_retract``."""

from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.template import engines
from django.template.response import TemplateResponse

from events.admin.base import (
    CITATION_FIELDS,
    ReadOnlyAdmin,
    ReadOnlyInline,
    TrackerAdmin,
    TrackerInline,
    reasons,
)
from events.models import Citation, Update, UpdateRevision, UpdateStatus, UpdateVersion
from events.services.timeline import (
    CitationData,
    citation_add,
    update_create,
    update_edit,
    update_publish,
    update_retract,
    update_submit,
)


def citation_data(cleaned: Mapping[str, Any]) -> CitationData:
    """What a citation form says, in the shape the timeline services take."""

    def pk(name: str) -> int | None:
        related = cleaned.get(name)
        return related.pk if related is not None else None

    return CitationData(
        article_id=pk("article"),
        outlet_id=pk("outlet"),
        speaker_id=pk("speaker"),
        quote=cleaned.get("quote", ""),
        quote_language=cleaned.get("quote_language", ""),
        translation=cleaned.get("translation", ""),
        translation_language=cleaned.get("translation_language", ""),
        span_start=cleaned.get("span_start"),
        span_end=cleaned.get("span_end"),
        retrieved_at=cleaned.get("retrieved_at"),
    )


class UpdateCitationInline(TrackerInline):
    """Citations are added here (through ``citation_add``); saved ones are part of the
    update's history and are not edited or removed in place."""

    model = Citation
    fk_name = "update"
    extra = 0
    fields = CITATION_FIELDS
    autocomplete_fields = ("article", "outlet", "speaker")
    can_delete = False

    def get_queryset(self, request: HttpRequest) -> QuerySet[Citation]:
        return super().get_queryset(request).select_related("article", "outlet", "speaker")

    def has_add_permission(self, request: HttpRequest, obj: Update | None = None) -> bool:
        retracted = obj is not None and obj.status == UpdateStatus.RETRACTED
        return not retracted and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class UpdateVersionInline(ReadOnlyInline):
    model = UpdateVersion
    fields = ("version", "status", "headline", "note", "changed_by", "changed_at")
    show_change_link = True
    verbose_name_plural = "history (every version, read-only)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[UpdateVersion]:
        return super().get_queryset(request).select_related("changed_by")


class UpdateRevisionInline(ReadOnlyInline):
    model = UpdateRevision
    fields = ("headline", "body", "occurred_at", "correction_note", "proposed_by", "proposed_at")
    verbose_name_plural = "revision waiting for publication (published from the editor pages)"


class UpdateForm(forms.ModelForm):
    # The service names the note "correction_note"; the form asks for a new one each time.
    refusal_aliases = {"correction_note": "correction"}

    correction = forms.CharField(
        label="Correction note",
        required=False,
        widget=forms.Textarea(attrs={"rows": 2, "cols": 80}),
        help_text="Required to change a published update; readers see it next to the line.",
    )


class RetractForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
        help_text="Readers see it: the update stays on the timeline, struck through.",
    )


RETRACT_TEMPLATE = """{% extends "admin/base_site.html" %}
{% load i18n l10n admin_urls %}
{% block bodyclass %}{{ block.super }} model-{{ opts.model_name }} delete-confirmation{% endblock %}
{% block breadcrumbs %}<div class="breadcrumbs">
<a href="{% url 'admin:index' %}">{% translate 'Home' %}</a> &rsaquo;
<a href="{% url 'admin:app_list' app_label=opts.app_label %}">{{ app_label_name }}</a> &rsaquo;
<a href="{% url opts|admin_urlname:'changelist' %}">{{ opts.verbose_name_plural|capfirst }}</a>
&rsaquo; {{ title }}</div>{% endblock %}
{% block content %}
<p>Only published updates can be retracted. A retracted update stays on the public timeline,
struck through, with the reason given here.</p>
<ul>{% for update in updates %}
<li>{{ update.event }}: <strong>{{ update.headline }}</strong>
({{ update.get_status_display }})</li>{% endfor %}</ul>
<form method="post">{% csrf_token %}
<fieldset class="module aligned">{{ form.non_field_errors }}
<div class="form-row">{{ form.reason.errors }}{{ form.reason.label_tag }} {{ form.reason }}
<div class="help">{{ form.reason.help_text }}</div></div></fieldset>
<div>{% for update in updates %}
<input type="hidden" name="{{ action_checkbox_name }}" value="{{ update.pk|unlocalize }}">
{% endfor %}
<input type="hidden" name="action" value="retract">
<input type="hidden" name="post" value="yes">
<input type="submit" value="Retract">
<a href="{% url opts|admin_urlname:'changelist' %}" class="button cancel-link">Cancel</a>
</div></form>
{% endblock %}
"""


@cache
def _retract_template() -> Any:
    return engines["django"].from_string(RETRACT_TEMPLATE)


TEXT_FIELDS = ("headline", "body", ("occurred_at", "occurred_precision"))
STATE_FIELDS = (
    "status",
    "version",
    "published_at",
    "retracted_at",
    "retraction_reason",
    "correction_note",
    "sources_changed_at",
    "author",
    "created_at",
    "updated_at",
)


@admin.register(Update)
class UpdateAdmin(TrackerAdmin):
    form = UpdateForm
    list_display = (
        "headline",
        "event",
        "occurred_at",
        "status",
        "version",
        "author",
        "published_at",
        "updated_at",
    )
    list_select_related = ("event", "author")
    list_filter = (
        "status",
        ("sources_changed_at", admin.EmptyFieldListFilter),
        "language",
        "occurred_precision",
    )
    search_fields = ("headline", "body", "event__title")
    date_hierarchy = "occurred_at"
    autocomplete_fields = ("event",)
    inlines = (UpdateCitationInline, UpdateRevisionInline, UpdateVersionInline)
    deleted_along = (Citation, UpdateVersion)
    actions = ("send_for_review", "publish", "retract")

    def get_inlines(self, request: HttpRequest, obj: Update | None) -> Any:
        # The waiting revision shows only where there is one (it is made on the editor pages).
        if obj is None or not UpdateRevision.objects.filter(update=obj).exists():
            return [inline for inline in self.inlines if inline is not UpdateRevisionInline]
        return self.inlines

    def get_fieldsets(self, request: HttpRequest, obj: Update | None = None) -> Any:
        if obj is None:
            return ((None, {"fields": ("event", "language", *TEXT_FIELDS)}),)
        correction = ("correction",) if self.has_change_permission(request, obj) else ()
        return (
            (None, {"fields": ("event", "language", *TEXT_FIELDS, *correction)}),
            ("Status (changed by the actions on the list of updates)", {"fields": STATE_FIELDS}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Update | None = None) -> Any:
        # update_edit changes the text and the time, never the event or the language.
        return STATE_FIELDS if obj is None else ("event", "language", *STATE_FIELDS)

    def has_change_permission(self, request: HttpRequest, obj: Update | None = None) -> bool:
        # A retracted update is final; update_edit refuses it, so its page is read-only.
        retracted = obj is not None and obj.status == UpdateStatus.RETRACTED
        return not retracted and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Update | None = None) -> bool:
        # The database refuses it too (trigger update_published_not_deleted).
        public = obj is not None and obj.is_public
        return not public and super().has_delete_permission(request, obj)

    def save_model(self, request: HttpRequest, obj: Update, form: ModelForm, change: bool) -> None:
        """Edits go through update_edit; a new update is created in save_related, where its
        citations are known, so that it starts as one version with them."""
        if not change or not form.has_changed():
            return
        data = form.cleaned_data
        update_edit(
            update=obj,
            by=request.user,  # type: ignore[arg-type]
            headline=data.get("headline"),
            body=data.get("body"),
            occurred_at=data.get("occurred_at"),
            precision=data.get("occurred_precision"),
            correction_note=data.get("correction", ""),
        )
        obj.refresh_from_db()

    def save_related(self, request: HttpRequest, form: ModelForm, formsets: Any, change: bool):
        citation_sets = [formset for formset in formsets if formset.model is Citation]
        new_citations = [
            citation_data(citation_form.cleaned_data)
            for formset in citation_sets
            for citation_form in formset.extra_forms
            if citation_form.has_changed()
        ]
        update: Update = form.instance
        if change:
            created = [citation_add(update=update, data=d, by=request.user) for d in new_citations]  # type: ignore[arg-type]
            if created:
                update.refresh_from_db()
        else:
            created_update = update_create(
                event=update.event,
                occurred_at=update.occurred_at,
                headline=update.headline,
                by=request.user,  # type: ignore[arg-type]
                precision=update.occurred_precision,
                body=update.body,
                language=update.language,
                citations=new_citations,
            )
            # The admin logs and redirects to form.instance: make it the created row.
            update.pk = created_update.pk
            update.refresh_from_db()
            update._state.adding = False
            created = list(created_update.citations.all())
        for formset in citation_sets:
            # What construct_change_message reads after a formset.save().
            formset.new_objects, formset.changed_objects, formset.deleted_objects = created, [], []
        for formset in formsets:
            if formset.model is not Citation:
                self.save_formset(request, form, formset, change)

    def _transition(
        self,
        request: HttpRequest,
        queryset: QuerySet[Update],
        service: Callable[..., Update],
        done: str,
        **arguments: Any,
    ) -> None:
        """Run one timeline service per selected update; report each refusal by name."""
        changed = 0
        for update in queryset.select_related("event"):
            try:
                service(update=update, by=request.user, **arguments)
            except (ValidationError, IntegrityError) as error:
                self.message_user(
                    request,
                    f"“{update}” ({update.event}) was not {done}: {reasons(error)}",
                    messages.ERROR,
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} update(s) {done}.", messages.SUCCESS)

    @admin.action(description="Send for review", permissions=["change"])
    def send_for_review(self, request: HttpRequest, queryset: QuerySet[Update]) -> None:
        self._transition(request, queryset, update_submit, "sent for review")

    @admin.action(description="Publish", permissions=["change"])
    def publish(self, request: HttpRequest, queryset: QuerySet[Update]) -> None:
        self._transition(request, queryset, update_publish, "published")

    @admin.action(description="Retract (asks for a reason)", permissions=["change"])
    def retract(self, request: HttpRequest, queryset: QuerySet[Update]) -> TemplateResponse | None:
        """First shows a page asking for the reason; its form posts back to this action."""
        form = RetractForm(request.POST if request.POST.get("post") == "yes" else None)
        if form.is_valid():
            self._transition(
                request, queryset, update_retract, "retracted", reason=form.cleaned_data["reason"]
            )
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": "Retract updates",
            "opts": self.opts,
            "app_label_name": self.opts.app_config.verbose_name,
            "updates": queryset.select_related("event"),
            "form": form,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, _retract_template(), context)


@admin.register(UpdateVersion)
class UpdateVersionAdmin(ReadOnlyAdmin):
    list_display = ("update", "version", "status", "changed_by", "changed_at", "note")
    list_select_related = ("update", "changed_by")
    list_filter = ("status",)
    search_fields = ("headline", "update__headline", "note")
    date_hierarchy = "changed_at"
    fields = (
        "update",
        "version",
        "status",
        "occurred_at",
        "occurred_precision",
        "headline",
        "body",
        "citations",
        "note",
        "changed_by",
        "changed_at",
    )
