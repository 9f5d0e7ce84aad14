"""Editors' pages: review queue and the sourced-update workflow."""

from django.urls import path

from events.web.editor import views

urlpatterns = [
    path("review/", views.review_queue, name="review-queue"),
    path(
        "review/links/<int:link_id>/confirm/",
        views.link_decide,
        {"decision": "confirm"},
        name="editor-link-confirm",
    ),
    path(
        "review/links/<int:link_id>/reject/",
        views.link_decide,
        {"decision": "reject"},
        name="editor-link-reject",
    ),
    path("articles/<int:article_id>/attach/", views.article_attach, name="editor-attach"),
    path("articles/<int:article_id>/new-event/", views.event_start, name="editor-event-start"),
    path("articles/<int:article_id>/update/", views.update_from_article, name="editor-update-new"),
    path("updates/<int:update_id>/", views.update_detail, name="editor-update"),
    path("updates/<int:update_id>/edit/", views.update_edit_view, name="editor-update-edit"),
    path(
        "updates/<int:update_id>/submit/",
        views.update_transition,
        {"action": "submit"},
        name="editor-update-submit",
    ),
    path(
        "updates/<int:update_id>/publish/",
        views.update_transition,
        {"action": "publish"},
        name="editor-update-publish",
    ),
    path(
        "updates/<int:update_id>/citations/", views.update_citation_add, name="editor-citation-add"
    ),
    path(
        "updates/<int:update_id>/correction/publish/",
        views.update_revision_action,
        {"action": "publish"},
        name="editor-revision-publish",
    ),
    path(
        "updates/<int:update_id>/correction/discard/",
        views.update_revision_action,
        {"action": "discard"},
        name="editor-revision-discard",
    ),
    path(
        "updates/<int:update_id>/retract/", views.update_retract_view, name="editor-update-retract"
    ),
    path("feeds/", views.feeds_health, name="editor-feeds"),
    path("feeds/<int:feed_id>/poll/", views.feed_poll_now, name="editor-feed-poll"),
]
