from django.urls import include, path

from events.web import preferences, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("time-zone/", preferences.timezone_choose, name="timezone"),
    path("editor/", include("events.web.editor.urls")),
]
