"""The reader's time zone: a page to pick it, kept in a cookie (see middleware.py)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.web.middleware import TIMEZONE_COOKIE, zone_names, zone_or_none
from events.web.requests import safe_next

ONE_YEAR = 365 * 24 * 3600


@require_http_methods(["GET", "POST"])
def timezone_choose(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        name = request.POST.get("tz", "")
        if zone_or_none(name) is not None:
            response = HttpResponseRedirect(safe_next(request, "/"))
            response.set_cookie(TIMEZONE_COOKIE, name, max_age=ONE_YEAR, samesite="Lax")
            return response
        error = _("Choose a time zone from the list.")
    return render(
        request,
        "events/timezone.html",
        {"zones": sorted(zone_names()), "next": safe_next(request, "/"), "error": error},
        status=400 if error else 200,
    )
