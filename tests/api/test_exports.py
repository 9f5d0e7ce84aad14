"""GET /api/v1/events/{slug}/export/{fmt}/: each format read back by the parser its consumers
use (feedparser, icalendar, csv, JSON Schema from the TimelineJS 3 and RFC 7946 texts)."""

import csv
import datetime as dt
import io
import json
from io import StringIO
from pathlib import Path
from typing import Any

import feedparser
import icalendar
import pytest
import yaml
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import strip_tags
from jsonschema import Draft202012Validator

from events import models
from events.demo import data as demo_data
from events.exports import FORMATS
from events.services import timeline
from events.services.demo import demo_load
from tests import factories
from tests.api.conftest import OCCURRED, cited_update

pytestmark = pytest.mark.django_db

UNREST = demo_data.UNREST
NATO_TALKS = demo_data.NATO_RUSSIA_TALKS
RESIGNATION = demo_data.RESIGNATION


def export(client, slug: str, fmt: str, **headers: str):
    return client.get(f"/api/v1/events/{slug}/export/{fmt}/", **headers)


@pytest.fixture
def demo() -> None:
    demo_load()


@pytest.fixture
def event() -> models.Event:
    """An event with a published, a corrected, a retracted, a draft and an in-review line."""
    event = factories.EventFactory(
        slug="csto-deployment",
        title="CSTO deployment",
        summary="Troops arrive.",
        place="Almaty",
        latitude=43.24,
        longitude=76.89,
    )
    cited_update(event, headline="Published line", occurred_at=OCCURRED + dt.timedelta(days=1))
    corrected = cited_update(event, headline="Corrected line")
    timeline.update_edit(
        update=corrected, by=None, body="Now right.", correction_note="The date was wrong"
    )
    cited_update(event, status="retracted", headline="Retracted line")
    cited_update(event, status="draft", headline="Draft line")
    in_review = cited_update(event, status="draft", headline="Line in review")
    timeline.update_submit(update=in_review, by=None)
    return event


def test_demo_has_the_relations_the_exports_rely_on(demo) -> None:
    parts = models.EventRelation.objects.filter(target__slug=UNREST, kind="part_of")
    nato = models.Event.objects.get(slug=NATO_TALKS)

    assert RESIGNATION in {relation.source.slug for relation in parts}
    assert (nato.kind, nato.status, nato.start.date()) == (
        "meeting",
        "concluded",
        dt.date(2022, 1, 12),
    )
    assert models.EventRelation.objects.filter(source=nato, target__slug=UNREST, kind="related")


def _parsed(fmt: str, content: bytes) -> Any:
    """The export read the way its consumers read it; fails on anything they would reject."""
    if fmt == "atom":
        feed = feedparser.parse(content)
        assert feed.bozo == 0 and feed.feed.id and feed.feed.updated and feed.feed.title
        return feed
    if fmt == "ics":
        return icalendar.Calendar.from_ical(content)
    if fmt == "csv":
        return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))
    document = json.loads(content)
    schema = {"timelinejs": TIMELINEJS_SCHEMA, "geojson": GEOJSON_SCHEMA}.get(fmt)
    if schema is not None:
        assert [e.message for e in Draft202012Validator(schema).iter_errors(document)] == []
    return document


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_demo_event_exports_cleanly(client, demo, fmt: str) -> None:
    for event in models.Event.objects.all():
        response = export(client, event.slug, fmt)

        assert response.status_code == 200, (event.slug, response.content[:300])
        assert _parsed(fmt, response.content)


def test_a_merged_event_redirects_to_the_export_of_the_event_it_became(client, event) -> None:
    loser = factories.EventFactory(slug="csto-troops")
    models.Event.objects.filter(pk=loser.pk).update(merged_into=event)

    response = export(client, "csto-troops", "ics")

    assert response.status_code == 301
    assert response["Location"] == "/api/v1/events/csto-deployment/export/ics/"


# --- errors ---------------------------------------------------------------------------------


