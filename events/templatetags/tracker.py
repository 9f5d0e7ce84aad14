"""Template helpers: labels in the reader's language, dates with the precision they have,
and language names."""

from collections.abc import Callable
from datetime import datetime
from functools import cache
from typing import Any

from django import template
from django.db.models import Field, Model
from django.utils import formats, timezone
from django.utils.dateformat import re_escaped, re_formatchars
from django.utils.dates import MONTHS, MONTHS_3
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


# The format characters of the formats above, as django.utils.dateformat.DateFormat renders
# them (month names from its own lazy translations). DateFormat also works out, for every
# value, whether it is ambiguous in its time zone (for characters these formats never use):
# 50 us a date to the minute, a few hundred dates a page.
_PARTS: dict[str, Callable[[datetime], str]] = {
    "j": lambda d: str(d.day),
    "M": lambda d: MONTHS_3[d.month].title(),
    "F": lambda d: str(MONTHS[d.month]),
    "Y": lambda d: f"{d.year:04d}",
    "H": lambda d: f"{d.hour:02d}",
    "i": lambda d: f"{d.minute:02d}",
}


@cache
def _compiled(format_string: str) -> tuple[str | Callable[[datetime], str], ...] | None:
    """``format_string`` split as DateFormat splits it: literals and the parts above; None
    when it uses any other character."""
    compiled: list[str | Callable[[datetime], str]] = []
    for i, piece in enumerate(re_formatchars.split(format_string)):
        if i % 2:
            if piece not in _PARTS:
                return None
            compiled.append(_PARTS[piece])
        elif piece:
            compiled.append(re_escaped.sub(r"\1", piece))
    return tuple(compiled)


def _format(value: datetime, format_string: str) -> str:
    """``formats.date_format(value, format_string)`` for a literal format string."""
    compiled = _compiled(format_string)
    if compiled is None:
        return formats.date_format(value, format_string)
    return "".join(part if isinstance(part, str) else part(value) for part in compiled)


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
    return _format(_local(value, precision), DATE_FORMATS.get(precision, "j M Y"))


@register.filter(expects_localtime=True)
def iso(value: datetime | None) -> str:
    """``value|date:'c'`` (ISO 8601, in the active time zone) without building a DateFormat
    (15 us a value)."""
    return value.isoformat() if value else ""


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
    return _format(_local(value, precision), HEADING_FORMATS.get(precision, "j M Y"))


@register.simple_tag
def time_of_day(value: datetime | None, precision: str) -> str:
    """10:00 for a line known to the minute, else nothing."""
    if value is None or precision != Precision.MINUTE:
        return ""
    return _format(timezone.localtime(value), "H:i")


@register.filter
def language_name(code: str) -> str:
    """Bulgarian / български for ``bg`` in the UI language; the code when Django does not
    know it."""
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code
