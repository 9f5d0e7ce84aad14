"""The event as a schema.org ``Event`` in JSON-LD.

Dates are ISO 8601 at the precision known (``2022-01``, ``2022-01-12``); a status other than
cancelled is ``EventScheduled`` (schema.org has no "concluded": the event happened as
planned). Events it is part of are ``superEvent``, its parts ``subEvent``. The timeline is
the event's ``subjectOf``: a ``LiveBlogPosting`` whose ``liveBlogUpdate`` items are the
public lines (``BlogPosting``), each citing its articles (``NewsArticle``) and quotes
(``Quotation``); a retracted line has ``creativeWorkStatus`` "Retracted" and its reason as a
``CorrectionComment``, a corrected one its note.
"""

import json
from typing import Any

from events.exports.data import (
    ExportData,
    citation_article_url,
    citation_outlet_name,
    event_coordinates,
)
from events.exports.dates import iso
from events.models import Citation, EntityKind, Event, EventStatus, Update, UpdateStatus

MEDIA_TYPE = "application/ld+json"
SCHEMA = "https://schema.org/"

EVENT_STATUSES: dict[str, str] = {EventStatus.CANCELLED: SCHEMA + "EventCancelled"}


def render(data: ExportData) -> bytes:
    event = data.event
    document: dict[str, Any] = {"@context": "https://schema.org", **_event(data, event)}
    document["description"] = event.summary
    if supers := data.super_events():
        document["superEvent"] = [_event(data, other) for other in supers]
    if parts := data.sub_events():
        document["subEvent"] = [_event(data, other) for other in parts]
    if data.updates:
        document["subjectOf"] = _live_blog(data)
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _event(data: ExportData, event: Event) -> dict[str, Any]:
    url = data.event_url(event.slug)
    node: dict[str, Any] = {
        "@type": "Event",
        "@id": url,
        "url": url,
        "name": event.title,
        "eventStatus": EVENT_STATUSES.get(event.status, SCHEMA + "EventScheduled"),
    }
    if event.start is not None:
        node["startDate"] = iso(event.start, event.start_precision)
    if event.end is not None:
        node["endDate"] = iso(event.end, event.end_precision)
    if place := _place(event):
        node["location"] = place
    return node


def _place(event: Event) -> dict[str, Any] | None:
    coordinates = event_coordinates(event)
    if not event.place and coordinates is None:
        return None
    place: dict[str, Any] = {"@type": "Place", "name": event.place}
    if coordinates is not None:
        latitude, longitude = coordinates
        place["geo"] = {"@type": "GeoCoordinates", "latitude": latitude, "longitude": longitude}
    return place


def _live_blog(data: ExportData) -> dict[str, Any]:
    event = data.event
    url = data.event_url(event.slug)
    return {
        "@type": "LiveBlogPosting",
        "@id": f"{url}#timeline",
        "url": url,
        "headline": f"{event.title}: timeline",
        "about": {"@id": url},
        "dateModified": data.last_modified.isoformat(),
        "liveBlogUpdate": [_posting(data, update) for update in data.updates],
    }


def _posting(data: ExportData, update: Update) -> dict[str, Any]:
    retracted = update.status == UpdateStatus.RETRACTED
    posting: dict[str, Any] = {
        "@type": "BlogPosting",
        "@id": f"{data.event_url(data.event.slug)}#update-{update.pk}",
        "headline": update.headline,
        "articleBody": update.body,
        "inLanguage": update.language,
        "temporalCoverage": iso(update.occurred_at, update.occurred_precision),
        "dateModified": update.updated_at.isoformat(),
        "creativeWorkStatus": "Retracted" if retracted else "Published",
        "citation": [_citation(c) for c in update.citations.all()],
    }
    if update.published_at is not None:
        posting["datePublished"] = update.published_at.isoformat()
    note = f"Retracted: {update.retraction_reason}" if retracted else update.correction_note
    if note:
        posting["correction"] = {"@type": "CorrectionComment", "text": note}
    return posting


def _citation(citation: Citation) -> dict[str, Any]:
    source: dict[str, Any] = {"@type": "NewsArticle"}
    if url := citation_article_url(citation):
        source["url"] = url
    if citation.article is not None and citation.article.title:
        source["headline"] = citation.article.title
    if outlet := citation_outlet_name(citation):
        source["publisher"] = {"@type": "Organization", "name": outlet}
    if not citation.quote:
        return source
    quotation: dict[str, Any] = {
        "@type": "Quotation",
        "text": citation.quote,
        "isBasedOn": source,
    }
    if citation.quote_language:
        quotation["inLanguage"] = citation.quote_language
    if citation.speaker is not None:
        kind = "Person" if citation.speaker.kind == EntityKind.PERSON else "Organization"
        quotation["creator"] = {"@type": kind, "name": citation.speaker.name}
    if citation.translation:
        quotation["workTranslation"] = {
            "@type": "CreativeWork",
            "text": citation.translation,
            "inLanguage": citation.translation_language or "en",
        }
    return quotation
