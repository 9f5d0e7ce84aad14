"""API routes for changes (see events/api/urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
