"""App configuration."""

from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """The first admin's setup, people's accounts, profiles and passwords."""

    name = "constellation.server.accounts"
    label = "accounts"
    verbose_name = "Accounts"
