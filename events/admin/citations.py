"""Citations: those of event relations are edited here; those of updates are added through
``citation_add`` and are otherwise part of the update's history."""

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils.text import Truncator

from events.admin.base import TrackerAdmin
from events.admin.timeline import CITATION_FIELDS, citation_data
from events.models import Citation
from events.services.timeline import citation_add


@admin.register(Citation)
class CitationAdmin(TrackerAdmin):
    """Citations of relations are edited here freely; citations of updates are added through
    ``citation_add`` and are otherwise part of the update's history (read-only)."""

    list_display = ("backs", "article", "outlet", "speaker", "short_quote", "created_at")
    list_select_related = (
        "update",
        "relation__source",
        "relation__target",
        "article",
        "outlet",
        "speaker",
    )
    list_filter = ("quote_language", "update__status")
    search_fields = ("quote", "translation", "update__headline", "article__title", "speaker__name")
    autocomplete_fields = ("update", "relation", "article", "outlet", "speaker")
    fields = ("update", "relation", *CITATION_FIELDS, "article_version", "position", "created_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Citation | None = None) -> Any:
        fixed = ("article_version", "created_at")
        return fixed if obj is None else ("update", "relation", *fixed)

    def has_change_permission(self, request: HttpRequest, obj: Citation | None = None) -> bool:
        of_update = obj is not None and obj.update_id is not None
        return not of_update and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Citation | None = None) -> bool:
        of_update = obj is not None and obj.update_id is not None
        return not of_update and super().has_delete_permission(request, obj)

    def save_model(
        self, request: HttpRequest, obj: Citation, form: ModelForm, change: bool
    ) -> None:
        if obj.update_id is None:
            super().save_model(request, obj, form, change)
            return
        created = citation_add(
            update=obj.update,
            data=citation_data(form.cleaned_data),
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = created.pk
        obj.refresh_from_db()
        obj._state.adding = False

    @admin.display(description="backs")
    def backs(self, citation: Citation) -> str:
        return str(citation.update or citation.relation)

    @admin.display(description="quote")
    def short_quote(self, citation: Citation) -> str:
        return Truncator(citation.quote).chars(60)
