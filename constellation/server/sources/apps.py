"""App configuration."""

from django.apps import AppConfig


class SourcesConfig(AppConfig):
    """Data sources that feed key results and KPIs."""

    name = "constellation.server.sources"
    label = "sources"
    verbose_name = "Data sources"
