"""Django admin for operators: learnings."""

from __future__ import annotations

from django.contrib import admin

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.reviews.models import Learning


@admin.register(Learning)
class LearningAdmin(AuditedAdmin):
    """What teams learnt, period by period."""

    list_display = ("text", "team", "period", "author", "created_at")
    list_select_related = ("team", "period", "author")
    search_fields = ("text", "team__slug", "period__key")
    list_filter = ("period__key",)
    raw_id_fields = ("team", "period", "objective", "key_result", "author")
