"""Django admin for operators: the audit history and its counters (read only), and auditing of
admin edits."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from constellation.server.audit.actions import record, snapshot
from constellation.server.audit.models import AuditEvent


def organization_id_of(instance: models.Model, path: str) -> int | None:
    """Follow `path` (e.g. `objective__organization_id`) from an instance to its organisation."""
    value: Any = instance
    for step in path.split("__"):
        value = getattr(value, step, None)
        if value is None:
            return None
    return value


class AuditedAdmin(admin.ModelAdmin):
    """A model admin whose saves and deletes land in the audit history like any other write.

    The admin already runs each save in a transaction; this adds the audit row to it.
    """

    organization_path = "organization_id"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Save, then record what changed."""
        before = None
        if change and obj.pk is not None:
            saved = type(obj)._default_manager.filter(pk=obj.pk).first()
            before = snapshot(saved) if saved is not None else None
        super().save_model(request, obj, form, change)
        organization_id = organization_id_of(obj, self.organization_path)
        if organization_id is not None:
            after = snapshot(obj)
            if before is not None:
                changed = [name for name in after if before.get(name) != after[name]]
                before = {name: before.get(name) for name in changed}
                after = {name: after[name] for name in changed}
            action = "admin_change" if change else "admin_add"
            record(organization_id, request.user, action, obj, before=before, after=after)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        """Record the deletion, then delete."""
        organization_id = organization_id_of(obj, self.organization_path)
        if organization_id is not None and self.organization_path != "pk":
            record(organization_id, request.user, "admin_delete", obj, before=snapshot(obj))
        super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        """The admin's bulk delete, recorded object by object."""
        for obj in queryset:
            organization_id = organization_id_of(obj, self.organization_path)
            if organization_id is not None and self.organization_path != "pk":
                record(organization_id, request.user, "admin_delete", obj, before=snapshot(obj))
        super().delete_queryset(request, queryset)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit history; never edited, so it stays a faithful record."""

    list_display = ("created_at", "organization", "actor", "action", "object_type", "object_repr")
    list_select_related = ("organization", "actor")
    search_fields = ("object_repr", "actor__username", "organization__slug", "reason")
    list_filter = ("action", "object_type", "organization")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        """No one adds history by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No one rewrites history."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """No one deletes history."""
        return False
