"""API routes for writes (see events/api/urls.py). POST /events/, PATCH /events/{slug}/,
POST /entities/ and POST /articles/ are methods of the read views on the same paths."""

from django.urls import URLPattern, path

from events.api import write_articles, write_entities, write_events, write_updates

urlpatterns: list[URLPattern] = [
    path(
        "events/<slug:slug>/relations/",
        write_events.EventRelationsApi.as_view(),
        name="event-relations",
    ),
    path(
        "events/<slug:slug>/relations/<str:kind>/<slug:other>/",
        write_events.EventRelationApi.as_view(),
        name="event-relation",
    ),
    path(
        "events/<slug:slug>/participants/",
        write_events.EventParticipantsApi.as_view(),
        name="event-participants",
    ),
    path(
        "events/<slug:slug>/participants/<str:entity>/<str:role>/",
        write_events.EventParticipantApi.as_view(),
        name="event-participant",
    ),
    path(
        "events/<slug:slug>/translations/<str:language>/",
        write_events.EventTranslationApi.as_view(),
        name="event-translation",
    ),
    path("entities/<int:pk>/", write_entities.EntityDetailApi.as_view(), name="entity-detail"),
    path(
        "entities/<int:pk>/aliases/",
        write_entities.EntityAliasesApi.as_view(),
        name="entity-aliases",
    ),
    path(
        "entities/<int:pk>/aliases/<int:alias_id>/",
        write_entities.EntityAliasApi.as_view(),
        name="entity-alias",
    ),
    path(
        "events/<slug:slug>/updates/", write_updates.EventUpdatesApi.as_view(), name="event-updates"
    ),
    path("updates/", write_updates.UpdateListApi.as_view(), name="update-list"),
    path("updates/<int:pk>/", write_updates.UpdateDetailApi.as_view(), name="update-detail"),
    path(
        "updates/<int:pk>/citations/",
        write_updates.UpdateCitationsApi.as_view(),
        name="update-citations",
    ),
    path("updates/<int:pk>/submit/", write_updates.UpdateSubmitApi.as_view(), name="update-submit"),
    path(
        "updates/<int:pk>/publish/", write_updates.UpdatePublishApi.as_view(), name="update-publish"
    ),
    path(
        "updates/<int:pk>/retract/", write_updates.UpdateRetractApi.as_view(), name="update-retract"
    ),
    path(
        "articles/submissions/<int:pk>/",
        write_articles.ArticleSubmissionApi.as_view(),
        name="article-submission",
    ),
    path("feeds/", write_articles.FeedListApi.as_view(), name="feed-list"),
    path("feeds/<int:pk>/", write_articles.FeedDetailApi.as_view(), name="feed-detail"),
    path("feeds/<int:pk>/poll/", write_articles.FeedPollApi.as_view(), name="feed-poll"),
    path("events/<slug:slug>/merge/", write_events.EventMergeApi.as_view(), name="event-merge"),
    path(
        "articles/<int:pk>/events/<slug:slug>/",
        write_articles.ArticleEventAttachApi.as_view(),
        name="article-event-attach",
    ),
    path(
        "articles/<int:pk>/events/<slug:slug>/confirm/",
        write_articles.ArticleEventConfirmApi.as_view(),
        name="article-event-confirm",
    ),
    path(
        "articles/<int:pk>/events/<slug:slug>/reject/",
        write_articles.ArticleEventRejectApi.as_view(),
        name="article-event-reject",
    ),
]
