"""App configuration."""

from django.apps import AppConfig


class StrategyConfig(AppConfig):
    """Strategy."""

    name = "constellation.server.strategy"
    label = "strategy"
    verbose_name = "Strategy"
