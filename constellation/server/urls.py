"""Top-level URLs: health, the API, admin and the web app."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from constellation.server.api.urls import api
from constellation.server.web import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("constellation.server.web.urls")),
]
