"""Articles, the URLs and revisions they had, the entities found in them and their events.

These rows are mostly written by the ingestion pipeline; editors override an article's
language, mark duplicates and decide which event an article belongs to."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from events.admin.base import ReadOnlyAdmin, ReadOnlyInline, TrackerAdmin, reasons
from events.models import (
    Article,
    ArticleEvent,
    ArticlePage,
    ArticleRevision,
    ArticleURL,
    LinkOrigin,
    LinkState,
    Mention,
)
from events.services.suggestions import link_confirm, link_reject


class ArticleURLInline(ReadOnlyInline):
    model = ArticleURL
    fields = ("url", "first_seen_at")
    verbose_name_plural = "URLs this article was seen at"


class ArticleRevisionInline(ReadOnlyInline):
    model = ArticleRevision
    fields = ("version", "title", "content_hash", "fetched_at", "recorded_at")
    show_change_link = True
    verbose_name_plural = "earlier texts (revisions)"


class ArticlePageInline(ReadOnlyInline):
    """The stored raw page, described; its gzip body is for re-extraction, not for reading."""

    model = ArticlePage
    fields = ("url", "content_type", "encoding", "sha256", "fetched_at")
    verbose_name_plural = "stored page"


class MentionInline(ReadOnlyInline):
    model = Mention
    fields = ("entity", "count", "first_start", "first_end")
    verbose_name_plural = "entities mentioned"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Mention]:
        return super().get_queryset(request).select_related("entity")


LANGUAGE_DETECTED = ("language", "detected_language")
PROCESSING = (
    "state",
    "failure_reason",
    "fetched_at",
    "attempts",
    "claimed_at",
    "next_attempt_at",
    "text_version",
    "content_hash",
    "raw_html_sha256",
    "created_at",
    "updated_at",
)


class ArticleForm(forms.ModelForm):
    def clean_duplicate_of(self) -> Article | None:
        original = self.cleaned_data["duplicate_of"]
        if original is not None and original.pk == self.instance.pk:
            raise forms.ValidationError("An article cannot be a duplicate of itself.")
        return original


@admin.register(Article)
class ArticleAdmin(TrackerAdmin):
    form = ArticleForm
    list_display = ("__str__", "outlet", "language", "state", "published_at", "duplicate_of")
    list_select_related = ("outlet", "duplicate_of")
    list_filter = ("state", "language", "outlet")
    search_fields = ("title", "canonical_url", "byline")
    date_hierarchy = "published_at"
    autocomplete_fields = ("outlet", "feed", "duplicate_of")
    fieldsets = (
        (None, {"fields": ("canonical_url", "title", "byline", "outlet", "feed")}),
        ("Language", {"fields": ("language", "language_override", "detected_language")}),
        ("Dates", {"fields": ("published_at", "modified_at")}),
        ("Text", {"fields": ("text", "duplicate_of")}),
        ("Processing (kept by the pipeline)", {"fields": PROCESSING}),
    )
    inlines = (ArticleURLInline, ArticlePageInline, ArticleRevisionInline, MentionInline)
    deleted_along = (ArticleRevision,)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        # The URL is the article's identity and the text has revisions kept by the pipeline.
        fixed = (*LANGUAGE_DETECTED, *PROCESSING)
        return fixed if obj is None else ("canonical_url", "text", *fixed)


@admin.register(ArticleRevision)
class ArticleRevisionAdmin(ReadOnlyAdmin):
    list_display = ("article", "version", "title", "fetched_at", "recorded_at")
    list_select_related = ("article",)
    search_fields = ("title", "article__title", "article__canonical_url")
    fields = ("article", "version", "title", "text", "content_hash", "fetched_at", "recorded_at")


def _decide(link: ArticleEvent, request: HttpRequest) -> None:
    """Stamp who decided a link and when; a link back in "suggested" is undecided."""
    decided = link.state != LinkState.SUGGESTED
    link.decided_by = request.user if decided else None  # type: ignore[assignment]
    link.decided_at = timezone.now() if decided else None


@admin.register(ArticleEvent)
class ArticleEventAdmin(TrackerAdmin):
    list_display = ("article", "event", "score", "origin", "state", "decided_by", "decided_at")
    list_select_related = ("article", "event", "decided_by")
    list_filter = ("state", "origin")
    search_fields = ("article__title", "event__title")
    autocomplete_fields = ("article", "event")
    readonly_fields = ("score", "origin", "decided_by", "decided_at", "created_at", "updated_at")
    fields = ("article", "event", "state", *readonly_fields)
    actions = ("confirm_links", "reject_links")

    def save_model(
        self, request: HttpRequest, obj: ArticleEvent, form: ModelForm, change: bool
    ) -> None:
        if not change:
            obj.origin = LinkOrigin.EDITOR
        if not change or "state" in form.changed_data:
            _decide(obj, request)
        super().save_model(request, obj, form, change)

    def _decide_each(
        self,
        request: HttpRequest,
        queryset: QuerySet[ArticleEvent],
        service: Callable[..., ArticleEvent],
        done: str,
    ) -> None:
        """One decision service per selected link, as the editors' pages do: the actor is
        recorded in the change log, and the workers' curated caches hear of it on commit.
        Each refusal is reported by name; the other links are decided."""
        decided = 0
        for link in queryset.select_related("article", "event"):
            try:
                service(link=link, by=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    f"“{link.article}” → “{link.event}” was not {done}: {reasons(error)}",
                    messages.ERROR,
                )
            else:
                decided += 1
        if decided:
            self.message_user(request, f"{decided} link(s) {done}.", messages.SUCCESS)

    @admin.action(description="Confirm selected links", permissions=["change"])
    def confirm_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide_each(request, queryset, link_confirm, "confirmed")

    @admin.action(description="Reject selected links", permissions=["change"])
    def reject_links(self, request: HttpRequest, queryset: QuerySet) -> None:
        self._decide_each(request, queryset, link_reject, "rejected")


@admin.register(Mention)
class MentionAdmin(TrackerAdmin):
    list_display = ("entity", "article", "count", "first_start", "first_end")
    list_select_related = ("entity", "article")
    list_filter = ("entity__kind",)
    search_fields = ("entity__name", "article__title")
    autocomplete_fields = ("article", "entity")
    fields = ("article", "entity", "count", "first_start", "first_end")
