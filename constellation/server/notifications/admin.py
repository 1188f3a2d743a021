"""Operators can look at notifications."""

from django.contrib import admin

from constellation.server.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications, newest first."""

    list_display = ("title", "recipient", "organization", "kind", "created_at", "read_at")
    list_filter = ("kind", "organization")
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "actor")
