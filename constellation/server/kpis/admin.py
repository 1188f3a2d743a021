"""Django admin for operators: KPIs and their readings."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.kpis.models import Kpi, KpiReading


@admin.register(Kpi)
class KpiAdmin(AuditedAdmin):
    """Health measures with their healthy ranges."""

    list_display = (
        "title",
        "slug",
        "organization",
        "team",
        "current",
        "unit",
        "healthy_low",
        "healthy_high",
        "direction",
    )
    list_select_related = ("organization", "team")
    raw_id_fields = ("team",)
    search_fields = ("title", "slug", "organization__slug")
    list_filter = ("direction", "organization")


@admin.register(KpiReading)
class KpiReadingAdmin(AuditedAdmin):
    """Readings of KPIs."""

    organization_path = "kpi__organization_id"

    list_display = ("kpi", "value", "taken_on", "author")
    list_select_related = ("kpi", "author")
    search_fields = ("kpi__title", "kpi__slug")
    list_filter = ("taken_on",)
    raw_id_fields = ("kpi", "author")
