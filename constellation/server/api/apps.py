"""App configuration."""

from django.apps import AppConfig


class ApiConfig(AppConfig):
    """API."""

    name = "constellation.server.api"
    label = "api"
    verbose_name = "API"
