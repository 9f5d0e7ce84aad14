from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from events.api import urls_changes, urls_exports, urls_writes, views
from events.api.event_articles import EventArticlesApi
from events.api.search import SearchApi

app_name = "api"

urlpatterns = [
    *urls_exports.urlpatterns,
    *urls_changes.urlpatterns,
    # Before the write routes: this read view (with PATCH inherited) answers the same path.
    path("entities/<int:pk>/", views.EntityDetailApi.as_view(), name="entity-detail"),
    *urls_writes.urlpatterns,
    path("events/", views.EventListApi.as_view(), name="event-list"),
    path("events/<slug:slug>/", views.EventDetailApi.as_view(), name="event-detail"),
    path("events/<slug:slug>/timeline/", views.EventTimelineApi.as_view(), name="event-timeline"),
    path("events/<slug:slug>/articles/", EventArticlesApi.as_view(), name="event-articles"),
    path("articles/", views.ArticleListApi.as_view(), name="article-list"),
    path("articles/<int:pk>/", views.ArticleDetailApi.as_view(), name="article-detail"),
    path("entities/", views.EntityListApi.as_view(), name="entity-list"),
    path("outlets/", views.OutletListApi.as_view(), name="outlet-list"),
    path("search/", SearchApi.as_view(), name="search"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    re_path(r"^.*$", views.NotFoundApi.as_view(), name="not-found"),
]
