"""The date tags' own formatter (events.templatetags.tracker) writes what Django's
``formats.date_format`` writes, for every format the tags use, in each UI language and in
zones either side of UTC."""

import datetime as dt
import random
import zoneinfo

import pytest
from django.template import Context, Template
from django.utils import formats, timezone, translation

from events.templatetags import tracker

FORMATS = sorted(
    {*tracker.DATE_FORMATS.values(), *tracker.HEADING_FORMATS.values(), "H:i", r"j \o\f F"}
)


def _values() -> list[dt.datetime]:
    r = random.Random(5)
    every_month = [dt.datetime(2022, m, 3, 0, 30, tzinfo=dt.UTC) for m in range(1, 13)]
    shuffled = [
        dt.datetime(
            r.randint(2, 9998),
            r.randint(1, 12),
            r.randint(1, 28),
            r.randint(0, 23),
            r.randint(0, 59),
            tzinfo=dt.UTC,
        )
        for _ in range(200)
    ]
    return every_month + shuffled


@pytest.mark.parametrize("language", ["en", "bg", "ru"])
@pytest.mark.parametrize("zone", ["UTC", "Europe/Sofia", "America/New_York", "Asia/Almaty"])
def test_dates_read_as_django_formats_them(language: str, zone: str) -> None:
    with translation.override(language), timezone.override(zoneinfo.ZoneInfo(zone)):
        for value in _values():
            local = timezone.localtime(value)
            for format_string in FORMATS:
                expected = formats.date_format(local, format_string)
                assert tracker._format(local, format_string) == expected, (value, format_string)
            for precision, format_string in tracker.DATE_FORMATS.items():
                expected = formats.date_format(tracker._local(value, precision), format_string)
                assert tracker.precise_date(value, precision) == expected, (value, precision)


def test_a_format_with_other_characters_is_left_to_django() -> None:
    value = dt.datetime(2022, 1, 12, 10, 5, tzinfo=dt.UTC)
    assert tracker._compiled("D, j M Y") is None
    assert tracker._format(value, "D, j M Y") == formats.date_format(value, "D, j M Y")


@pytest.mark.parametrize("zone", ["UTC", "Europe/Sofia", "America/New_York"])
def test_iso_reads_as_the_date_filter_in_c(zone: str) -> None:
    both = Template("{% load tracker %}{{ v|date:'c' }}|{{ v|iso }}")
    values = [
        *_values()[:20],
        dt.datetime(2022, 1, 12, 10, 5),  # noqa: DTZ001 - a naive value too
        dt.date(2022, 1, 12),
        None,
        "",
    ]
    with timezone.override(zoneinfo.ZoneInfo(zone)):
        for value in values:
            django_c, ours = both.render(Context({"v": value})).split("|")
            assert ours == django_c, value
