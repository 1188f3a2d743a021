"""Sending the outbox: one attempt per due email, a growing delay after each failure.

Every email the site sends is first a row (`OutgoingEmail`) written in the caller's
transaction, so a rolled-back change mails nobody and a failed send is never lost: it is
logged, retried after 1, 2, 4, … minutes (capped), and after `EMAIL_MAX_ATTEMPTS` attempts
kept as failed with its error and logged as an error.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from constellation.server.notifications.models import OutgoingEmail

logger = logging.getLogger(__name__)
# The longest wait between two attempts, whatever the number of failures so far.
MAX_DELAY = timedelta(minutes=60)
# Line breaks and every other control character (C0, DEL, C1, Unicode line and paragraph
# separators): in a header they would end it or start another one.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def fold_header(text: str) -> str:
    """A header value safe to send whatever the title it comes from: each run of control
    characters (a newline in an organisation name or a KPI title) becomes one space."""
    return " ".join(CONTROL.sub(" ", text).split())


def message_id(email: OutgoingEmail) -> str:
    """The email's Message-ID, the same at every attempt.

    A worker killed in the instant between the server accepting a message and the outbox
    recording it sends that message again at the retry; mail systems recognise the second
    copy by its unchanged Message-ID.
    """
    domain = settings.DEFAULT_FROM_EMAIL.rpartition("@")[2].strip("> ") or "localhost"
    return f"<outbox.{email.pk}.{email.created_at:%Y%m%d%H%M%S}@{domain}>"


def email_states_since(moment: datetime) -> dict[str, int]:
    """How many emails queued from `moment` on are sent, waiting for a retry, or failed."""
    rows = OutgoingEmail.objects.filter(created_at__gte=moment)
    counts = rows.aggregate(
        total=Count("id"),
        sent=Count("id", filter=Q(sent_at__isnull=False)),
        failed=Count("id", filter=Q(sent_at__isnull=True, failed_at__isnull=False)),
    )
    waiting = counts["total"] - counts["sent"] - counts["failed"]
    return {"sent": counts["sent"], "waiting": waiting, "failed": counts["failed"]}


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
            subject = fold_header(email.subject)
            message = EmailMessage(
                subject,
                email.body,
                settings.DEFAULT_FROM_EMAIL,
                email.to,
                headers={"Message-ID": message_id(email)},
            )
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
