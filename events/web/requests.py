"""What every page reads off its request: the UI language, whether htmx asked for a fragment,
and where to send the reader back to."""

from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language


def page_language() -> str:
    """The active UI language's two-letter code (labels of events are picked in it)."""
    return (get_language() or "en")[:2]


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def safe_next(request: HttpRequest, fallback: str) -> str:
    """The ``next`` the form (or the query) asks to return to when it is a path on this site,
    else ``fallback``: never an open redirect."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    allowed = url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return target if allowed else fallback
