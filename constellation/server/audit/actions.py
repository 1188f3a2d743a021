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
    objective_id: int | None = None,
) -> AuditEvent:
    """Add one audit event (inside the caller's transaction).

    `objective_id` files the event in an objective's history. When it is not given, a row
    that belongs to an objective (a key result, an initiative, a review: it has an
    `objective_id`) gives its own, and otherwise the event finds it itself
    (`AuditEvent.fill_objective`: an objective's own event, or a snapshot naming one).
    """
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if not object_type and instance is not None:
        object_type = instance._meta.model_name or ""
    if objective_id is None and instance is not None:
        objective_id = _objective_of(instance)
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
        objective_id=objective_id,
    )


def _objective_of(instance: models.Model) -> int | None:
    """The objective a row belongs to, when it has one by a foreign key named `objective`."""
    value = getattr(instance, "objective_id", None)
    return value if isinstance(value, int) else None
