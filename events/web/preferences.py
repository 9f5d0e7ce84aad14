"""The reader's time zone: a page to pick it, kept in a cookie (see middleware.py)."""

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from events.web.middleware import TIMEZONE_COOKIE, zone_names, zone_or_none

ONE_YEAR = 365 * 24 * 3600


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else "/"


@require_http_methods(["GET", "POST"])
def timezone_choose(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        name = request.POST.get("tz", "")
        if zone_or_none(name) is not None:
            response = HttpResponseRedirect(_safe_next(request))
            response.set_cookie(TIMEZONE_COOKIE, name, max_age=ONE_YEAR, samesite="Lax")
            return response
        error = _("Choose a time zone from the list.")
    return render(
        request,
        "events/timezone.html",
        {"zones": sorted(zone_names()), "next": _safe_next(request), "error": error},
        status=400 if error else 200,
    )
