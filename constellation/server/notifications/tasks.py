"""The outbox's jobs: send what was queued once its transaction commits, retry what is due.

Kept here rather than in `tracking.tasks`, which sits above this app. Each job is idempotent:
an email is locked while sent and never sent twice, so a job run twice changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django_tasks import task

from constellation.server.notifications.outbox import due_email_ids, send_emails


@task()
def send_emails_job(email_ids: list[int]) -> int:
    """Attempt the given waiting emails once; how many were sent."""
    return send_emails(email_ids)


@task()
def retry_emails_job() -> int:
    """Attempt every waiting email whose next attempt is due; how many were sent."""
    return send_emails(due_email_ids())


def send_on_commit(email_ids: list[int]) -> None:
    """Once the current transaction commits, make the first attempt at these emails.

    The first attempt runs at once in this process, so an email leaves even where no worker
    runs (a test, a one-off command); a failure waits for the worker's retries. `robust`: a
    problem here must not turn the already committed request into an error page.
    """
    if email_ids:
        transaction.on_commit(lambda: send_emails_job.call(email_ids), robust=True)
