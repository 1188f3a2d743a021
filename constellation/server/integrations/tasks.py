"""The deliveries' jobs: attempt what was queued once its transaction commits, retry what is
due. Each job is idempotent: a delivery is locked while sent and never sent once received."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django_tasks import task

from constellation.server.integrations.outbox import deliver_all, due_delivery_ids


@task()
def deliver_job(delivery_ids: list[int]) -> int:
    """Attempt the given waiting deliveries once; how many were received."""
    return deliver_all(delivery_ids)


@task()
def retry_deliveries_job(at: str | None = None) -> int:
    """Attempt every waiting delivery whose next attempt is due at `at` (ISO 8601, the
    scheduler's clock; default now); how many were received."""
    moment = datetime.fromisoformat(at) if at else None
    return deliver_all(due_delivery_ids(moment), moment)


def deliver_on_commit(delivery_ids: list[int]) -> None:
    """Once the current transaction commits, queue the first attempt at these deliveries.

    Queued, never sent in the request: a slow or failing receiver never slows the person who
    made the change. `robust`: a problem queueing must not turn a committed write into an error.
    """
    if delivery_ids:
        transaction.on_commit(lambda: deliver_job.enqueue(delivery_ids), robust=True)
