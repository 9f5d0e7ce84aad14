"""Events, their per-language labels and participants, and the typed links between them."""

from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.db.models import Count, Q
from django.forms import BaseFormSet, ModelForm
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from events.admin.base import CITATION_FIELDS, TrackerAdmin, TrackerInline
from events.models import (
    PUBLIC_STATUSES,
    Citation,
    Event,
    EventRelation,
    EventTranslation,
    Participant,
)


class EventTranslationInline(TrackerInline):
    model = EventTranslation
    extra = 0
    fields = ("language", "title", "summary")


class ParticipantInline(TrackerInline):
    model = Participant
    extra = 0
    fields = ("entity", "role", "note")
    autocomplete_fields = ("entity",)

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("entity")


class OutgoingRelationInline(TrackerInline):
    """Links that start at this event. Their citations are on the relation's own page."""

    model = EventRelation
    fk_name = "source"
    extra = 0
    fields = ("kind", "target", "note")
    autocomplete_fields = ("target",)
    show_change_link = True
    verbose_name = "link to another event"
    verbose_name_plural = "links to other events (read: this event <kind> target)"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("source", "target")


def _record_creator(request: HttpRequest, formset: BaseFormSet) -> None:
    """Save an inline formset of relations, stamping the editor on the new ones."""
    for relation in formset.save(commit=False):
        if relation._state.adding:
            relation.created_by = request.user
        relation.save()
    for relation in formset.deleted_objects:
        relation.delete()
    formset.save_m2m()


RECORD_FIELDS = ("created_by", "created_at", "updated_at")


@admin.register(Event)
class EventAdmin(TrackerAdmin):
    list_display = ("title", "slug", "kind", "status", "start", "place", "updated_at")
    list_filter = ("status", "kind")
    search_fields = ("title", "slug", "translations__title", "place")
    date_hierarchy = "start"
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("place_entity",)
    readonly_fields = ("incoming_relations", "timeline", *RECORD_FIELDS)
    fieldsets = (
        (None, {"fields": ("title", "slug", "kind", "status", "summary")}),
        ("When", {"fields": (("start", "start_precision"), ("end", "end_precision"))}),
        ("Where", {"fields": ("place", "place_entity", ("latitude", "longitude"))}),
        ("Links", {"fields": ("incoming_relations", "timeline")}),
        ("Record", {"fields": RECORD_FIELDS, "classes": ("collapse",)}),
    )
    inlines = (EventTranslationInline, ParticipantInline, OutgoingRelationInline)

    @admin.display(description="links from other events")
    def incoming_relations(self, event: Event) -> str:
        if event.pk is None:
            return "—"
        relations = event.relations_in.select_related("source").order_by("kind", "source__title")
        rows = [
            (
                reverse("admin:events_event_change", args=[relation.source_id]),
                relation.source,
                reverse("admin:events_eventrelation_change", args=[relation.pk]),
                relation.get_kind_display(),
            )
            for relation in relations
        ]
        if not rows:
            return "—"
        items = format_html_join(
            "", '<li><a href="{}">{}</a> <a href="{}">{}</a> this event</li>', rows
        )
        return format_html("<ul>{}</ul>", items)

    @admin.display(description="timeline")
    def timeline(self, event: Event) -> str:
        if event.pk is None:
            return "—"
        counts = event.updates.aggregate(
            total=Count("id"), public=Count("id", filter=Q(status__in=PUBLIC_STATUSES))
        )
        url = reverse("admin:events_update_changelist")
        query = urlencode({"event__id__exact": event.pk})
        return format_html(
            '<a href="{}?{}">{} updates</a> ({} published or retracted)',
            url,
            query,
            counts["total"],
            counts["public"],
        )

    def save_model(self, request: HttpRequest, obj: Event, form: ModelForm, change: bool) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request: HttpRequest, form: Any, formset: Any, change: bool) -> None:
        if formset.model is EventRelation:
            _record_creator(request, formset)
        else:
            super().save_formset(request, form, formset, change)


class RelationCitationInline(TrackerInline):
    model = Citation
    fk_name = "relation"
    extra = 0
    fields = (*CITATION_FIELDS, "position")
    autocomplete_fields = ("article", "outlet", "speaker")
    verbose_name_plural = "citations backing this link"

    def get_queryset(self, request: HttpRequest):
        return super().get_queryset(request).select_related("article", "outlet", "speaker")


@admin.register(EventRelation)
class EventRelationAdmin(TrackerAdmin):
    list_display = ("source", "kind", "target", "note", "created_at")
    list_select_related = ("source", "target")
    list_filter = ("kind",)
    search_fields = ("source__title", "target__title", "note")
    autocomplete_fields = ("source", "target")
    readonly_fields = ("created_by", "created_at", "updated_at")
    fields = ("source", "kind", "target", "note", "created_by", "created_at", "updated_at")
    inlines = (RelationCitationInline,)

    def save_model(
        self, request: HttpRequest, obj: EventRelation, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
