"""The reader's time zone, from a cookie set on the time-zone page (default: TIME_ZONE)."""

import zoneinfo
from collections.abc import Callable
from functools import cache

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

TIMEZONE_COOKIE = "tz"


@cache
def zone_names() -> frozenset[str]:
    """Every IANA zone name this machine knows (read from disk once)."""
    return frozenset(zoneinfo.available_timezones())


def zone_or_none(name: str) -> zoneinfo.ZoneInfo | None:
    """The zone called ``name``, or None for anything that is not an IANA zone name."""
    if name not in zone_names():
        return None
    return zoneinfo.ZoneInfo(name)


class TimezoneMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        zone = zone_or_none(request.COOKIES.get(TIMEZONE_COOKIE, ""))
        if zone is None:
            timezone.deactivate()
        else:
            timezone.activate(zone)
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
