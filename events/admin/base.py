"""What the admin pages share: refused saves shown as form errors, and read-only views."""

from typing import Any, ClassVar

from django.contrib import admin, messages
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import DatabaseError, DataError, IntegrityError, models, router, transaction
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

# Set on the request for the second pass of a refused save (see RefusalsAsFormErrors).
REFUSAL_ATTR = "_events_admin_refusal"


def refusal_from_database(error: DatabaseError) -> ValidationError:
    """An editor-readable refusal for a constraint the form could not check beforehand."""
    constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
    if constraint:
        return ValidationError(f"The database refused this change: it breaks “{constraint}”.")
    first_line = (str(error).strip().splitlines() or ["unknown reason"])[0]
    return ValidationError(f"The database refused this change: {first_line}")


def reasons(error: Exception) -> str:
    """The messages of a service's ValidationError (or a database error) on one line."""
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)
    return "; ".join(refusal_from_database(error).messages)  # type: ignore[arg-type]


def add_refusal(form: BaseForm, error: ValidationError) -> None:
    """Attach ``error`` to the form field it names (after ``refusal_aliases``), else on top."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    aliases: dict[str, str] = getattr(form, "refusal_aliases", {})
    for field, errors in error.error_dict.items():
        texts = [text for item in errors for text in item.messages]
        target = aliases.get(field, field)
        if target in form.fields:
            form.add_error(target, texts)
        elif field == NON_FIELD_ERRORS:
            form.add_error(None, texts)
        else:
            label = field.replace("_", " ")
            form.add_error(None, [f"{label}: {text}" for text in texts])


class RefusalForm:
    """Mixed into an admin form on the second pass of a refused save: shows the refusal."""

    refusal: ClassVar[ValidationError]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        add_refusal(self, self.refusal)  # type: ignore[arg-type]
        return cleaned


class RefusalsAsFormErrors:
    """A save that a service (ValidationError) or the database (IntegrityError) refuses is
    rolled back and the form shown again with the refusal on it, instead of a 500.

    The first pass runs the admin's usual save inside a savepoint. If it raises, the request is
    replayed with the refusal attached to the form class, which makes the form invalid, so the
    second pass re-renders the page with the editor's input and nothing saved. The rules stay
    in the services; the admin never re-implements them."""

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        view = super().changeform_view  # type: ignore[misc]
        if request.method != "POST":
            return view(request, object_id, form_url, extra_context)
        try:
            with transaction.atomic(using=router.db_for_write(self.model)):  # type: ignore[attr-defined]
                return view(request, object_id, form_url, extra_context)
        except ValidationError as error:
            refusal = error
        except (IntegrityError, DataError) as error:
            refusal = refusal_from_database(error)
        # The first pass may have queued "saved successfully"; it was not.
        for _message in messages.get_messages(request):
            pass
        setattr(request, REFUSAL_ATTR, refusal)
        return view(request, object_id, form_url, extra_context)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        refusal = getattr(request, REFUSAL_ATTR, None)
        if refusal is None:
            return form
        return type(form.__name__, (RefusalForm, form), {"refusal": refusal})


class TolerantAutocompleteSelect(AutocompleteSelect):
    """Re-renders a form that holds a value which is no key (a tampered POST) instead of
    failing on it; the form field has already reported the value as invalid."""

    def optgroups(self, name: str, value: list[str], attr: Any = None) -> Any:
        target = self.field.target_field
        keys = []
        for item in value:
            try:
                target.to_python(item)
            except ValidationError:
                continue
            keys.append(item)
        return super().optgroups(name, keys, attr)


class TolerantAutocomplete:
    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        autocompleted = db_field.name in self.get_autocomplete_fields(request)  # type: ignore[attr-defined]
        if autocompleted and "widget" not in kwargs:
            kwargs["widget"] = TolerantAutocompleteSelect(
                db_field,
                self.admin_site,  # type: ignore[attr-defined]
                using=kwargs.get("using"),
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]


class TrackerInline(TolerantAutocomplete, admin.TabularInline):
    """The base of every inline here."""


class TrackerAdmin(RefusalsAsFormErrors, TolerantAutocomplete, admin.ModelAdmin):
    """The base of every ModelAdmin here."""

    list_per_page = 50
    show_full_result_count = False
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    # Rows that go with a deleted object although their own admin refuses to delete them one
    # at a time (a draft's history and citations, an article's revisions).
    deleted_along: tuple[type[models.Model], ...] = ()

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except OverflowError:
            # A hand-edited date filter (?published_at__year=99999…): Django answers other
            # unusable filters with its "?e=1" page, so this one gets it too.
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> Any:
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        along = {str(model._meta.verbose_name) for model in self.deleted_along}
        perms_needed = {name for name in perms_needed if str(name) not in along}
        return deleted, counts, perms_needed, protected


class ReadOnlyPermissions:
    """Viewable by whoever may view the model; never added, changed or deleted here."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyPermissions, TrackerAdmin):
    """A record other code writes (history, revisions): for reading only."""


class ReadOnlyInline(ReadOnlyPermissions, TrackerInline):
    """Rows shown for reference on their parent's page."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return tuple(self.fields or ())


# What an editor fills in for a citation, in the order the forms show it.
CITATION_FIELDS = (
    "article",
    "outlet",
    "speaker",
    "quote",
    "quote_language",
    "translation",
    "translation_language",
    "span_start",
    "span_end",
    "retrieved_at",
)
