"""The event and the events linked to it, where their places have coordinates, as an
RFC 7946 GeoJSON FeatureCollection.

Coordinates are [longitude, latitude] (RFC 7946, 3.1.1), WGS 84: the event's own, else those
of its place (the 2022 unrest is placed in Kazakhstan). Each linked event appears once, with
every way it is linked (``relations``: kind and direction, "out" reading "this <kind> it").
"""

import json
from typing import Any

from events.exports.data import ExportData, event_coordinates
from events.exports.dates import iso
from events.models import Event

MEDIA_TYPE = "application/geo+json"


def render(data: ExportData) -> bytes:
    relations: dict[int, list[dict[str, str]]] = {data.event.pk: []}
    events: dict[int, Event] = {data.event.pk: data.event}
    for linked in data.linked:
        events.setdefault(linked.event.pk, linked.event)
        relations.setdefault(linked.event.pk, []).append(
            {"kind": linked.kind, "direction": linked.direction}
        )
    features = [
        _feature(data, event, relations[pk], is_subject=pk == data.event.pk)
        for pk, event in events.items()
        if event_coordinates(event) is not None
    ]
    document = {"type": "FeatureCollection", "features": features}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


def _feature(
    data: ExportData, event: Event, relations: list[dict[str, str]], *, is_subject: bool
) -> dict[str, Any]:
    coordinates = event_coordinates(event)
    assert coordinates is not None  # noqa: S101 -- render keeps only placed events
    latitude, longitude = coordinates
    return {
        "type": "Feature",
        "id": event.slug,
        "geometry": {"type": "Point", "coordinates": [longitude, latitude]},
        "properties": {
            "slug": event.slug,
            "title": event.title,
            "kind": event.kind,
            "status": event.status,
            "start": iso(event.start, event.start_precision) if event.start else None,
            "end": iso(event.end, event.end_precision) if event.end else None,
            "place": event.place,
            "url": data.event_url(event.slug),
            "subject": is_subject,
            "relations": relations,
        },
    }
