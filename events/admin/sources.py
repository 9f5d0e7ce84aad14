"""Outlets and the feeds they publish. A feed's polling state belongs to the poller."""

from django import forms
from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator

from events.admin.base import TrackerAdmin, TrackerInline
from events.models import Article, ArticleState, Feed, Outlet, OutletDomain
from events.services.feeds import feeds_poll_soon


class OutletDomainForm(forms.ModelForm):
    def clean_domain(self) -> str:
        return self.cleaned_data["domain"].strip().lower()


class OutletDomainInline(TrackerInline):
    model = OutletDomain
    form = OutletDomainForm
    extra = 1
    fields = ("domain",)


class OutletForm(forms.ModelForm):
    def clean_country(self) -> str:
        return self.cleaned_data["country"].strip().upper()


@admin.register(Outlet)
class OutletAdmin(TrackerAdmin):
    form = OutletForm
    list_display = ("name", "kind", "country", "language_list", "homepage")
    list_filter = ("kind", "country")
    search_fields = ("name", "slug", "domains__domain")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("entity",)
    readonly_fields = ("created_at", "updated_at")
    fields = (
        "name",
        "slug",
        "kind",
        "country",
        "languages",
        "homepage",
        "entity",
        "created_at",
        "updated_at",
    )
    inlines = (OutletDomainInline,)

    @admin.display(description="languages")
    def language_list(self, outlet: Outlet) -> str:
        return ", ".join(outlet.languages)


POLLING_STATE = (
    "health",
    "last_status",
    "next_poll_at",
    "last_polled_at",
    "last_success_at",
    "consecutive_failures",
    "last_error",
    "last_error_at",
    "last_new_items",
    "items_seen",
    "etag",
    "last_modified",
)


@admin.register(Feed)
class FeedAdmin(TrackerAdmin):
    list_display = (
        "__str__",
        "outlet",
        "health",
        "is_active",
        "last_polled_at",
        "next_poll_at",
        "consecutive_failures",
        "short_last_error",
    )
    list_select_related = ("outlet",)
    list_filter = ("health", "is_active", "language")
    search_fields = ("url", "title", "outlet__name")
    autocomplete_fields = ("outlet",)
    readonly_fields = (*POLLING_STATE, "recent_failures", "created_at", "updated_at")
    actions = ("poll_now",)
    fieldsets = (
        (None, {"fields": ("url", "title", "outlet", "language", "is_active", "poll_interval")}),
        ("Polling state (kept by the poller)", {"fields": POLLING_STATE}),
        ("Articles that could not be ingested", {"fields": ("recent_failures",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="last error", ordering="last_error")
    def short_last_error(self, feed: Feed) -> str:
        return Truncator(feed.last_error).chars(80)

    @admin.display(description="recent failures")
    def recent_failures(self, feed: Feed) -> str:
        """The latest pages of this feed that could not be fetched or extracted, with why."""
        failed = Article.objects.filter(feed=feed, state=ArticleState.FAILED).order_by(
            "-updated_at"
        )
        rows = failed.values_list("canonical_url", "failure_reason")[:20]
        if not rows:
            return "none"
        changelist = reverse("admin:events_article_changelist")
        return format_html(
            '<ul>{}</ul><a href="{}?feed__id__exact={}&amp;state__exact=failed">all failures</a>',
            format_html_join("", "<li>{}: {}</li>", rows),
            changelist,
            feed.pk,
        )

    @admin.action(description="Poll now (on the next beat tick)")
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Feed]) -> None:
        count = feeds_poll_soon(feed_ids=list(queryset.values_list("id", flat=True)))
        self.message_user(request, f"{count} feed(s) will be polled within a minute.")
