"""API tokens: listed and revoked here, created with `manage.py create_token` (key shown once)."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from events.admin.base import ReadOnlyAdmin
from events.models import ApiToken
from events.services.tokens import token_revoke


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = (
        "prefix",
        "user",
        "role",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    )
    list_filter = ("role",)
    search_fields = ("prefix", "user__username")
    fields = ("prefix", "user", "role", "created_at", "last_used_at", "expires_at", "revoked_at")
    readonly_fields = fields
    list_select_related = ("user",)
    actions = ["revoke"]

    @admin.action(description="Revoke the selected tokens", permissions=["view"])
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        for token in queryset:
            token_revoke(token=token)
        self.message_user(request, f"Revoked {len(queryset)} token(s).", messages.SUCCESS)
