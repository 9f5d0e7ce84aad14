"""People, organisations and places, with the names they go by in each language."""

from django import forms
from django.contrib import admin
from django.forms.models import BaseInlineFormSet

from events.admin.base import TrackerAdmin, TrackerInline
from events.models import Entity, EntityAlias


class EntityAliasFormSet(BaseInlineFormSet):
    def clean(self) -> None:
        """The database keeps one alias per name (any case) and language; two rows of one
        submission are checked here, since each form only sees the rows already saved."""
        super().clean()
        seen: set[tuple[str, str]] = set()
        for form in self.forms:
            data = getattr(form, "cleaned_data", None)
            if not data or self._should_delete_form(form) or "name" not in data:
                continue
            key = (data["name"].lower(), data.get("language", ""))
            if key in seen:
                form.add_error("name", "This alias is already listed for this language.")
            seen.add(key)


class EntityAliasInline(TrackerInline):
    model = EntityAlias
    formset = EntityAliasFormSet
    extra = 1
    fields = ("name", "language", "is_acronym")


class EntityForm(forms.ModelForm):
    def clean_wikidata_id(self) -> str:
        return self.cleaned_data["wikidata_id"].strip().upper()


@admin.register(Entity)
class EntityAdmin(TrackerAdmin):
    form = EntityForm
    list_display = ("name", "kind", "wikidata_id", "description", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "slug", "aliases__name", "wikidata_id")
    prepopulated_fields = {"slug": ("name",)}
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "slug", "kind", "description", "wikidata_id")}),
        ("Coordinates", {"fields": (("latitude", "longitude"),), "classes": ("collapse",)}),
        ("Record", {"fields": ("created_at", "updated_at"), "classes": ("collapse",)}),
    )
    inlines = (EntityAliasInline,)
