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
        """Insert the events and note them, in one transaction."""
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
        """Save; a new event is noted in the same transaction."""
        adding = self._state.adding
        with transaction.atomic(using=kwargs.get("using"), savepoint=False):
            super().save(*args, **kwargs)
            if adding:
                changes.noted([self])