def test_unknown_format_is_a_404_problem_listing_the_formats(client, event) -> None:
    response = export(client, "csto-deployment", "pdf")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://tracker.invalid/problems/not-found"
    assert body["formats"] == ["atom", "ics", "csv", "timelinejs", "jsonld", "geojson"]
    assert "atom, ics, csv, timelinejs, jsonld, geojson" in body["detail"]


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_unknown_event_is_a_404_problem(client, fmt: str) -> None:
    response = export(client, "no-such-event", fmt)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == "https://tracker.invalid/problems/not-found"


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_the_path_not_the_accept_header_chooses_the_format(client, event, fmt: str) -> None:
    response = export(client, "csto-deployment", fmt, HTTP_ACCEPT="text/calendar")

    assert response.status_code == 200
    assert response["Content-Type"] == FORMATS[fmt].media_type


# --- public material only -------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["atom", "csv", "timelinejs", "jsonld"])
@pytest.mark.parametrize("role", ["anonymous", "editor"])
def test_drafts_and_lines_in_review_are_never_exported(
    client, as_role, event, fmt: str, role: str
) -> None:
    response = export(client, "csto-deployment", fmt, **as_role(role))

    text = response.content.decode("utf-8-sig")
    assert response.status_code == 200
    assert "Published line" in text
    assert "Draft line" not in text
    assert "Line in review" not in text


# --- Atom ------------------------------------------------------------------------------------


def test_atom_is_a_valid_feed_of_the_published_timeline(client, event) -> None:
    response = export(client, "csto-deployment", "atom")
    feed = feedparser.parse(response.content)

    assert response["Content-Type"] == "application/atom+xml; charset=utf-8"
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "CSTO deployment: timeline"
    assert feed.feed.id.startswith("tag:testserver,")
    assert feed.feed.updated_parsed is not None
    links = {link.rel: link.href for link in feed.feed.links}
    assert links["alternate"] == "http://testserver/events/csto-deployment/"
    assert links["self"] == "http://testserver/api/v1/events/csto-deployment/export/atom/"
    titles = sorted(entry.title for entry in feed.entries)
    assert titles == ["Corrected line", "Published line", "[Retracted] Retracted line"]
    for entry in feed.entries:
        assert entry.id.startswith("tag:testserver,") and entry.updated_parsed is not None
        assert entry.link.startswith("http://testserver/events/csto-deployment/#update-")
        assert entry.author == "Kassym-Jomart Tokayev via " + entry.author.split(" via ")[1]
    assert len({entry.id for entry in feed.entries}) == 3


def test_atom_entry_ids_are_stable_and_retractions_and_corrections_say_so(client, event) -> None:
    first = feedparser.parse(export(client, "csto-deployment", "atom").content)
    second = feedparser.parse(export(client, "csto-deployment", "atom").content)

    entries = {entry.title: entry for entry in first.entries}
    assert [e.id for e in first.entries] == [e.id for e in second.entries]
    assert "Retracted: Misattributed quote" in strip_tags(
        entries["[Retracted] Retracted line"].summary
    )
    assert "Correction: The date was wrong" in strip_tags(entries["Corrected line"].summary)
    assert "Токаев поиска съдействие" in entries["Published line"].summary


def test_atom_escapes_markup_from_the_data(client) -> None:
    event = factories.EventFactory(slug="xss")
    update = cited_update(event, headline="<script>alert(1)</script> & co")
    timeline.update_edit(
        update=update, by=None, body="<img src=x onerror=alert(1)>", correction_note="body"
    )

    feed = feedparser.parse(export(client, "xss", "atom").content)

    assert feed.bozo == 0
    assert feed.entries[0].title == "<script>alert(1)</script> & co"
    assert "&lt;img src=x onerror=alert(1)&gt;" in feed.entries[0].summary
    assert "<img" not in feed.entries[0].summary


# --- iCalendar -------------------------------------------------------------------------------


def _calendar(client, slug: str) -> tuple[Any, icalendar.Calendar]:
    response = export(client, slug, "ics")
    assert response.status_code == 200
    return response, icalendar.Calendar.from_ical(response.content)


