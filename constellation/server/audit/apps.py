"""App configuration."""

from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_save


class AuditConfig(AppConfig):
    """Audit history."""

    name = "constellation.server.audit"
    label = "audit"
    verbose_name = "Audit history"

    def ready(self) -> None:
        """Give every new organisation its event counters as it is created."""
        post_save.connect(_new_organization, sender="orgs.Organization", dispatch_uid="audit")


def _new_organization(sender: Any, instance: Any, created: bool, raw: bool, **kwargs: Any) -> None:
    # Made in the transaction creating the organisation, which no other writer can see yet:
    # its first writes never queue behind one another to make them.
    if created and not raw:
        from constellation.server.audit.models import make_counters

        make_counters(instance.pk)
