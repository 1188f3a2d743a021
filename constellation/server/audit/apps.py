"""App configuration."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit history."""

    name = "constellation.server.audit"
    label = "audit"
    verbose_name = "Audit history"
