"""API routes for exports (see events/api/urls.py)."""

from django.urls import URLPattern, path

from events.api.exports import EventExportApi

urlpatterns: list[URLPattern] = [
    path(
        "events/<slug:slug>/export/<str:fmt>/",
        EventExportApi.as_view(),
        name="event-export",
    ),
]
