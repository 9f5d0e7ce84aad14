"""API routes for the change feed and webhooks (see events/api/urls.py)."""

from django.urls import URLPattern, path

from events.api.changes import ChangesApi
from events.api.webhooks import WebhookDeliveriesApi, WebhookDetailApi, WebhookListApi

urlpatterns: list[URLPattern] = [
    path("changes/", ChangesApi.as_view(), name="change-list"),
    path("webhooks/", WebhookListApi.as_view(), name="webhook-list"),
    path("webhooks/<int:pk>/", WebhookDetailApi.as_view(), name="webhook-detail"),
    path(
        "webhooks/<int:pk>/deliveries/",
        WebhookDeliveriesApi.as_view(),
        name="webhook-deliveries",
    ),
]
