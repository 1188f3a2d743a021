"""App configuration."""

from django.apps import AppConfig


class WebConfig(AppConfig):
    """Web."""

    name = "constellation.server.web"
    label = "web"
    verbose_name = "Web"
