"""The search page: events, timeline lines, articles and entities for a query, with filters.

Reads go through events.selectors.search (the API's search uses the same functions).
Highlighted titles and snippets arrive as safe HTML built by the selector (escaped text with
<mark> around matches); everything else reaches the page through auto-escaping."""

from collections.abc import Iterator
from typing import Any

from django import forms
from django.conf import settings
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _

from events.models import EntityKind, EventKind, EventStatus, Outlet, UpdateStatus
from events.selectors.search import (
    MAX_QUERY_LENGTH,
    SearchFilters,
    SearchResults,
    search_all,
)
from events.web.access import viewer_is_editor
from events.web.requests import page_language

RESULTS_PER_GROUP = 20


class DateInput(forms.DateInput):
    input_type = "date"


class QuickSelect(forms.Select):
    """A <select> whose options are joined here: Django renders each option through a
    template of its own, and the outlet filter has one per outlet (80 cost ~6 ms a page)."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: Any = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (option["value"], _SELECTED if option["selected"] else "", option["label"])
                for _group, group_options, _index in widget["optgroups"]
                for option in group_options
            ),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', widget["name"], flatatt(widget["attrs"]), options
        )


_SELECTED = mark_safe(" selected")  # noqa: S308 - a constant


class _SlugsAndNames(ModelChoiceIterator):
    """The outlets' (slug, name) rows as the select's options, not model instances (80
    outlets built as models and labelled one by one cost ~1 ms a page). A choice is still
    validated by the field's queryset."""

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        yield from self.queryset.values_list("slug", "name")


class OutletChoiceField(forms.ModelChoiceField):
    iterator = _SlugsAndNames


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("Search for"),
        max_length=MAX_QUERY_LENGTH,
        required=False,
        widget=forms.TextInput(attrs={"type": "search"}),
        help_text=_('"a phrase", this OR that, -word to leave it out.'),
    )
    date_from = forms.DateField(label=_("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To"), required=False, widget=DateInput)
    language = forms.ChoiceField(label=_("Language"), required=False, widget=QuickSelect)
    outlet = OutletChoiceField(
        label=_("Outlet"),
        queryset=Outlet.objects.order_by("name").only("slug", "name"),
        to_field_name="slug",
        required=False,
        empty_label=_("Any outlet"),
        widget=QuickSelect,
    )
    entity = forms.SlugField(
        label=_("Person or organisation"),
        required=False,
        help_text=_("Its short name as in its address, e.g. kassym-jomart-tokayev."),
    )
    event = forms.SlugField(
        label=_("Event"),
        required=False,
        help_text=_("Its short name as in its address, e.g. kazakhstan-unrest-2022."),
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["language"].choices = [  # type: ignore[attr-defined]
            ("", _("Any language")),
            *settings.CONTENT_LANGUAGES,
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def filters(self) -> SearchFilters:
        data = self.cleaned_data
        outlet = data.get("outlet")
        return SearchFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            language=data.get("language") or "",
            outlet=outlet.slug if outlet else "",
            entity=data.get("entity") or "",
            event=data.get("event") or "",
        )


# Choice labels (lazy, translated when shown) by value. A model's get_<field>_display
# rebuilds its choices, translating every label, on each call: ~50 µs a row.
_EVENT_KINDS = dict(EventKind.choices)
_EVENT_STATUSES = dict(EventStatus.choices)
_UPDATE_STATUSES = dict(UpdateStatus.choices)
_ENTITY_KINDS = dict(EntityKind.choices)


def _prepare_results(results: SearchResults) -> None:
    """Choice labels and the results' addresses, once per page: ``{% url %}`` per result
    (up to ~85 a page) cost ~1.5 ms. Slugs are URL-safe: substituted as reverse() leaves
    them."""
    event_url = reverse("web:event", args=["-"])
    article_url = reverse("web:article", args=[424242])
    entity_url = reverse("web:entity", args=[424242])
    for event in results.events:
        event.kind_label = _EVENT_KINDS.get(event.kind, event.kind)  # type: ignore[attr-defined]
        event.status_label = _EVENT_STATUSES.get(event.status, event.status)  # type: ignore[attr-defined]
        event.url = event_url.replace("/-/", f"/{event.slug}/", 1)  # type: ignore[attr-defined]
    for update in results.updates:
        update.status_label = _UPDATE_STATUSES.get(update.status, update.status)  # type: ignore[attr-defined]
        update.event_url = event_url.replace("/-/", f"/{update.event_slug}/", 1)  # type: ignore[attr-defined]
    for article in results.articles:
        article.url = article_url.replace("424242", str(article.pk), 1)  # type: ignore[attr-defined]
    for entity in results.entities:
        entity.kind_label = _ENTITY_KINDS.get(entity.kind, entity.kind)  # type: ignore[attr-defined]
        entity.url = entity_url.replace("424242", str(entity.pk), 1)  # type: ignore[attr-defined]


def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    q = " ".join(request.GET.get("q", "").split())[:MAX_QUERY_LENGTH]
    language = page_language()
    results = None
    status = 200
    if not form.is_valid():
        status = 400
    elif form.cleaned_data["q"]:
        results = search_all(
            form.cleaned_data["q"],
            editor=viewer_is_editor(request),
            # Anonymous visitors get article metadata; signed-in readers also the text.
            show_text=request.user.is_authenticated,
            filters=form.filters(),
            language=language,
            limit=RESULTS_PER_GROUP,
        )
        _prepare_results(results)
    filtered = any(request.GET.get(name) for name in form.fields if name != "q")
    context = {
        "form": form,
        "results": results,
        "search_query": q,
        "language": language,
        "filtered": filtered,
    }
    return render(request, "search/results.html", context, status=status)
