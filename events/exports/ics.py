"""The event and the dated events around it as an iCalendar file (RFC 5545).

Which events: this one, the events that are part of it, and linked meetings or scheduled
events (the NATO-Russia Council talks are "related" to the 2022 unrest); each only when it
has a start. A past meeting is concluded, not scheduled, so the start decides, not the
status. Dates known to the day, month or year are all-day (``VALUE=DATE``) spanning the whole
period they stand for; dates known to the minute are UTC date-times. The library writes CRLF
line ends and folds long lines.
"""

import datetime as dt

import icalendar

from events.exports.data import ExportData, event_coordinates
from events.exports.dates import COARSE, period_first_day, period_last_day, utc
from events.models import Event, EventKind, EventStatus

MEDIA_TYPE = "text/calendar; charset=utf-8"
PRODID = "-//Tracker//Event export//EN"

STATUSES: dict[str, str] = {
    EventStatus.SCHEDULED: "CONFIRMED",
    EventStatus.DEVELOPING: "CONFIRMED",
    EventStatus.CONCLUDED: "CONFIRMED",
    EventStatus.CANCELLED: "CANCELLED",
}


def calendar_events(data: ExportData) -> list[Event]:
    """This event, its parts, then linked meetings and scheduled events: those with a start."""
    chosen: dict[int, Event] = {data.event.pk: data.event}
    for event in data.sub_events():
        chosen.setdefault(event.pk, event)
    for linked in data.linked:
        other = linked.event
        if other.kind == EventKind.MEETING or other.status == EventStatus.SCHEDULED:
            chosen.setdefault(other.pk, other)
    return [event for event in chosen.values() if event.start is not None]


def uid(data: ExportData, event: Event) -> str:
    return f"event-{event.pk}@{data.authority}"


def render(data: ExportData) -> bytes:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", data.event.title)
    parts = {event.pk for event in data.sub_events()}
    for event in calendar_events(data):
        component = _vevent(data, event)
        if event.pk in parts:
            component.add("related-to", uid(data, data.event), parameters={"RELTYPE": "PARENT"})
        calendar.add_component(component)
    return calendar.to_ical()


def _vevent(data: ExportData, event: Event) -> icalendar.Event:
    component = icalendar.Event()
    component.add("uid", uid(data, event))
    # Without METHOD, DTSTAMP is when the information last changed (RFC 5545, 3.8.7.2).
    component.add("dtstamp", utc(event.updated_at))
    component.add("last-modified", utc(event.updated_at))
    component.add("summary", event.title)
    url = data.event_url(event.slug)
    description = f"{event.summary}\n\n{url}" if event.summary else url
    component.add("description", description)
    component.add("url", url)
    component.add("status", STATUSES.get(event.status, "CONFIRMED"))
    component.add("categories", [event.kind])
    for name, value in _times(event):
        component.add(name, value)
    if event.place:
        component.add("location", event.place)
    if coordinates := event_coordinates(event):
        component.add("geo", coordinates)
    return component


def _times(event: Event) -> list[tuple[str, dt.date | dt.datetime]]:
    """DTSTART and DTEND, both dates or both UTC date-times (mixing them is invalid)."""
    assert event.start is not None  # noqa: S101 -- calendar_events keeps only dated events
    end, end_precision = event.end, event.end_precision
    all_day = event.start_precision in COARSE or (end is not None and end_precision in COARSE)
    if all_day:
        first = period_first_day(event.start, event.start_precision)
        if end is not None:
            last = period_last_day(end, end_precision)
        else:
            last = period_last_day(event.start, event.start_precision)
        # DTEND of an all-day event is the day after its last day (exclusive).
        return [("dtstart", first), ("dtend", last + dt.timedelta(days=1))]
    times: list[tuple[str, dt.date | dt.datetime]] = [("dtstart", utc(event.start))]
    if end is not None and end > event.start:
        times.append(("dtend", utc(end)))
    return times
