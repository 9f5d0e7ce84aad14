from django.contrib import admin
from django.urls import include, path

from tracker.health import healthz

admin.site.site_header = "Tracker administration"
admin.site.site_title = "Tracker"
admin.site.index_title = "Events, sources and timelines"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("healthz", healthz, name="healthz"),
    path("api/v1/", include("events.api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("", include("events.web.urls")),
]