def test_ics_of_the_unrest_has_its_parts_and_the_related_meeting(client, demo) -> None:
    response, calendar = _calendar(client, UNREST)

    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{UNREST}.ics"'
    assert b"\r\n" in response.content and b"\n" not in response.content.replace(b"\r\n", b"")
    assert calendar["VERSION"] == "2.0" and calendar["PRODID"]
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert "2022 Kazakhstan unrest" in events
    assert "NATO-Russia Council talks in Brussels" in events
    resignation = models.Event.objects.get(slug=RESIGNATION)
    assert resignation.title in events
    parent_uid = str(events["2022 Kazakhstan unrest"]["UID"])
    assert str(events[resignation.title]["RELATED-TO"]) == parent_uid
    # Not part of the unrest, not a meeting: the LPG price rise caused it.
    assert "Liquefied gas price increase in Kazakhstan" not in events
    assert all(len(line) <= 75 for line in response.content.split(b"\r\n"))


def test_ics_dates_known_to_the_day_are_all_day_with_exclusive_end(client, demo) -> None:
    _, calendar = _calendar(client, NATO_TALKS)

    (meeting,) = calendar.walk("VEVENT")
    assert meeting["DTSTART"].params.get("VALUE") == "DATE"
    assert meeting.decoded("DTSTART") == dt.date(2022, 1, 12)
    assert type(meeting.decoded("DTEND")) is dt.date
    assert meeting.decoded("DTEND") == dt.date(2022, 1, 13)
    assert meeting["LOCATION"] == "Brussels"
    assert (meeting["GEO"].latitude, meeting["GEO"].longitude) == (50.8503, 4.3517)
    assert meeting["URL"] == f"http://testserver/events/{NATO_TALKS}/"
    assert meeting.decoded("DTSTAMP").tzinfo is not None


def test_ics_minute_precision_is_utc_and_month_precision_spans_the_month(client) -> None:
    timed = factories.EventFactory(
        slug="press-briefing",
        start=dt.datetime(2022, 1, 6, 20, 30, tzinfo=dt.timezone(dt.timedelta(hours=5))),
        start_precision="minute",
        end=dt.datetime(2022, 1, 6, 16, 0, tzinfo=dt.UTC),
        end_precision="minute",
    )
    month = factories.EventFactory(
        slug="winter-protests",
        start=dt.datetime(2022, 2, 1, tzinfo=dt.UTC),
        start_precision="month",
    )
    models.EventRelation.objects.create(source=month, target=timed, kind="part_of")

    _, calendar = _calendar(client, "press-briefing")
    by_uid = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}

    briefing = by_uid[timed.title]
    assert briefing.decoded("DTSTART") == dt.datetime(2022, 1, 6, 15, 30, tzinfo=dt.UTC)
    assert briefing.decoded("DTSTART").utcoffset() == dt.timedelta(0)
    assert "VALUE" not in briefing["DTSTART"].params
    assert b"DTSTART:20220106T153000Z" in calendar.to_ical()
    february = by_uid[month.title]
    assert (february.decoded("DTSTART"), february.decoded("DTEND")) == (
        dt.date(2022, 2, 1),
        dt.date(2022, 3, 1),
    )


def test_ics_uids_are_stable(client, demo) -> None:
    first = {str(e["UID"]) for e in _calendar(client, UNREST)[1].walk("VEVENT")}
    second = {str(e["UID"]) for e in _calendar(client, UNREST)[1].walk("VEVENT")}

    assert first == second and len(first) >= 3


# --- CSV ---------------------------------------------------------------------------------------


def _rows(response) -> list[dict[str, str]]:
    assert response.content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_csv_has_a_row_per_citation_with_bom_and_download_name(client, demo) -> None:
    response = export(client, demo_data.US_STATEMENT, "csv")
    rows = _rows(response)

    assert response["Content-Type"] == "text/csv; charset=utf-8; header=present"
    assert response["Content-Disposition"] == (
        f'attachment; filename="{demo_data.US_STATEMENT}-timeline.csv"'
    )
    assert list(rows[0]) == [
        "update_id", "occurred_at", "precision", "headline", "body", "status",
        "correction_note", "retraction_reason", "outlet", "article_url", "article_title",
        "speaker", "quote", "quote_language", "translation",
    ]  # fmt: skip
    assert len(rows) == 4  # two updates, two citations each
    assert {row["speaker"] for row in rows} == {"Ned Price"}
    assert {row["outlet"] for row in rows} == {"BBC"}
    assert {row["quote_language"] for row in rows} == {"bg"}
    assert all(row["occurred_at"] == "2022-01-06" and row["precision"] == "day" for row in rows)
    assert any("Прайс" in row["quote"] or "Вашингтон" in row["quote"] for row in rows)


