"""Forms of the editors' pages. They check what a person can get wrong; the services check
the rules (and the database checks them again)."""

from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from events.models import (
    Article,
    Entity,
    Event,
    EventKind,
    EventStatus,
    LinkState,
    Outlet,
    Precision,
)

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self) -> None:
        super().__init__(format="%Y-%m-%dT%H:%M")


def _datetime_field(**kwargs: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        widget=DateTimeInput(), input_formats=DATETIME_INPUT_FORMATS, **kwargs
    )


def _language_choices(blank: bool = False) -> list[tuple[str, str]]:
    choices = [(code, str(name)) for code, name in settings.CONTENT_LANGUAGES]
    return [("", "—"), *choices] if blank else choices


class EditorForm(forms.Form):
    """Labels without Django's trailing colon: they sit above their fields."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)


class AttachForm(EditorForm):
    event = forms.CharField(
        label=_("Event"),
        max_length=200,
        help_text=_("Start typing the event's title or slug."),
    )

    def clean_event(self) -> Event:
        slug = self.cleaned_data["event"].strip()
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            raise ValidationError(
                _("There is no event with the slug “%(slug)s”."), params={"slug": slug}
            )
        return event


class EventStartForm(EditorForm):
    """A new event started from an article; the article is attached to it."""

    title = forms.CharField(label=_("Title"), max_length=300)
    slug = forms.SlugField(
        label=_("Slug"),
        max_length=200,
        required=False,
        help_text=_("Made from the title when empty."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=EventKind.choices, initial=EventKind.OTHER)
    status = forms.ChoiceField(
        label=_("Status"), choices=EventStatus.choices, initial=EventStatus.DEVELOPING
    )
    start = _datetime_field(label=_("Start"), required=False)
    start_precision = forms.ChoiceField(
        label=_("Start precision"), choices=Precision.choices, initial=Precision.DAY
    )
    place = forms.CharField(label=_("Place"), max_length=200, required=False)
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class UpdateFromArticleForm(EditorForm):
    """A sourced update drafted from one article: the article is its citation, with the quote
    the editor selected (its character span) or pasted (its span is found)."""

    ACTIONS = {"draft", "review", "publish"}

    # A merged event lives on as the one it was merged into: only those are offered.
    event = forms.ModelChoiceField(
        label=_("Event"), queryset=Event.objects.filter(merged_into__isnull=True).order_by("title")
    )
    occurred_at = _datetime_field(label=_("Occurred at"))
    precision = forms.ChoiceField(
        label=_("Precision"), choices=Precision.choices, initial=Precision.DAY
    )
    headline = forms.CharField(label=_("Headline"), max_length=300)
    body = forms.CharField(
        label=_("Body"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    language = forms.ChoiceField(label=_("Language of the update"), choices=_language_choices)
    cite_article = forms.BooleanField(label=_("Cite this article"), required=False, initial=True)
    quote = forms.CharField(
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("Select it in the article text, or paste it exactly as the article has it."),
    )
    span_start = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    span_end = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    translation = forms.CharField(
        label=_("Translation of the quote"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
    )
    translation_language = forms.ChoiceField(
        label=_("Translation language"),
        choices=lambda: _language_choices(blank=True),
        required=False,
    )
    speaker = forms.ModelChoiceField(
        label=_("Who said it"), queryset=Entity.objects.order_by("name"), required=False
    )
    outlet = forms.ModelChoiceField(
        label=_("Relayed by (outlet)"), queryset=Outlet.objects.order_by("name"), required=False
    )

    def __init__(self, *args: Any, article: Article, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.article = article

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        quote = (data.get("quote") or "").strip()
        data["quote"] = quote
        if quote and not data.get("cite_article"):
            self.add_error("quote", _("A quote comes from the article: tick “Cite this article”."))
        elif quote:
            data["span_start"], data["span_end"] = self._span(
                quote, data.get("span_start"), data.get("span_end")
            )
        else:
            data["span_start"] = data["span_end"] = None
        if data.get("translation") and not quote:
            self.add_error("translation", _("A translation needs the quote it translates."))
        return data

    def _span(self, quote: str, start: object, end: object) -> tuple[int | None, int | None]:
        text = self.article.text
        if isinstance(start, int) and isinstance(end, int) and text[start:end] == quote:
            return start, end
        found = text.find(quote)
        if found < 0:
            self.add_error(
                "quote", _("The quote is not in the article text; copy it exactly as it stands.")
            )
            return None, None
        return found, found + len(quote)


class UpdateEditForm(EditorForm):
    headline = forms.CharField(label=_("Headline"), max_length=300)
    body = forms.CharField(
        label=_("Body"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    occurred_at = _datetime_field(label=_("Occurred at"))
    precision = forms.ChoiceField(label=_("Precision"), choices=Precision.choices)
    correction_note = forms.CharField(
        label=_("Correction note"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Required when correcting a published update; readers see it."),
    )


class RetractForm(EditorForm):
    reason = forms.CharField(
        label=_("Reason for the retraction"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Readers see it next to the struck-through line."),
    )


class CitationForm(EditorForm):
    """Another source for an update: an article linked to its event, or an outlet, or both."""

    article = forms.ModelChoiceField(
        label=_("Article"), queryset=Article.objects.none(), required=False
    )
    outlet = forms.ModelChoiceField(
        label=_("Relayed by (outlet)"), queryset=Outlet.objects.order_by("name"), required=False
    )
    speaker = forms.ModelChoiceField(
        label=_("Who said it"), queryset=Entity.objects.order_by("name"), required=False
    )
    quote = forms.CharField(
        label=_("Quote"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        help_text=_("Exactly as the article has it; its place in the text is found."),
    )

    def __init__(self, *args: Any, event: Event, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["article"].queryset = (  # type: ignore[attr-defined]
            Article.objects.filter(event_links__event=event, event_links__state=LinkState.CONFIRMED)
            .only("id", "title", "canonical_url", "language")
            .order_by("-published_at", "-id")
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        article, quote = data.get("article"), (data.get("quote") or "").strip()
        data["quote"] = quote
        if not article and not data.get("outlet"):
            raise ValidationError(_("Choose the article or the outlet this comes from."))
        if article and quote:
            text = Article.objects.values_list("text", flat=True).get(pk=article.pk)
            if quote not in text:
                self.add_error(
                    "quote",
                    _("The quote is not in the article text; copy it exactly as it stands."),
                )
        return data
