"""Every write of notifications: tell people (in the app, and by email when asked), mark read."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.utils import timezone

from constellation.server.notifications.models import Notification
from constellation.server.orgs.models import Organization


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
) -> list[Notification]:
    """Notify each recipient once (never the actor), inside the caller's transaction.

    Emails, when asked, leave only after the transaction commits: a rolled-back change never
    mails anyone. `url` is a path inside the site; emails carry it after SITE_URL.
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
        messages = _emails(people, title, body, url)
        if messages:
            transaction.on_commit(lambda: send_mass_mail(messages, fail_silently=True))
    return rows


def _emails(
    people: list[Any], title: str, body: str, url: str
) -> list[tuple[str, str, str, list[str]]]:
    link = f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{url}" if url else ""
    text = "\n\n".join(part for part in (body, link) if part)
    return [
        (f"[Constellation] {title}", text, settings.DEFAULT_FROM_EMAIL, [person.email])
        for person in people
        if person.email
    ]


def do_mark_read(person: Any, organization: Organization, ids: Iterable[int] | None = None) -> int:
    """Mark the person's notifications read (only theirs; all of them when `ids` is None)."""
    rows = Notification.objects.filter(
        recipient=person, organization=organization, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return rows.update(read_at=timezone.now())
