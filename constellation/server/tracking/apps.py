"""App configuration."""

from django.apps import AppConfig


class TrackingConfig(AppConfig):
    """Tracking."""

    name = "constellation.server.tracking"
    label = "tracking"
    verbose_name = "Tracking"
