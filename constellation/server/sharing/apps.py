"""App configuration."""

from django.apps import AppConfig


class SharingConfig(AppConfig):
    """Review requests, dependencies between teams and launches."""

    name = "constellation.server.sharing"
    label = "sharing"
    verbose_name = "Sharing and launch"
