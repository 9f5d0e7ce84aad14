"""What every export of one event reads: the event, its public timeline and its linked events.

Loaded in a constant number of queries (three, plus two for the timeline) however many
updates, citations and relations the event has. Drafts and lines in review never load:
exports are public.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from django.http.request import split_domain_port
from django.urls import reverse

from events.models import Citation, Event, EventRelation, Update
from events.selectors.events import event_timeline


@dataclass(frozen=True)
class Linked:
    """Another event and how this one is linked to it: ``out`` reads "this <kind> other"."""

    event: Event
    kind: str
    direction: str


@dataclass(frozen=True)
class ExportData:
    event: Event
    updates: list[Update]
    linked: list[Linked]
    #: Absolute URL of an event's web page, by slug.
    event_url: Callable[[str], str]
    #: Absolute URL of this export.
    self_url: str
    #: The host name, for tag: URIs and calendar UIDs.
    authority: str

    @property
    def last_modified(self) -> datetime:
        """The newest change among the rows an export shows."""
        stamps = [self.event.updated_at]
        stamps += [update.updated_at for update in self.updates]
        stamps += [linked.event.updated_at for linked in self.linked]
        return max(stamps)

    def sub_events(self) -> list[Event]:
        """Events that are part of this one."""
        return _unique(
            linked.event
            for linked in self.linked
            if linked.kind == "part_of" and linked.direction == "in"
        )

    def super_events(self) -> list[Event]:
        """Events this one is part of."""
        return _unique(
            linked.event
            for linked in self.linked
            if linked.kind == "part_of" and linked.direction == "out"
        )


def _unique(events: Iterable[Event]) -> list[Event]:
    seen: dict[int, Event] = {}
    for event in events:
        seen.setdefault(event.pk, event)
    return list(seen.values())


def event_for_export() -> QuerySet[Event]:
    """Events with their place and both directions of their relations, linked events' places
    included (the map and the calendar need them)."""
    return Event.objects.select_related("place_entity").prefetch_related(
        Prefetch(
            "relations_out",
            queryset=EventRelation.objects.select_related("target__place_entity"),
        ),
        Prefetch(
            "relations_in",
            queryset=EventRelation.objects.select_related("source__place_entity"),
        ),
    )


def export_data(*, event: Event, request: HttpRequest, with_timeline: bool) -> ExportData:
    """``event`` must come from :func:`event_for_export`."""
    linked = [Linked(r.target, r.kind, "out") for r in event.relations_out.all()]
    linked += [Linked(r.source, r.kind, "in") for r in event.relations_in.all()]
    updates: list[Update] = []
    if with_timeline:
        updates = list(event_timeline(event=event, include_drafts=False))
    host, _ = split_domain_port(request.get_host())
    return ExportData(
        event=event,
        updates=updates,
        linked=linked,
        event_url=lambda slug: request.build_absolute_uri(reverse("web:event", args=[slug])),
        self_url=request.build_absolute_uri(),
        authority=host or "localhost",
    )


def citation_outlet_name(citation: Citation) -> str:
    """The outlet that relayed the words, else the article's publisher."""
    if citation.outlet is not None:
        return citation.outlet.name
    if citation.article is not None and citation.article.outlet is not None:
        return citation.article.outlet.name
    return ""


def citation_article_url(citation: Citation) -> str:
    """The cited article's URL when it is a web address (never a javascript: or data: link)."""
    if citation.article is None:
        return ""
    url = citation.article.canonical_url
    return url if url.startswith(("https://", "http://")) else ""


def citation_credit(citation: Citation) -> str:
    """ "Ned Price via BBC", "BBC" or "Ned Price"."""
    speaker = citation.speaker.name if citation.speaker is not None else ""
    outlet = citation_outlet_name(citation)
    if speaker and outlet:
        return f"{speaker} via {outlet}"
    return speaker or outlet


def event_coordinates(event: Event) -> tuple[float, float] | None:
    """(latitude, longitude): the event's own, else its place's."""
    if event.latitude is not None and event.longitude is not None:
        return (event.latitude, event.longitude)
    place = event.place_entity
    if place is not None and place.latitude is not None and place.longitude is not None:
        return (place.latitude, place.longitude)
    return None