def test_csv_marks_retractions_and_corrections(client, event) -> None:
    rows = {row["headline"]: row for row in _rows(export(client, "csto-deployment", "csv"))}

    assert rows["Retracted line"]["status"] == "retracted"
    assert rows["Retracted line"]["retraction_reason"] == "Misattributed quote"
    assert rows["Corrected line"]["correction_note"] == "The date was wrong"
    assert rows["Published line"]["quote"] == "Токаев поиска съдействие"
    assert rows["Published line"]["translation"] == "Tokayev asked for assistance"


@pytest.mark.parametrize("start", ["=", "+", "-", "@"])
def test_csv_cells_that_would_run_as_formulas_are_defused(client, start: str) -> None:
    event = factories.EventFactory(slug="injection")
    cited_update(event, headline=f'{start}HYPERLINK("http://evil.example","x")')

    (row,) = _rows(export(client, "injection", "csv"))

    assert row["headline"] == f'\'{start}HYPERLINK("http://evil.example","x")'


# --- TimelineJS --------------------------------------------------------------------------------

# From https://timeline.knightlab.com/docs/json-format.html: events (required) are slides;
# a slide needs start_date except the title slide; a date needs year, the other parts are
# numbers in their ranges; text has headline and text; media needs url.
_DATE = {
    "type": "object",
    "required": ["year"],
    "properties": {
        "year": {"type": "integer"},
        "month": {"type": "integer", "minimum": 1, "maximum": 12},
        "day": {"type": "integer", "minimum": 1, "maximum": 31},
        "hour": {"type": "integer", "minimum": 0, "maximum": 23},
        "minute": {"type": "integer", "minimum": 0, "maximum": 59},
        "second": {"type": "integer", "minimum": 0, "maximum": 59},
        "millisecond": {"type": "integer"},
        "display_date": {"type": "string"},
    },
    "additionalProperties": False,
}
_SLIDE_PROPERTIES = {
    "start_date": {"$ref": "#/$defs/date"},
    "end_date": {"$ref": "#/$defs/date"},
    "text": {
        "type": "object",
        "properties": {"headline": {"type": "string"}, "text": {"type": "string"}},
        "additionalProperties": False,
    },
    "media": {
        "type": "object",
        "required": ["url"],
        "properties": {
            name: {"type": "string"}
            for name in ("url", "caption", "credit", "thumbnail", "alt", "title", "link")
        },
        "additionalProperties": False,
    },
    "group": {"type": "string"},
    "display_date": {"type": "string"},
    "background": {"type": "object"},
    "autolink": {"type": "boolean"},
    "unique_id": {"type": "string"},
}
TIMELINEJS_SCHEMA = {
    "$defs": {
        "date": _DATE,
        "slide": {
            "type": "object",
            "required": ["start_date"],
            "properties": _SLIDE_PROPERTIES,
            "additionalProperties": False,
        },
        "title": {"type": "object", "properties": _SLIDE_PROPERTIES, "additionalProperties": False},
    },
    "type": "object",
    "required": ["events"],
    "properties": {
        "events": {"type": "array", "items": {"$ref": "#/$defs/slide"}},
        "title": {"$ref": "#/$defs/title"},
        "eras": {"type": "array"},
        "scale": {"enum": ["human", "cosmological"]},
    },
    "additionalProperties": False,
}


def _timeline(client, slug: str) -> dict[str, Any]:
    response = export(client, slug, "timelinejs")
    assert response["Content-Type"] == "application/json"
    document = response.json()
    errors = [e.message for e in Draft202012Validator(TIMELINEJS_SCHEMA).iter_errors(document)]
    assert errors == []
    return document


def test_timelinejs_follows_the_format_with_title_slide_and_quotes_as_media(client, demo) -> None:
    document = _timeline(client, demo_data.US_STATEMENT)

    assert "US State Department" in document["title"]["text"]["headline"]
    slides = document["events"]
    assert len(slides) == 2
    assert len({slide["unique_id"] for slide in slides}) == 2
    assert slides[0]["start_date"] == {"year": 2022, "month": 1, "day": 6}
    assert slides[0]["media"]["url"].startswith('<blockquote lang="bg">')
    assert "Ned Price via BBC" in slides[0]["media"]["credit"]


