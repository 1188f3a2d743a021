"""Check-in reminders: at each slot of the cadence, one message per person with what is due.

A key result is due when its objective is launched in a period that contains the slot's day
and nobody checked in on it since the previous slot's day. Its owner (or, without one, the
objective's owner) gets one in-app notification and one email listing all their due key
results. The `SentReminder` row goes in first, in the same transaction as the notification:
a second worker on the same slot hits the unique constraint and sends nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.models import Membership, Organization
from constellation.server.tracking.cadence import cadence_of
from constellation.server.tracking.models import CheckIn, SentReminder


@dataclass(frozen=True, slots=True)
class DueKeyResult:
    """A key result waiting for a check-in, with what a link to it needs."""

    slug: str
    title: str
    objective_slug: str
    objective_title: str

    def path(self, organization: Organization) -> str:
        """The key result on its objective's page."""
        return f"/o/{organization.slug}/objectives/{self.objective_slug}/#kr-{self.slug}"


@dataclass(slots=True)
class DueReminder:
    """One person's reminder for one slot: the key results they have not checked in on."""

    person: Any
    key_results: list[DueKeyResult] = field(default_factory=list)


def due_key_results(organization: Organization, day: date, since: date) -> QuerySet[Any]:
    """Key results of objectives launched in a period containing `day` that nobody checked in
    on from `since` to `day`, save finished milestones (they have no news), each annotated
    with `person`: its owner, else its objective's owner."""
    periods = Period.objects.filter(organization=organization, start__lte=day, end__gte=day)
    recent = CheckIn.objects.filter(
        key_result=OuterRef("pk"), checked_on__gte=since, checked_on__lte=day
    )
    return (
        KeyResult.objects.filter(
            objective__organization=organization,
            objective__state=Objective.State.LAUNCHED,
            objective__period__in=periods,
        )
        .exclude(type=KeyResult.Type.MILESTONE, done=True)
        .annotate(person=Coalesce("owner_id", "objective__owner_id"), recent=Exists(recent))
        .filter(Q(recent=False))
    )


def due_reminders(organization: Organization, slot: datetime) -> list[DueReminder]:
    """Who is due a reminder at `slot` and for what, in two queries whatever the data size."""
    cadence = cadence_of(organization)
    day = cadence.local_day(slot)
    since = cadence.local_day(cadence.previous_slot(slot))
    # A deactivated membership writes nothing and hears nothing.
    writers = Membership.objects.filter(
        organization=organization, deactivated_at__isnull=True
    ).exclude(role=Membership.Role.VIEWER)
    rows = (
        due_key_results(organization, day, since)
        .filter(Q(person__in=writers.values("user_id")))
        .order_by("person", "objective__position", "objective_id", "position", "id")
        .values_list("person", "slug", "title", "objective__slug", "objective__title")
    )
    by_person: dict[int, DueReminder] = {}
    people = get_user_model().objects.in_bulk({row[0] for row in rows})
    for person_id, slug, title, objective_slug, objective_title in rows:
        due = by_person.setdefault(person_id, DueReminder(people[person_id]))
        due.key_results.append(DueKeyResult(slug, title, objective_slug, objective_title))
    return list(by_person.values())


def _day(value: date) -> str:
    return f"{value:%A} {value.day} {value:%B}"


def reminder_text(organization: Organization, due: DueReminder, since: date) -> tuple[str, str]:
    """The reminder's title and body (the body lists each key result with its link)."""
    count = len(due.key_results)
    noun = "key result" if count == 1 else "key results"
    title = f"Check-in reminder: {count} {noun} at {organization.name}"
    site = settings.SITE_URL.rstrip("/")
    name = due.person.first_name or due.person.username
    lines = [
        f"Hello {name},",
        "",
        f"It is check-in time at {organization.name}. "
        f"These {noun} have had no check-in since {_day(since)}:",
        "",
    ]
    for kr in due.key_results:
        lines += [f"- {kr.title}", f"  {kr.objective_title}", f"  {site}{kr.path(organization)}"]
    lines += ["", "A check-in is a value, a confidence from 0 to 10 and a note."]
    # My week holds every key result of theirs on one page: one visit checks them all in.
    my_week = reverse("my-week", kwargs={"org": organization.slug})
    lines += [f"Check in on all of them at once in My week: {site}{my_week}"]
    return title, "\n".join(lines)


def send_reminder(organization: Organization, due: DueReminder, slot: datetime) -> bool:
    """Send one person's reminder for a slot unless it was sent already; True when sent now."""
    cadence = cadence_of(organization)
    since = cadence.local_day(cadence.previous_slot(slot))
    title, body = reminder_text(organization, due, since)
    objectives = {kr.objective_slug for kr in due.key_results}
    # Several objectives: My week, where all of them are checked in at once.
    url = reverse("my-week", kwargs={"org": organization.slug})
    if len(objectives) == 1:
        url = f"/o/{organization.slug}/objectives/{objectives.pop()}/"
    with writes.atomic():
        try:
            # A savepoint: the constraint's refusal must not break the outer transaction.
            with writes.atomic():
                sent = SentReminder.objects.create(
                    organization=organization,
                    person=due.person,
                    slot=slot,
                    key_results=len(due.key_results),
                )
        except IntegrityError:
            return False  # another worker sent this one
        do_notify(
            organization,
            [due.person],
            Notification.Kind.REMINDER,
            title,
            body=body,
            url=url,
            email=True,
        )
        record(
            organization.pk,
            None,
            "send_reminder",
            sent,
            after={
                "person": due.person.username,
                "slot": slot.isoformat(),
                "key_results": [f"{kr.objective_slug}/{kr.slug}" for kr in due.key_results],
            },
        )
    return True


def send_reminders(organization: Organization, slot: datetime) -> int:
    """Send every reminder due at `slot` that no worker has sent yet; how many were sent."""
    return sum(send_reminder(organization, due, slot) for due in due_reminders(organization, slot))
