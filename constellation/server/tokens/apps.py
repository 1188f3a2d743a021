"""App configuration."""

from django.apps import AppConfig


class TokensConfig(AppConfig):
    """Personal access tokens for the REST API.

    The label stays "api" because the table (`api_apitoken`), its migrations and its content
    type carry it from the days the tokens lived in the API package; the package says what it
    holds, and the API face keeps no models of its own.
    """

    name = "constellation.server.tokens"
    label = "api"
    verbose_name = "API tokens"
