"""The health check load balancers and the demo's start-up wait use."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse


def _down(reason: str) -> JsonResponse:
    return JsonResponse({"status": "error", "database": f"error: {reason}"}, status=503)


def healthz(request: HttpRequest) -> JsonResponse:
    """`{"status": "ok", "database": "ok"}`, or 503 naming what is down."""
    # Asks the connection whether the database answers (a `SELECT 1` where the backend needs
    # one) without reading any table: the page has no rows of its own to read.
    try:
        connection.ensure_connection()
        usable = connection.is_usable()
    except Exception as error:  # any database failure means "not ready"
        return _down(type(error).__name__)
    if not usable:
        return _down("unusable connection")
    return JsonResponse({"status": "ok", "database": "ok"})
