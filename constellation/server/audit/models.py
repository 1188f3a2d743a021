"""One row per change: who, what, when, before and after; and a running count per organisation.

Every audit event is counted, in the transaction that records it, in one of a few
`AuditRevision` rows of its organisation. Their sum changes with every committed write, even a
transaction that commits after a later one, so a reader learns in one small query whether the
organisation's data changed, however long the history grows.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import F
from django.db.models.functions import Greatest

# Counter rows per organisation. On PostgreSQL a writer takes one no other transaction holds
# (SKIP LOCKED) and keeps its lock until it commits: with several rows, concurrent writers of
# one organisation neither queue behind each other nor deadlock on the counter.
REVISION_SLOTS = 8


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events; rows added in bulk are counted like rows added one by one."""

    # The stubs' plugin makes this class generic over a model type bound to AuditEvent that
    # cannot be named here: the events and the result are typed through it, hence Any.
    def bulk_create(
        self,
        objs: Iterable[Any],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[Any]:
        """Insert the events and count them, in one transaction."""
        with transaction.atomic(using=self.db, savepoint=False):
            made = super().bulk_create(
                objs,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            by_organization: dict[int, list[int | None]] = defaultdict(list)
            for event in made:
                by_organization[event.organization_id].append(event.pk)
            for organization_id, ids in by_organization.items():
                known = [pk for pk in ids if pk is not None]
                last = max(known) if len(known) == len(ids) else _last_id(organization_id)
                count_events(organization_id, len(ids), last)
            return made


class AuditEvent(models.Model):
    """A recorded change to an organisation's data."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="audit_events"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    action = models.CharField(max_length=40)
    object_type = models.CharField(max_length=40)
    object_id = models.BigIntegerField(null=True)
    object_repr = models.CharField(max_length=300, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["organization", "object_type", "object_id"]),
            # The events after a known id, read to bring a cached view up to date.
            models.Index(fields=["organization", "id"], name="audit_event_org_id_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new event is counted in the same transaction."""
        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                count_events(self.organization_id, 1, self.pk)


class AuditRevision(models.Model):
    """One of an organisation's counters of audit events (their sum is the number of events)
    with the highest event id it counted."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="audit_revisions"
    )
    slot = models.PositiveSmallIntegerField()
    events = models.BigIntegerField(default=0)
    last_event_id = models.BigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organization", "slot"], name="audit_revision_slot")
        ]

    def __str__(self) -> str:
        return f"{self.organization_id}/{self.slot}: {self.events} up to {self.last_event_id}"


def _last_id(organization_id: int) -> int:
    """The organisation's highest event id visible to this transaction."""
    found = AuditEvent.objects.filter(organization_id=organization_id).aggregate(
        last=models.Max("id")
    )
    return found["last"] or 0


def _add(rows: models.QuerySet, events: int, last: int) -> int:
    """Add to the counter rows matched; how many were changed."""
    return rows.update(events=F("events") + events, last_event_id=Greatest("last_event_id", last))


def make_counters(organization_id: int) -> None:
    """Give an organisation its counter rows (those it already has are kept)."""
    AuditRevision.objects.bulk_create(
        [AuditRevision(organization_id=organization_id, slot=n) for n in range(REVISION_SLOTS)],
        ignore_conflicts=True,
    )


def count_events(organization_id: int, events: int, last: int) -> None:
    """Count `events` new events of an organisation (up to id `last`) in the caller's
    transaction: one UPDATE of a counter row no other writer holds."""
    free = AuditRevision.objects.filter(organization_id=organization_id).order_by("slot")
    unlocked = free.select_for_update(skip_locked=True).values("pk")[:1]
    if _add(AuditRevision.objects.filter(pk__in=unlocked), events, last):
        return
    # Every counter held by another writer, or none yet (an organisation created before them).
    make_counters(organization_id)
    slot = random.randrange(REVISION_SLOTS)  # spreads the waits over the rows
    _add(AuditRevision.objects.filter(organization_id=organization_id, slot=slot), events, last)
