from django.urls import include, path

from events.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("editor/", include("events.web.editor.urls")),
]
