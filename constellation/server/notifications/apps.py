"""App configuration."""

from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """In-app notifications (and their emails)."""

    name = "constellation.server.notifications"
    label = "notifications"
    verbose_name = "Notifications"
