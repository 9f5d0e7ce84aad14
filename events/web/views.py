"""Server-rendered pages. Journalists' and editors' pages grow here (issue: web pages)."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import get_language

from events.models import Event
from events.selectors.events import event_list_public, event_timeline


def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "events/home.html",
        {"events": event_list_public(), "language": (get_language() or "en")[:2]},
    )


def event_detail(request: HttpRequest, slug: str) -> HttpResponse:
    event = get_object_or_404(Event.objects.prefetch_related("translations"), slug=slug)
    return render(
        request,
        "events/event_detail.html",
        {
            "event": event,
            "updates": event_timeline(event=event),
            "language": (get_language() or "en")[:2],
        },
    )
