"""Timestamps written with only as much as is known (an event of "January 2022" is not one
of 1 January 2022 at midnight). Everything is in UTC: day-precision dates are stored as
midnight UTC."""

import datetime as dt

from events.models import Precision

COARSE = (Precision.YEAR, Precision.MONTH, Precision.DAY)


def utc(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC)


def iso(value: dt.datetime, precision: str) -> str:
    """ISO 8601 at the value's precision: ``2022``, ``2022-01``, ``2022-01-12`` or
    ``2022-01-12T10:00:00Z``."""
    value = utc(value)
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    if precision == Precision.MINUTE:
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.date().isoformat()


def period_first_day(value: dt.datetime, precision: str) -> dt.date:
    """The first day the value may stand for: 1 January for a year, the 1st for a month."""
    day = utc(value).date()
    if precision == Precision.YEAR:
        return day.replace(month=1, day=1)
    if precision == Precision.MONTH:
        return day.replace(day=1)
    return day


def period_last_day(value: dt.datetime, precision: str) -> dt.date:
    """The last day the value may stand for: 31 December for a year, the month's last day."""
    day = utc(value).date()
    if precision == Precision.YEAR:
        return day.replace(month=12, day=31)
    if precision == Precision.MONTH:
        following = day.replace(day=28) + dt.timedelta(days=4)
        return following - dt.timedelta(days=following.day)
    return day
