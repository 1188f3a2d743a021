"""Django admin for operators: check-ins, and what the jobs sent (read only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.tracking.models import (
    CheckIn,
    KpiAlert,
    ScheduledJob,
    SentDigest,
    SentReminder,
    WorkerHeartbeat,
)


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


class SentRecordAdmin(admin.ModelAdmin):
    """Records the jobs write: operators read them; only the jobs add or change them."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Nobody adds a record by hand: it would stop a real reminder from going out."""
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Read only."""
        return False


@admin.register(SentReminder)
class SentReminderAdmin(SentRecordAdmin):
    """Check-in reminders, one per person and slot: notified in the app and the email queued
    (whether it was delivered is the outbox's to say)."""

    list_display = ("person", "organization", "slot", "key_results", "sent_at")
    list_select_related = ("person", "organization")
    list_filter = ("slot",)
    search_fields = ("person__username", "organization__slug")


@admin.register(SentDigest)
class SentDigestAdmin(SentRecordAdmin):
    """Weekly team digests sent, one per team and slot."""

    list_display = ("team", "organization", "slot", "recipients", "sent_at")
    list_select_related = ("team", "organization")
    list_filter = ("slot",)
    search_fields = ("team__slug", "organization__slug")


@admin.register(KpiAlert)
class KpiAlertAdmin(SentRecordAdmin):
    """KPI alerts: opened when a KPI left its healthy range, closed when it came back."""

    list_display = ("kpi", "organization", "value", "recipients", "opened_at", "closed_at")
    list_select_related = ("kpi", "organization")
    list_filter = ("opened_at",)
    search_fields = ("kpi__slug", "organization__slug")


@admin.register(ScheduledJob)
class ScheduledJobAdmin(SentRecordAdmin):
    """What the scheduler enqueued, by key (kind, organisation and slot)."""

    list_display = ("key", "enqueued_at")
    search_fields = ("key",)


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(SentRecordAdmin):
    """Worker processes and their last heartbeat: a silent one has stopped or died."""

    list_display = ("worker_id", "host", "pid", "started_at", "beat_at")
    search_fields = ("worker_id", "host")
