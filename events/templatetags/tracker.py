"""Template helpers: labels in the reader's language, dates with the precision they have."""

from datetime import datetime

from django import template
from django.utils import formats, timezone

from events.models import Event, Precision

register = template.Library()

DATE_FORMATS = {
    Precision.YEAR: "Y",
    Precision.MONTH: "F Y",
    Precision.DAY: "j M Y",
    Precision.MINUTE: "j M Y H:i",
}


@register.filter
def label(event: Event, language: str) -> str:
    return event.label(language)


@register.simple_tag
def precise_date(value: datetime | None, precision: str) -> str:
    """12 Jan 2022, January 2022 or 12 Jan 2022 10:00, as much as is known."""
    if value is None:
        return ""
    if precision == Precision.MINUTE:
        value = timezone.localtime(value)
    return formats.date_format(value, DATE_FORMATS.get(precision, "j M Y"))
