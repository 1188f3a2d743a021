"""App configuration."""

from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Audit history, and what every write changed (`audit.changes`)."""

    name = "constellation.server.audit"
    label = "audit"
    verbose_name = "Audit history"

    def ready(self) -> None:
        """Watch the rows that stored scores and findings are made of."""
        from constellation.server.audit.changes import watch_models

        watch_models()
