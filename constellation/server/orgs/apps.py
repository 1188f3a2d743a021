"""App configuration."""

from django.apps import AppConfig


class OrgsConfig(AppConfig):
    """Organisations, teams, memberships."""

    name = "constellation.server.orgs"
    label = "orgs"
    verbose_name = "Organisations"
