"""App configuration."""

from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Invitations by email and the management of an organisation's people."""

    name = "constellation.server.people"
    label = "people"
    verbose_name = "People"
