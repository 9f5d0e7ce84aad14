"""Editors' pages: review queue and the sourced-update workflow."""

from django.urls import path

from events.web.editor import views

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
]
