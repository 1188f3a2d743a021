"""Writing the audit history; every action that changes data calls `record`."""

from __future__ import annotations

from typing import Any

from django.db import models

from constellation.server.audit.models import AuditEvent


def snapshot(instance: models.Model, fields: list[str] | None = None) -> dict[str, Any]:
    """The JSON-able values of a model's concrete fields (foreign keys as ids)."""
    data: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if fields is not None and field.name not in fields:
            continue
        value = getattr(instance, field.attname)
        if hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | type(None) | list | dict):
            value = str(value)
        data[field.name] = value
    return data


def record(
    organization_id: int,
    actor: Any,
    action: str,
    instance: models.Model | None = None,
    *,
    object_type: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    """Add one audit event (inside the caller's transaction)."""
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if not object_type and instance is not None:
        object_type = instance._meta.model_name or ""
    return AuditEvent.objects.create(
        organization_id=organization_id,
        actor_id=actor_id,
        action=action,
        object_type=object_type,
        object_id=instance.pk if instance is not None else None,
        object_repr=str(instance)[:300] if instance is not None else "",
        before=before,
        after=after,
        reason=reason,
    )
