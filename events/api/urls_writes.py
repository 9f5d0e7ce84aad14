"""API routes for writes (see events/api/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
