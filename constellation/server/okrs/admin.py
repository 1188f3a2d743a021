"""Django admin for operators: periods, objectives, key results, initiatives, alignment."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from constellation.core.work_links import detect
from constellation.server.audit.admin import AuditedAdmin
from constellation.server.okrs.models import (
    Alignment,
    Finding,
    Initiative,
    InitiativeLink,
    KeyResult,
    Objective,
    Period,
)


class VersionedAdmin(AuditedAdmin):
    """Admin edits count as a new version, so an editor who opened the old one is refused."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        """Bump the version, then save and audit."""
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


@admin.register(Period)
class PeriodAdmin(AuditedAdmin):
    """Quarters and years of each organisation."""

    list_display = ("key", "organization", "start", "end", "closed")
    list_select_related = ("organization",)
    search_fields = ("key", "organization__slug")
    list_filter = ("closed", "organization")


class KeyResultInline(admin.TabularInline):
    """Key results inside their objective."""

    model = KeyResult
    fields = ("slug", "title", "type", "baseline", "target", "current", "unit", "weight")
    extra = 0
    show_change_link = True


@admin.register(Objective)
class ObjectiveAdmin(VersionedAdmin):
    """Objectives; edits here bypass the version check, so prefer the app for daily work."""

    list_display = ("title", "slug", "organization", "team", "period", "state", "commitment")
    list_select_related = ("organization", "team", "period")
    search_fields = ("title", "slug", "organization__slug", "team__slug")
    list_filter = ("state", "commitment", "focus", "organization")
    raw_id_fields = ("team", "period", "owner")
    filter_horizontal = ("levers", "guardrails")
    # The stored score is the engine's, kept by every write: never typed by hand.
    readonly_fields = (
        "version",
        "created_at",
        "updated_at",
        "progress",
        "expected",
        "status",
        "grade",
        "findings",
        "scored_on",
    )
    inlines = (KeyResultInline,)


@admin.register(KeyResult)
class KeyResultAdmin(VersionedAdmin):
    """Key results."""

    organization_path = "objective__organization_id"

    list_display = ("title", "slug", "objective", "type", "current", "target", "unit")
    list_select_related = ("objective",)
    search_fields = ("title", "slug", "objective__slug", "objective__title")
    list_filter = ("type",)
    raw_id_fields = ("objective", "owner", "kpi")
    readonly_fields = ("version", "value", "progress", "expected", "status", "forecast")


@admin.register(Initiative)
class InitiativeAdmin(VersionedAdmin):
    """Work expected to move key results."""

    organization_path = "objective__organization_id"

    list_display = ("title", "objective", "status", "owner")
    list_select_related = ("objective", "owner")
    search_fields = ("title", "slug", "objective__slug")
    list_filter = ("status",)
    raw_id_fields = ("objective", "roadmap_item", "owner")
    filter_horizontal = ("moves",)
    readonly_fields = ("version",)


@admin.register(InitiativeLink)
class InitiativeLinkAdmin(AuditedAdmin):
    """Links from initiatives to the work that tracks them (kind and label read from the URL)."""

    organization_path = "initiative__objective__organization_id"

    list_display = ("label", "kind", "initiative")
    list_select_related = ("initiative",)
    search_fields = ("url", "label", "initiative__title")
    list_filter = ("kind",)
    raw_id_fields = ("initiative",)
    readonly_fields = ("kind", "label")

    def save_model(
        self, request: HttpRequest, obj: InitiativeLink, form: Any, change: bool
    ) -> None:
        """Read the kind and label from the address, as the app does."""
        link = detect(obj.url)
        obj.url, obj.kind, obj.label = link.url, link.kind, link.label
        super().save_model(request, obj, form, change)


@admin.register(Alignment)
class AlignmentAdmin(AuditedAdmin):
    """Links between objectives (no cycle check here: use the app or the API to add one)."""

    organization_path = "source__organization_id"

    list_display = ("source", "target", "created_at")
    list_select_related = ("source", "target")
    search_fields = ("source__slug", "target__slug")
    raw_id_fields = ("source", "target")


@admin.register(Finding)
class FindingAdmin(admin.ModelAdmin):
    """The coach's stored findings: kept by every write (`okr rescore` repairs them)."""

    list_display = ("rule", "severity", "object", "period", "team", "organization")
    list_select_related = ("period", "team", "organization")
    list_filter = ("rule", "severity", "organization")
    search_fields = ("object", "message")
    readonly_fields = (
        "organization",
        "period",
        "objective",
        "team",
        "subject",
        "rule",
        "severity",
        "object",
        "message",
        "hint",
        "position",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Findings come from the coach, never by hand."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """A changed finding would say what the coach did not."""
        return False
