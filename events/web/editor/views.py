"""Editors' pages. Every view is thin: it checks the role, validates a form and calls a
service; reads go through selectors."""

from django.http import HttpRequest, HttpResponse


def review_queue(request: HttpRequest) -> HttpResponse:
    return HttpResponse("review queue")
