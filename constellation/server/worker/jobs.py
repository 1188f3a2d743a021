"""The worker: the scheduler that enqueues what is due, and the weekly team digests job.

The jobs are Django tasks on the database queue; each domain app keeps its own
(`tracking.tasks`, `kpis.tasks`, `notifications.tasks`, `sources.tasks`, `integrations.tasks`),
and this module, above the plans layer, adds the digests.

`okr worker` runs the queue, calls `schedule_due` every minute, and beats its heartbeat and
runs the reaper (`reap_silent_workers`) every `WORKER_HEARTBEAT_SECONDS`. Jobs are enqueued
only after the enqueuing transaction commits, and each one is idempotent on its own (unique
records of what was sent), so a job run twice, or by two workers at once, or again after
its worker died half-way, sends nothing twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_tasks import task

from constellation.server.integrations.outbox import due_delivery_ids
from constellation.server.integrations.tasks import retry_deliveries_job
from constellation.server.kpis.tasks import kpi_sweep_job
from constellation.server.notifications.outbox import due_email_ids
from constellation.server.notifications.tasks import retry_emails_job
from constellation.server.okrs.actions import do_open_periods_everywhere
from constellation.server.orgs.models import Organization
from constellation.server.plans.stored import refresh_calendar
from constellation.server.sources.access import due_sources
from constellation.server.sources.tasks import sync_source_job
from constellation.server.tracking.cadence import cadence_of, now
from constellation.server.tracking.liveness import reap_silent_jobs
from constellation.server.tracking.models import ScheduledJob
from constellation.server.tracking.tasks import enqueue_on_commit, reminders_job
from constellation.server.worker.digests import send_digests

logger = logging.getLogger(__name__)
KPI_SWEEP_MINUTES = 15
# Records of what the scheduler enqueued are only needed while their slot can still come up.
KEEP_SCHEDULED = timedelta(days=35)


@task()
def digests_job(organization_id: int, slot: str) -> int:
    """Send the weekly team digests of one organisation's slot; how many were sent."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return send_digests(organization, datetime.fromisoformat(slot))


@task()
def calendar_job() -> int:
    """Open the periods the calendar reached (the next quarter `plan_ahead_days` before it
    starts), then rescore what it moved since it was scored (expected progress, status); how
    many objectives. Cheap when nothing is due: a few queries."""
    do_open_periods_everywhere()
    return refresh_calendar()


def _due(moment: datetime) -> list[tuple[str, Any, tuple[Any, ...]]]:
    """(key, job, arguments) of everything due at `moment`, one entry per slot."""
    catch_up = timedelta(hours=settings.REMINDER_CATCH_UP_HOURS)
    due: list[tuple[str, Any, tuple[Any, ...]]] = []
    organizations = Organization.objects.only("id", "checkin_weekday", "checkin_time", "time_zone")
    for organization in organizations:
        slot = cadence_of(organization).latest_slot(moment)
        if moment - slot > catch_up:
            continue
        stamp = f"{organization.pk}:{slot:%Y-%m-%dT%H:%MZ}"
        due.append((f"reminders:{stamp}", reminders_job, (organization.pk, slot.isoformat())))
        due.append((f"digests:{stamp}", digests_job, (organization.pk, slot.isoformat())))
    sweep = moment.replace(second=0, microsecond=0)
    sweep -= timedelta(minutes=sweep.minute % KPI_SWEEP_MINUTES)
    due.append((f"kpi-sweep:{sweep:%Y-%m-%dT%H:%MZ}", kpi_sweep_job, ()))
    # Stored scores depend on the day: rescored each hour for what a new day made stale.
    due.append((f"calendar:{moment:%Y-%m-%dT%HZ}", calendar_job, ()))
    # Data sources whose next run has come, one job per source and run.
    for source_id, next_run in due_sources(moment):
        due.append(
            (f"source:{source_id}:{next_run:%Y-%m-%dT%H:%M:%SZ}", sync_source_job, (source_id,))
        )
    # Failed emails whose retry is due, swept each minute (only then: no empty job every minute).
    if due_email_ids(moment, limit=1):
        due.append((f"email-retry:{moment:%Y-%m-%dT%H:%MZ}", retry_emails_job, ()))
    # Webhook and chat deliveries whose retry is due, the same way.
    if due_delivery_ids(moment, limit=1):
        key = f"webhook-retry:{moment:%Y-%m-%dT%H:%MZ}"
        due.append((key, retry_deliveries_job, (moment.isoformat(),)))
    return due


def reap_silent_workers() -> list[str]:
    """Requeue the jobs of workers gone silent (`tracking.liveness`); their ids.

    An email a dead worker was sending is already in the outbox, waiting: the retry sweep is
    enqueued at once rather than at the next minute, so it leaves with the rest of the job.
    """
    reaped = reap_silent_jobs()
    if reaped and due_email_ids(limit=1):
        retry_emails_job.enqueue()
    return reaped


def schedule_due(moment: datetime | None = None) -> list[str]:
    """Enqueue every job due at `moment` (default: the jobs' clock) that no scheduler enqueued.

    Each job's key is inserted before it is enqueued, in its own transaction: with several
    workers, the unique key lets exactly one of them enqueue it.
    """
    moment = moment or now()
    due = _due(moment)
    known = set(
        ScheduledJob.objects.filter(key__in=[key for key, _, _ in due]).values_list(
            "key", flat=True
        )
    )
    enqueued: list[str] = []
    for key, job, args in due:
        if key in known:
            continue
        try:
            with transaction.atomic():
                ScheduledJob.objects.create(key=key)
                enqueue_on_commit(job, *args)
        except IntegrityError:
            continue  # another scheduler took it between the read and the insert
        enqueued.append(key)
    ScheduledJob.objects.filter(enqueued_at__lt=timezone.now() - KEEP_SCHEDULED).delete()
    if enqueued:
        logger.info("enqueued %s", ", ".join(enqueued))
    return enqueued
