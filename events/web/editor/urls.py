"""Editors' pages: review queue and the sourced-update workflow."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
