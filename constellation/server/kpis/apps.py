"""App configuration."""

from django.apps import AppConfig


class KpisConfig(AppConfig):
    """KPIs."""

    name = "constellation.server.kpis"
    label = "kpis"
    verbose_name = "KPIs"
