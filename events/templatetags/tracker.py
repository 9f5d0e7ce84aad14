"""Template helpers: labels in the reader's language, dates with the precision they have,
and language names."""

from datetime import datetime
from functools import cache
from typing import Any

from django import template
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.translation import get_language_info

from events.models import Event, Precision

register = template.Library()

DATE_FORMATS: dict[str, str] = {
    Precision.YEAR: "Y",
    Precision.MONTH: "F Y",
    Precision.DAY: "j M Y",
    Precision.MINUTE: "j M Y H:i",
}
# Day headings of a timeline: a line known to the minute sits under its (local) day.
HEADING_FORMATS: dict[str, str] = {**DATE_FORMATS, Precision.MINUTE: "j M Y"}


def _local(value: datetime, precision: str) -> datetime:
    # Only a time known to the minute moves with the reader's zone; "12 Jan 2022" stored as
    # midnight UTC stays 12 Jan everywhere.
    return timezone.localtime(value) if precision == Precision.MINUTE else value


@cache
def _choice_labels(field: Field) -> dict[Any, Any]:
    # Lazy labels: translated when shown, in the language active then.
    return dict(field.flatchoices)


@register.filter
def display(instance: Model, name: str) -> Any:
    """``instance.get_<name>_display()``, which rebuilds the field's choices on every call
    (~50 µs, translating every label): a home page asks for 40 of them."""
    field = instance._meta.get_field(name)
    assert isinstance(field, Field)  # noqa: S101 - a template names a concrete field
    value = getattr(instance, field.attname)
    return _choice_labels(field).get(value, value)


@register.filter
def label(event: Event, language: str) -> str:
    return event.label(language)


@register.filter
def summary(event: Event, language: str) -> str:
    """The summary in ``language`` when curated (translations prefetched), else English."""
    return event.summary_in(language)


@register.simple_tag
def precise_date(value: datetime | None, precision: str) -> str:
    """12 Jan 2022, January 2022 or 12 Jan 2022 10:00, as much as is known."""
    if value is None:
        return ""
    return formats.date_format(_local(value, precision), DATE_FORMATS.get(precision, "j M Y"))


@register.simple_tag
def date_range(
    start: datetime | None, start_precision: str, end: datetime | None, end_precision: str
) -> str:
    """ "6 Jan 2022 – 19 Jan 2022", or one date when both ends read the same."""
    first = precise_date(start, start_precision)
    last = precise_date(end, end_precision)
    return f"{first} – {last}" if last and last != first else first


def day_heading(value: datetime, precision: str) -> str:
    """The heading a timeline line is grouped under: its day, or its month or year when
    that is all that is known."""
    return formats.date_format(_local(value, precision), HEADING_FORMATS.get(precision, "j M Y"))


@register.simple_tag
def time_of_day(value: datetime | None, precision: str) -> str:
    """10:00 for a line known to the minute, else nothing."""
    if value is None or precision != Precision.MINUTE:
        return ""
    return formats.time_format(timezone.localtime(value), "H:i")


@register.filter
def language_name(code: str) -> str:
    """Bulgarian / български for ``bg`` in the UI language; the code when Django does not
    know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
