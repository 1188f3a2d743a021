"""The REST API (Django Ninja) and personal access tokens."""
