"""Outlets and the feeds they publish. A feed's polling state belongs to the poller."""

from django import forms
from django.contrib import admin
from django.utils.text import Truncator

from events.admin.base import TrackerAdmin, TrackerInline
from events.models import Feed, Outlet, OutletDomain


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
    readonly_fields = (*POLLING_STATE, "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("url", "title", "outlet", "language", "is_active", "poll_interval")}),
        ("Polling state (kept by the poller)", {"fields": POLLING_STATE}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )

    @admin.display(description="last error", ordering="last_error")
    def short_last_error(self, feed: Feed) -> str:
        return Truncator(feed.last_error).chars(80)
