"""App configuration."""

from django.apps import AppConfig


class OkrsConfig(AppConfig):
    """OKRs."""

    name = "constellation.server.okrs"
    label = "okrs"
    verbose_name = "OKRs"