def test_timelinejs_dates_honour_precision(client) -> None:
    event = factories.EventFactory(slug="precise")
    month = cited_update(event, headline="Some time in January")
    timeline.update_edit(update=month, by=None, precision="month", correction_note="vaguer")
    minute = cited_update(event, headline="At 10:00 UTC")
    timeline.update_edit(update=minute, by=None, precision="minute", correction_note="exact")

    slides = {s["text"]["headline"]: s for s in _timeline(client, "precise")["events"]}

    assert slides["Some time in January"]["start_date"] == {"year": 2022, "month": 1}
    assert slides["At 10:00 UTC"]["start_date"] == {
        "year": 2022, "month": 1, "day": 5, "hour": 10, "minute": 0,
    }  # fmt: skip


def test_timelinejs_escapes_html_and_marks_retractions(client, event) -> None:
    cited_update(event, headline="<img src=x onerror=alert(1)>")

    slides = _timeline(client, "csto-deployment")["events"]

    headlines = [slide["text"]["headline"] for slide in slides]
    assert "&lt;img src=x onerror=alert(1)&gt;" in headlines
    retracted = next(s for s in slides if "Retracted line" in s["text"]["headline"])
    assert retracted["text"]["headline"].startswith("[Retracted]")
    assert "Misattributed quote" in retracted["text"]["text"]


# --- JSON-LD -----------------------------------------------------------------------------------


def test_jsonld_is_a_schema_org_event_with_parts_and_place(client, demo) -> None:
    response = export(client, UNREST, "jsonld")
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/ld+json"
    assert document["@context"] == "https://schema.org"
    assert document["@type"] == "Event"
    assert document["name"] == "2022 Kazakhstan unrest"
    assert (document["startDate"], document["endDate"]) == ("2022-01-02", "2022-01-11")
    assert document["eventStatus"] == "https://schema.org/EventScheduled"
    assert document["url"] == f"http://testserver/events/{UNREST}/"
    assert document["location"]["@type"] == "Place"
    assert document["location"]["geo"]["@type"] == "GeoCoordinates"
    parts = {part["@id"] for part in document["subEvent"]}
    assert f"http://testserver/events/{RESIGNATION}/" in parts
    assert all(part["@type"] == "Event" for part in document["subEvent"])
    blog = document["subjectOf"]
    assert blog["@type"] == "LiveBlogPosting"
    assert blog["liveBlogUpdate"][0]["@type"] == "BlogPosting"
    assert blog["liveBlogUpdate"][0]["citation"][0]["@type"] in ("Quotation", "NewsArticle")


def test_jsonld_part_knows_its_whole(client, demo) -> None:
    document = export(client, RESIGNATION, "jsonld").json()

    assert document["superEvent"][0]["@id"] == f"http://testserver/events/{UNREST}/"


def test_jsonld_marks_retracted_lines(client, event) -> None:
    document = export(client, "csto-deployment", "jsonld").json()

    postings = {p["headline"]: p for p in document["subjectOf"]["liveBlogUpdate"]}
    assert postings["Retracted line"]["creativeWorkStatus"] == "Retracted"
    assert "Misattributed quote" in postings["Retracted line"]["correction"]["text"]
    assert postings["Corrected line"]["correction"]["text"] == "The date was wrong"


# --- GeoJSON -----------------------------------------------------------------------------------

# RFC 7946 basics: a FeatureCollection of Features with a Point geometry of two or three
# numbers, longitude first (-180..180), then latitude (-90..90).
GEOJSON_SCHEMA = {
    "type": "object",
    "required": ["type", "features"],
    "properties": {
        "type": {"const": "FeatureCollection"},
        "features": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["type", "geometry", "properties"],
                "properties": {
                    "type": {"const": "Feature"},
                    "id": {"type": ["string", "number"]},
                    "geometry": {
                        "type": "object",
                        "required": ["type", "coordinates"],
                        "properties": {
                            "type": {"const": "Point"},
                            "coordinates": {
                                "type": "array",
                                "minItems": 2,
                                "maxItems": 3,
                                "prefixItems": [
                                    {"type": "number", "minimum": -180, "maximum": 180},
                                    {"type": "number", "minimum": -90, "maximum": 90},
                                ],
                            },
                        },
                    },
                    "properties": {
                        "type": ["object", "null"],
                        "required": ["slug", "title", "start", "status", "url"],
                    },
                },
            },
        },
    },
}


