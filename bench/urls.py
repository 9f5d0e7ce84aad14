"""The project's URLs plus ``/bench/bare/``: a plain Django view with a fixed JSON body, served
by the same processes, through the same middleware, as the API it is compared with."""

from django.http import HttpRequest, JsonResponse
from django.urls import include, path

BARE_BODY = {"status": "ok", "service": "tracker", "version": 1}


def bare(request: HttpRequest) -> JsonResponse:
    return JsonResponse(BARE_BODY)


urlpatterns = [
    path("bench/bare/", bare, name="bench-bare"),
    path("", include("tracker.urls")),
]
