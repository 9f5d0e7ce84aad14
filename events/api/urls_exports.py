"""API routes for exports (see events/api/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
