"""Exports of one event for the programs that read them: feed readers (Atom), calendars
(iCalendar), spreadsheets (CSV), TimelineJS, search engines and linked-data tools (schema.org
JSON-LD) and maps (GeoJSON).

Each format is a module with ``render(data) -> bytes`` and its ``MEDIA_TYPE``; all read one
:class:`~events.exports.data.ExportData`, loaded in a constant number of queries. Only public
material is ever exported: published lines, and retracted ones marked with their reason.
"""

from collections.abc import Callable
from dataclasses import dataclass

from events.exports import atom, csv, geojson, ics, jsonld, timelinejs
from events.exports.data import ExportData, event_for_export, export_data


@dataclass(frozen=True)
class ExportFormat:
    name: str
    media_type: str
    render: Callable[[ExportData], bytes]
    #: Whether the format shows the timeline (the others need only the event and its links).
    with_timeline: bool
    #: A file name to download as, if the format is one people save rather than subscribe to.
    filename: Callable[[ExportData], str] | None = None


FORMATS: dict[str, ExportFormat] = {
    "atom": ExportFormat("atom", atom.MEDIA_TYPE, atom.render, with_timeline=True),
    "ics": ExportFormat(
        "ics",
        ics.MEDIA_TYPE,
        ics.render,
        with_timeline=False,
        filename=lambda data: f"{data.event.slug}.ics",
    ),
    "csv": ExportFormat(
        "csv", csv.MEDIA_TYPE, csv.render, with_timeline=True, filename=csv.filename
    ),
    "timelinejs": ExportFormat(
        "timelinejs", timelinejs.MEDIA_TYPE, timelinejs.render, with_timeline=True
    ),
    "jsonld": ExportFormat("jsonld", jsonld.MEDIA_TYPE, jsonld.render, with_timeline=True),
    "geojson": ExportFormat("geojson", geojson.MEDIA_TYPE, geojson.render, with_timeline=False),
}

__all__ = ["FORMATS", "ExportData", "ExportFormat", "event_for_export", "export_data"]
