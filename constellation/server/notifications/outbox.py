"""Sending the outbox: one attempt per due email, a growing delay after each failure.

Every email the site sends is first a row (`OutgoingEmail`) written in the caller's
transaction, so a rolled-back change mails nobody and a failed send is never lost: it is
logged, retried after 1, 2, 4, … minutes (capped), and after `EMAIL_MAX_ATTEMPTS` attempts
kept as failed with its error and logged as an error.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from constellation.server.notifications.models import OutgoingEmail

logger = logging.getLogger(__name__)
# The longest wait between two attempts, whatever the number of failures so far.
MAX_DELAY = timedelta(minutes=60)


def waiting_emails() -> QuerySet[OutgoingEmail]:
    """Emails neither sent nor given up on."""
    return OutgoingEmail.objects.filter(sent_at__isnull=True, failed_at__isnull=True)


def due_email_ids(at: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of the waiting emails whose next attempt is due at `at` (default: now)."""
    due = waiting_emails().filter(next_attempt_at__lte=at or timezone.now())
    return list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1, 2, 4, … minutes, capped."""
    return min(timedelta(minutes=2 ** min(attempts - 1, 20)), MAX_DELAY)


def send_emails(ids: Iterable[int], at: datetime | None = None) -> int:
    """Attempt each waiting email of `ids` once; how many were sent."""
    return sum(send_email(email_id, at) for email_id in ids)


def send_email(email_id: int, at: datetime | None = None) -> bool:
    """Attempt one waiting email; True when it left. Failures are recorded, never raised.

    The row is locked while it is sent, so two workers never send the same email twice.
    """
    at = at or timezone.now()
    with transaction.atomic():
        email = waiting_emails().select_for_update().filter(pk=email_id).first()
        if email is None:
            return False  # sent or given up on by someone else meanwhile
        try:
            message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, email.to)
            message.send()
        except Exception as error:  # any backend's failure: SMTP, DNS, a full disk
            _record_failure(email, error, at)
            return False
        email.sent_at = at
        email.attempts += 1
        email.save(update_fields=["sent_at", "attempts"])
    return True


def _record_failure(email: OutgoingEmail, error: Exception, at: datetime) -> None:
    """Log the failure and schedule the next attempt, or give up after the last one."""
    email.attempts += 1
    email.last_error = f"{type(error).__name__}: {error}"[:2000]
    if email.attempts >= settings.EMAIL_MAX_ATTEMPTS:
        email.failed_at = at
        logger.error(
            "email %s to %s failed for good after %s attempts: %s",
            email.pk,
            ", ".join(email.to),
            email.attempts,
            email.last_error,
        )
    else:
        email.next_attempt_at = at + retry_delay(email.attempts)
        logger.warning(
            "email %s failed (attempt %s, next at %s): %s",
            email.pk,
            email.attempts,
            email.next_attempt_at.isoformat(),
            email.last_error,
        )
    email.save(update_fields=["attempts", "last_error", "failed_at", "next_attempt_at"])
