"""App configuration."""

from django.apps import AppConfig


class ReviewsConfig(AppConfig):
    """Reviews: what a team learnt in a period, kept for the next one."""

    name = "constellation.server.reviews"
    label = "reviews"
    verbose_name = "Reviews"
