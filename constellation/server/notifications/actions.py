"""Every write of notifications: tell people (in the app, and by email when asked), mark read,
and queue an email in the outbox."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from constellation.server.notifications.models import Notification, OutgoingEmail
from constellation.server.notifications.outbox import fold_header
from constellation.server.notifications.tasks import send_on_commit
from constellation.server.orgs.models import Organization

logger = logging.getLogger(__name__)


def do_notify(
    organization: Organization,
    recipients: Iterable[Any],
    kind: str,
    title: str,
    *,
    body: str = "",
    url: str = "",
    actor: Any = None,
    email: bool = False,
    email_preference: str = "email_notifications",
) -> list[Notification]:
    """Notify each recipient once (never the actor), inside the caller's transaction.

    Emails, when asked, leave only after the transaction commits: a rolled-back change never
    mails anyone. `url` is a path inside the site; emails carry it after SITE_URL. Nobody who
    turned off `email_preference` (a yes/no field of their profile) is emailed.
    """
    seen: set[int] = set()
    people = []
    for person in recipients:
        if person is None or person.pk in seen or (actor is not None and person.pk == actor.pk):
            continue
        seen.add(person.pk)
        people.append(person)
    rows = Notification.objects.bulk_create(
        Notification(
            organization=organization,
            recipient=person,
            actor=actor if getattr(actor, "pk", None) else None,
            kind=kind,
            title=title[:300],
            body=body,
            url=url[:500],
        )
        for person in people
    )
    if email:
        _queue(_emails(_wanting_email(people, email_preference), title, body, url))
    return rows


def _wanting_email(people: list[Any], preference: str) -> list[Any]:
    """The people with an address who did not turn this kind of email off on their profile.

    The profile lives in `accounts`, above this app: it is read through the user's reverse
    relation by name, so this app never imports it. No profile means the default: emails on.
    """
    with_address = [person for person in people if person.email]
    if not with_address:
        return []
    muted = set(
        get_user_model()
        .objects.filter(pk__in=[p.pk for p in with_address], **{f"profile__{preference}": False})
        .values_list("pk", flat=True)
    )
    return [person for person in with_address if person.pk not in muted]


def _emails(people: list[Any], title: str, body: str, url: str) -> list[tuple[list[str], str, str]]:
    link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{url}" if url else ""
    text = "\n\n".join(part for part in (body, link) if part)
    return [([person.email], f"[Constellation] {title}", text) for person in people]


def do_queue_email(to: list[str], subject: str, body: str) -> None:
    """Queue one email in the outbox, in the caller's transaction; it leaves after commit.

    A rolled-back change sends nothing; a failed send is logged and retried by the worker
    (`notifications.outbox`), never dropped.
    """
    addresses = [address.strip() for address in to if address and address.strip()]
    if addresses:
        _queue([(addresses, subject, body)])


def _queue(messages: list[tuple[list[str], str, str]]) -> None:
    """Store the messages (one insert) and make their first attempt after commit."""
    if not messages:
        return
    rows = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(to=to, subject=fold_header(subject)[:500], body=body)
        for to, subject, body in messages
    )
    send_on_commit([row.pk for row in rows])


def do_mark_read(person: Any, organization: Organization, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (only theirs; all of them when `ids` is None)."""
    rows = Notification.objects.filter(
        recipient=person, organization=organization, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())


def do_retry_emails(email_ids: Iterable[int], actor: Any) -> int:
    """Make the given unsent emails (waiting or failed) due now and attempt them after commit;
    how many. A failed one gets its attempts back, so its retries start over.

    The outbox belongs to the site, not to an organisation: operators use it from the admin,
    and the retry is logged with who asked (there is no organisation's audit log to hold it).
    """
    with transaction.atomic():
        rows = OutgoingEmail.objects.select_for_update().filter(
            pk__in=list(email_ids), sent_at__isnull=True
        )
        ids = list(rows.values_list("pk", flat=True))
        OutgoingEmail.objects.filter(pk__in=ids).update(
            failed_at=None, attempts=0, next_attempt_at=timezone.now()
        )
        logger.info(
            "%s asked to retry emails %s", getattr(actor, "username", actor), ids or "(none)"
        )
        send_on_commit(ids)
    return len(ids)
