from django.urls import include, path

from events.web import preferences, search, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("events/<slug:slug>/timeline/", views.event_timeline_whole, name="event-timeline"),
    path("events/<slug:slug>/articles/", views.event_articles_list, name="event-articles"),
    path("articles/<int:pk>/", views.article_detail, name="article"),
    path("entities/<int:pk>/", views.entity_detail, name="entity"),
    path("search/", search.search, name="search"),
    path("time-zone/", preferences.timezone_choose, name="timezone"),
    path("editor/", include("events.web.editor.urls")),
]
