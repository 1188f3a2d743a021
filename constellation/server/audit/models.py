"""One row per change: who, what, when, before and after.

Every new event is noted (`audit.changes`) in the transaction that records it, so what derives
from the data (stored scores, coach findings) is brought up to date before that write commits.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from django.conf import settings
from django.db import models, transaction

from constellation.server.audit import changes


def objective_named(snapshot: object) -> int | None:
    """The objective a before/after snapshot names by id (`"objective": 12`), if any.

    Some events name their objective by slug (a KPI promoted into a key result): a slug is
    not an id, so it is not taken.
    """
    if not isinstance(snapshot, dict):
        return None
    value = snapshot.get("objective")
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Audit events; rows added in bulk are noted like rows added one by one."""

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
        """Insert the events (each with its objective, as `save` fills it) and note them, in one
        transaction."""
        objs = list(objs)
        for event in objs:
            event.fill_objective()
        with transaction.atomic(using=self.db, savepoint=False):
            made = super().bulk_create(
                objs,
                batch_size=batch_size,
                ignore_conflicts=ignore_conflicts,
                update_conflicts=update_conflicts,
                update_fields=update_fields,
                unique_fields=unique_fields,
            )
            changes.noted(made)
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
    # The objective whose history the event belongs to: the objective itself, or the one its
    # key result, initiative, check-in or review belongs to. A plain id, not a foreign key:
    # the audit app sits below the objectives, and the history outlives a deleted objective.
    objective_id = models.BigIntegerField(null=True, blank=True)
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
            # An objective's history, newest first (the objective page).
            models.Index(
                fields=["organization", "objective_id", "created_at"],
                name="audit_event_objective_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_repr}"

    def fill_objective(self) -> None:
        """Set `objective_id` when the caller did not: an objective's own event is its own;
        another event's is the objective its before or after snapshot names by id."""
        if self.objective_id is not None:
            return
        if self.object_type == "objective":
            self.objective_id = self.object_id
        else:
            self.objective_id = objective_named(self.after) or objective_named(self.before)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Save; a new event gets its objective and is noted in the same transaction."""
        adding = self._state.adding
        if adding:
            self.fill_objective()
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                changes.noted([self])
