"""Operators can look at notifications."""

from django.contrib import admin

from constellation.server.notifications.models import Notification, OutgoingEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications, newest first."""

    list_display = ("title", "recipient", "organization", "kind", "created_at", "read_at")
    list_filter = ("kind", "organization")
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "actor")


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry, what failed and why."""

    list_display = ("subject", "created_at", "attempts", "next_attempt_at", "sent_at", "failed_at")
    list_filter = ("sent_at", "failed_at")
    search_fields = ("subject",)
    readonly_fields = ("created_at", "sent_at", "failed_at", "last_error")
