"""App configuration."""

from django.apps import AppConfig


class QuarterlyConfig(AppConfig):
    """The quarterly review: grades, decisions, reflections, learnings and the data bank.

    The label stays "reviews" because the tables and migrations carry it; the package says
    what it holds, so it is never mistaken for the review *requests* of `sharing`.
    """

    name = "constellation.server.quarterly"
    label = "reviews"
    verbose_name = "Quarterly reviews"
