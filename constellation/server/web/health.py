"""The health check load balancers and the demo's start-up wait use."""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse


def healthz(request: HttpRequest) -> JsonResponse:
    """`{"status": "ok", "database": "ok"}`, or 503 naming what is down."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:  # any database failure means "not ready"
        return JsonResponse(
            {"status": "error", "database": f"error: {type(error).__name__}"}, status=503
        )
    return JsonResponse({"status": "ok", "database": "ok"})
