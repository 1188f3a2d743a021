"""App configuration."""

from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    """Outbound webhooks and chat channels, their outbox and delivery log."""

    name = "constellation.server.integrations"
    label = "integrations"
    verbose_name = "Integrations"
