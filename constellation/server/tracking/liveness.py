"""Worker heartbeats, and the reaper that gives a dead worker's jobs back to the queue.

Each `okr worker` process writes a `WorkerHeartbeat` row when it starts and moves its `beat_at`
every `WORKER_HEARTBEAT_SECONDS`. The job queue (`django-tasks-db`) marks a job RUNNING when a
worker claims it and never looks at it again: a worker killed in the middle leaves it running
for ever. The reaper, run by every worker's scheduler, finds the RUNNING jobs whose worker has
been silent for `WORKER_SILENT_SECONDS` and makes them READY again, so another worker runs
them. The jobs are resumable: their work is split into units claimed by unique rows (one
`SentReminder` per person and slot, one `SentDigest` per team and slot, one open `KpiAlert` per
KPI), so the second run sends only what the first did not, each unit exactly once.
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import datetime, timedelta
from uuid import UUID

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from constellation.server.tracking.models import WorkerHeartbeat

logger = logging.getLogger(__name__)
# A job whose workers died this many times is given up on (kept as failed, with the reason)
# rather than handed to the next worker: it may be what kills them.
MAX_CLAIMS = 5
# Rows of workers silent this long are forgotten (they only said when the worker died).
FORGET_AFTER = timedelta(days=1)


def beat(worker_id: str, at: datetime | None = None) -> None:
    """Record that this worker process is alive now (the first beat creates its row)."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": at or timezone.now()},
        create_defaults={
            "beat_at": at or timezone.now(),
            "host": socket.gethostname()[:255],
            "pid": os.getpid(),
        },
    )


def forget_worker(worker_id: str) -> None:
    """A worker that stops cleanly removes its row: it has no job left running."""
    WorkerHeartbeat.objects.filter(worker_id=worker_id).delete()


def worker_heartbeats() -> QuerySet[WorkerHeartbeat]:
    """Every known worker process, the most recently heard first."""
    return WorkerHeartbeat.objects.order_by("-beat_at", "-id")


def latest_heartbeat() -> datetime | None:
    """When a worker was last heard from (None when no worker has run): for health checks."""
    latest = worker_heartbeats().values_list("beat_at", flat=True).first()
    return latest


def silent_since(at: datetime | None = None) -> datetime:
    """The moment before which a worker's last beat means it is dead."""
    return (at or timezone.now()) - timedelta(seconds=settings.WORKER_SILENT_SECONDS)


def reap_silent_jobs(at: datetime | None = None) -> list[str]:
    """Give the RUNNING jobs of silent workers back to the queue; their ids.

    A job claimed too often (`MAX_CLAIMS`) is marked failed instead, with the reason. Each
    change is conditional on the job still being in the state read, so two reapers (or the
    worker coming back to life) never both act on it.
    """
    at = at or timezone.now()
    cutoff = silent_since(at)
    running = DBTaskResult.objects.filter(status="RUNNING", started_at__lt=cutoff)
    candidates = list(running.values_list("id", "worker_ids", "started_at", "task_path")[:500])
    if not candidates:
        return []
    alive = set(
        WorkerHeartbeat.objects.filter(beat_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    reaped: list[str] = []
    for task_id, worker_ids, started_at, path in candidates:
        if worker_ids and worker_ids[-1] in alive:
            continue
        if _reap(task_id, worker_ids, started_at, path, at):
            reaped.append(str(task_id))
    WorkerHeartbeat.objects.filter(beat_at__lt=at - FORGET_AFTER).delete()
    return reaped


def _reap(
    task_id: UUID, worker_ids: list[str], started_at: datetime | None, path: str, at: datetime
) -> bool:
    """Requeue (or give up on) one job of a silent worker; False when someone else did."""
    still = DBTaskResult.objects.filter(pk=task_id, status="RUNNING", started_at=started_at)
    silent = worker_ids[-1] if worker_ids else "?"
    if len(worker_ids) >= MAX_CLAIMS:
        reason = f"its worker went silent {len(worker_ids)} times (last {silent})"
        changed = still.update(
            status="FAILED",
            finished_at=at,
            exception_class_path="constellation.server.tracking.liveness.WorkerLost",
            traceback=f"WorkerLost: {reason}\n",
        )
        if changed:
            logger.error("job %s (%s) failed for good: %s", task_id, path, reason)
        return bool(changed)
    changed = still.update(status="READY", started_at=None)
    if changed:
        logger.warning("job %s (%s) requeued: worker %s went silent", task_id, path, silent)
    return bool(changed)


def requeue_interrupted(task_id: UUID) -> bool:
    """Give back to the queue a job its own worker stopped by force (a second Ctrl-C, SIGTERM
    during shutdown): the queue records it as failed, though it only did part of its work.
    True when it was requeued."""
    interrupted = DBTaskResult.objects.filter(
        pk=task_id,
        status="FAILED",
        exception_class_path__in=["builtins.SystemExit", "builtins.KeyboardInterrupt"],
    )
    changed = interrupted.update(status="READY", started_at=None, finished_at=None)
    if changed:
        logger.warning("job %s requeued: its worker was stopped in the middle", task_id)
    return bool(changed)
