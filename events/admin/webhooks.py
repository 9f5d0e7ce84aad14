"""Webhooks and their deliveries, read-only (clients manage their own through the API): an
operator sees who is failing and why, and can pause or switch a webhook back on. Secrets are
never shown."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest

from events.admin.base import ReadOnlyAdmin, reasons
from events.models import Webhook, WebhookDelivery
from events.services.webhooks import webhook_edit


@admin.register(Webhook)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ("url", "owner", "is_active", "consecutive_failures", "paused_at", "created_at")
    list_filter = ("is_active",)
    search_fields = ("url", "owner__username")
    fields = (
        "owner",
        "url",
        "kinds",
        "is_active",
        "paused_at",
        "pause_reason",
        "consecutive_failures",
        "last_txid",
        "last_change_id",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields
    list_select_related = ("owner",)
    actions = ["switch_on", "pause"]

    @admin.action(description="Switch on (clears the failure count)", permissions=["view"])
    def switch_on(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        self._switch(request, queryset, is_active=True, done="switched on")

    @admin.action(description="Pause", permissions=["view"])
    def pause(self, request: HttpRequest, queryset: QuerySet[Webhook]) -> None:
        self._switch(request, queryset, is_active=False, done="paused")

    def _switch(
        self, request: HttpRequest, queryset: QuerySet[Webhook], *, is_active: bool, done: str
    ) -> None:
        """One webhook_edit per selected webhook; a refusal (its URL now resolves to a private
        address) is reported by name, the others are switched."""
        changed = 0
        for webhook in queryset:
            try:
                webhook_edit(webhook=webhook, is_active=is_active)
            except ValidationError as error:
                self.message_user(
                    request, f"“{webhook}” was not {done}: {reasons(error)}", messages.ERROR
                )
            else:
                changed += 1
        if changed:
            self.message_user(request, f"{changed} webhook(s) {done}.", messages.SUCCESS)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "webhook",
        "kind",
        "state",
        "attempts",
        "last_status_code",
        "next_attempt_at",
        "created_at",
    )
    list_filter = ("state", "kind")
    search_fields = ("webhook__url",)
    fields = (
        "webhook",
        "change",
        "kind",
        "state",
        "attempts",
        "next_attempt_at",
        "last_status_code",
        "last_error",
        "created_at",
        "delivered_at",
        "payload",
    )
    readonly_fields = fields
    list_select_related = ("webhook",)
    show_full_result_count = False
