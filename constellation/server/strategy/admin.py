"""Django admin for operators: strategies, levers and roadmap items."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy


@admin.register(Strategy)
class StrategyAdmin(AuditedAdmin):
    """Vision and mission of each organisation, per year."""

    list_display = ("organization", "year", "vision", "version")
    list_select_related = ("organization",)
    search_fields = ("organization__slug", "vision", "mission")


@admin.register(Lever)
class LeverAdmin(AuditedAdmin):
    """Strategic bets."""

    list_display = ("title", "slug", "organization", "focus", "position", "retired_at")
    list_select_related = ("organization",)
    search_fields = ("title", "slug", "organization__slug")
    list_filter = ("organization",)


@admin.register(RoadmapItem)
class RoadmapItemAdmin(AuditedAdmin):
    """Planned work on the roadmap."""

    list_display = ("title", "organization", "lever", "period", "status")
    list_select_related = ("organization", "lever", "period")
    search_fields = ("title", "organization__slug")
    list_filter = ("status", "organization")
