"""The change log, read-only: what changed, who did it and when (written by database triggers)."""

from django.contrib import admin

from events.admin.base import ReadOnlyAdmin
from events.models import Change


@admin.register(Change)
class ChangeAdmin(ReadOnlyAdmin):
    list_display = ("at", "kind", "object_key", "action", "public", "actor")
    list_filter = ("kind", "action", "public")
    search_fields = ("object_key",)
    fields = ("at", "kind", "object_id", "object_key", "action", "public", "actor", "txid", "data")
    readonly_fields = fields
    list_select_related = ("actor",)
    date_hierarchy = "at"
    show_full_result_count = False
