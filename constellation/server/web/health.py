"""Health checks: /healthz (liveness) and /readyz (readiness) for load balancers and operators.

/healthz answers while the process answers and its database connection works: cheap enough
to probe every few seconds. /readyz also looks at what a deployment can get wrong: migrations
not applied yet (not ready: 503) and a worker that stopped reporting (degraded: still 200,
since the pages work without it, but the body says so for an alert to catch).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.utils import timezone

from constellation.server.tracking.liveness import latest_heartbeat


def _down(reason: str) -> JsonResponse:
    return JsonResponse({"status": "error", "database": f"error: {reason}"}, status=503)


def _database_error() -> str | None:
    """Why the database does not answer, or None when it does."""
    # Asks the connection whether the database answers (a `SELECT 1` where the backend needs
    # one) without reading any table.
    try:
        connection.ensure_connection()
        usable = connection.is_usable()
    except Exception as error:  # any database failure means "not ready"
        return type(error).__name__
    return None if usable else "unusable connection"


def healthz(request: HttpRequest) -> JsonResponse:
    """`{"status": "ok", "database": "ok"}`, or 503 naming what is down."""
    error = _database_error()
    if error is not None:
        return _down(error)
    return JsonResponse({"status": "ok", "database": "ok"})


def _pending_migrations() -> list[str]:
    """The migrations the database still lacks, as `app.name`."""
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    return [f"{migration.app_label}.{migration.name}" for migration, _ in plan]


def _worker_check() -> dict[str, Any]:
    """The most recent worker heartbeat: ok, stale (older than WORKER_STALE_SECONDS) or unknown."""
    latest = latest_heartbeat()
    if latest is None:
        return {"status": "unknown", "last_heartbeat": None}
    age = (timezone.now() - latest).total_seconds()
    stale = age > settings.WORKER_STALE_SECONDS
    return {
        "status": "stale" if stale else "ok",
        "last_heartbeat": latest.isoformat(),
        "age_seconds": round(age),
    }


def readyz(request: HttpRequest) -> JsonResponse:
    """Each check with its status; 503 when the database or the migrations are not ready."""
    error = _database_error()
    checks: dict[str, Any] = {
        "database": {"status": "error", "error": error} if error else {"status": "ok"}
    }
    if error is None:
        pending = _pending_migrations()
        checks["migrations"] = {"status": "pending" if pending else "ok", "pending": pending}
        checks["worker"] = _worker_check()
    ready = error is None and not checks["migrations"]["pending"]
    if not ready:
        status = "error"
    elif checks["worker"]["status"] == "ok":
        status = "ok"
    else:
        status = "degraded"
    return JsonResponse({"status": status, "checks": checks}, status=200 if ready else 503)
