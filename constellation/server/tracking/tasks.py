"""The check-in reminder job of one organisation's slot, and enqueuing after a commit."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django_tasks import task

from constellation.server.orgs.models import Organization
from constellation.server.tracking.reminders import send_reminders


@task()
def reminders_job(organization_id: int, slot: str) -> int:
    """Send the check-in reminders of one organisation's slot; how many were sent."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return 0
    return send_reminders(organization, datetime.fromisoformat(slot))


def enqueue_on_commit(job: Any, *args: Any) -> None:
    """Enqueue a job once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: job.enqueue(*args))