def test_geojson_lists_placed_events_longitude_first(client, demo) -> None:
    response = export(client, UNREST, "geojson")
    document = json.loads(response.content)

    assert response["Content-Type"] == "application/geo+json"
    assert [e.message for e in Draft202012Validator(GEOJSON_SCHEMA).iter_errors(document)] == []
    features = {feature["id"]: feature for feature in document["features"]}
    assert features[NATO_TALKS]["geometry"]["coordinates"] == [4.3517, 50.8503]
    assert features[NATO_TALKS]["properties"]["relations"] == [
        {"kind": "related", "direction": "in"}
    ]
    unrest = features[UNREST]
    assert unrest["properties"]["subject"] is True
    assert unrest["properties"]["start"] == "2022-01-02"
    assert unrest["properties"]["url"] == f"http://testserver/events/{UNREST}/"
    longitude, latitude = unrest["geometry"]["coordinates"]
    assert 46 < longitude < 88 and 40 < latitude < 56  # Kazakhstan, not the Indian Ocean


def test_geojson_leaves_out_events_without_coordinates(client) -> None:
    factories.EventFactory(slug="nowhere", latitude=None, longitude=None)

    document = export(client, "nowhere", "geojson").json()

    assert document == {"type": "FeatureCollection", "features": []}


# --- HTTP: caching, query counts, schema -----------------------------------------------------


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_conditional_get_answers_304_until_the_export_changes(client, event, fmt: str) -> None:
    first = export(client, "csto-deployment", fmt)
    again = export(client, "csto-deployment", fmt, HTTP_IF_NONE_MATCH=first["ETag"])
    cited_update(event, headline="A new line")
    models.Event.objects.filter(pk=event.pk).update(title="Renamed")
    changed = export(client, "csto-deployment", fmt, HTTP_IF_NONE_MATCH=first["ETag"])

    assert first["Last-Modified"]
    assert again.status_code == 304
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_if_modified_since_alone_never_answers_304(client, event) -> None:
    first = export(client, "csto-deployment", "csv")

    again = export(client, "csto-deployment", "csv", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert again.status_code == 200 and again.content == first.content


def _queries(client, slug: str, fmt: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert export(client, slug, fmt).status_code == 200
    return len(context.captured_queries)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_query_count_does_not_grow_with_the_timeline(client, fmt: str) -> None:
    counts = []
    for size in (2, 20):
        event = factories.EventFactory(slug=f"size-{size}")
        for n in range(size):
            cited_update(event, headline=f"Line {n}")
            other = factories.EventFactory(latitude=1.0, longitude=2.0)
            models.EventRelation.objects.create(source=other, target=event, kind="part_of")
        counts.append(_queries(client, f"size-{size}", fmt))

    assert counts[0] == counts[1]
    assert counts[1] == (5 if FORMATS[fmt].with_timeline else 3)


def test_schema_documents_every_export_media_type(tmp_path: Path) -> None:
    target = tmp_path / "schema.yml"

    call_command(
        "spectacular", "--validate", "--fail-on-warn", "--file", str(target), stderr=StringIO()
    )

    operation = yaml.safe_load(target.read_text())["paths"]["/api/v1/events/{slug}/export/{fmt}/"][
        "get"
    ]
    assert set(operation["responses"]["200"]["content"]) == {
        "application/atom+xml",
        "text/calendar",
        "text/csv",
        "application/json",
        "application/ld+json",
        "application/geo+json",
    }
    (fmt,) = [p for p in operation["parameters"] if p["name"] == "fmt"]
    assert sorted(fmt["schema"]["enum"]) == sorted(FORMATS)
    assert operation["responses"]["404"]["content"]["application/problem+json"]
