"""The public timeline as TimelineJS 3 JSON (https://timeline.knightlab.com/docs/json-format.html).

A title slide for the event, then one slide per update. Dates carry only the parts the
precision knows (a line of "January 2022" has no day). TimelineJS renders headline, text,
caption and credit as HTML, so every value is escaped here. The first quoted citation
becomes the slide's media as a <blockquote> (a media type TimelineJS renders itself, with
no third-party embed service); every citation is listed in the text with its link.
"""

import json
from typing import Any

from django.utils.html import format_html

from events.exports.data import ExportData, citation_credit
from events.exports.dates import utc
from events.exports.html import citation_list, update_notes
from events.models import Citation, Event, Precision, Update, UpdateStatus

MEDIA_TYPE = "application/json"


def date_object(value: Any, precision: str) -> dict[str, int]:
    value = utc(value)
    date = {"year": value.year}
    if precision != Precision.YEAR:
        date["month"] = value.month
    if precision in (Precision.DAY, Precision.MINUTE):
        date["day"] = value.day
    if precision == Precision.MINUTE:
        date["hour"] = value.hour
        date["minute"] = value.minute
    return date


def render(data: ExportData) -> bytes:
    event = data.event
    slides = [_slide(update) for update in data.updates]
    if not slides and event.start is not None:
        slides.append(_event_slide(event))  # TimelineJS shows nothing without one event
    document = {
        "title": {
            "text": {
                "headline": format_html("{}", event.title),
                "text": format_html(
                    '<p>{}</p><p><a href="{}">{}</a></p>',
                    event.summary,
                    data.event_url(event.slug),
                    "Event page",
                ),
            },
            "unique_id": f"event-{event.slug}",
        },
        "events": slides,
        "scale": "human",
    }
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _event_slide(event: Event) -> dict[str, Any]:
    assert event.start is not None  # noqa: S101 -- the caller checks
    slide: dict[str, Any] = {
        "start_date": date_object(event.start, event.start_precision),
        "text": {"headline": format_html("{}", event.title), "text": ""},
        "unique_id": f"event-{event.slug}-start",
    }
    if event.end is not None:
        slide["end_date"] = date_object(event.end, event.end_precision)
    return slide


def _slide(update: Update) -> dict[str, Any]:
    retracted = update.status == UpdateStatus.RETRACTED
    citations = list(update.citations.all())
    headline = (
        format_html("[Retracted] <s>{}</s>", update.headline)
        if retracted
        else (format_html("{}", update.headline))
    )
    slide: dict[str, Any] = {
        "start_date": date_object(update.occurred_at, update.occurred_precision),
        "text": {"headline": headline, "text": _text(update, citations)},
        "unique_id": f"update-{update.pk}",
    }
    quoted = next((c for c in citations if c.quote), None)
    if quoted is not None:
        slide["media"] = _media(quoted)
    return slide


def _text(update: Update, citations: list[Citation]) -> str:
    return "".join(update_notes(update)) + citation_list(citations)


def _media(citation: Citation) -> dict[str, str]:
    media: dict[str, str] = {
        "url": format_html(
            '<blockquote lang="{}">{}</blockquote>', citation.quote_language, citation.quote
        ),
        "credit": format_html("{}", citation_credit(citation)),
    }
    if citation.translation:
        media["caption"] = format_html("{}", citation.translation)
    return media
