"""Top-level URLs: health, the API, admin and the web app, and the error pages."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

from constellation.server.api.urls import api
from constellation.server.web import health, metrics
from constellation.server.web.views import errors

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("metrics", metrics.metrics, name="metrics"),
    path("favicon.ico", errors.favicon, name="favicon"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("", include("constellation.server.web.urls")),
]

handler400 = "constellation.server.web.views.errors.bad_request"
handler403 = "constellation.server.web.views.errors.forbidden"
handler404 = "constellation.server.web.views.errors.not_found"
handler500 = "constellation.server.web.views.errors.server_error"
