"""Django admin for operators: data sources (their secrets stay sealed)."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.sources.models import DataSource


@admin.register(DataSource)
class DataSourceAdmin(AuditedAdmin):
    """Data sources and how their last sync went."""

    list_display = ("__str__", "organization", "kind", "last_run_at", "last_value", "failures")
    list_select_related = ("organization",)
    list_filter = ("kind",)
    raw_id_fields = ("key_result", "kpi", "created_by")
    # The sealed columns are never edited by hand: a new secret goes through the forms.
    readonly_fields = ("sealed_header_value", "sealed_database_url")
