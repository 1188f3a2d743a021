"""Django admin for operators: check-ins."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.tracking.models import CheckIn


@admin.register(CheckIn)
class CheckInAdmin(AuditedAdmin):
    """Readings of key results."""

    organization_path = "key_result__objective__organization_id"

    list_display = ("key_result", "value", "done", "confidence", "checked_on", "author")
    list_select_related = ("key_result", "author")
    search_fields = ("key_result__title", "key_result__slug", "note", "author__username")
    list_filter = ("checked_on", "confidence")
    date_hierarchy = "checked_on"
    raw_id_fields = ("key_result", "author")
