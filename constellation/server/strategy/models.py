"""Vision, mission, levers and roadmap items: the strategy OKRs model."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from constellation.server.scoping import OrganizationQuerySet


def this_year() -> int:
    """The current year: a strategy written without a year is this year's."""
    return timezone.localdate().year


class Focus(models.TextChoices):
    """Whom a lever's outcome is for, in the words objectives use."""

    CUSTOMER = "customer"
    BUSINESS = "business"
    BOTH = "both"


class Strategy(models.Model):
    """An organisation's vision and mission for one year."""

    objects = OrganizationQuerySet["Strategy"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="strategies"
    )
    year = models.PositiveSmallIntegerField(default=this_year)
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)
    # Optimistic concurrency: leaders edit the same text; a stale edit is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "strategies"
        # Newest first, so `.first()` is the strategy in force when no year is asked for.
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="strategy_year_per_org")
        ]

    def __str__(self) -> str:
        return f"Strategy {self.year} of {self.organization}"


class Lever(models.Model):
    """A strategic bet that objectives are meant to model."""

    objects = OrganizationQuerySet["Lever"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="levers"
    )
    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    focus = models.CharField(max_length=10, choices=Focus.choices, blank=True)
    position = models.PositiveIntegerField(default=0)
    # A retired bet stays (objectives of past periods still name it) but leaves the strategy.
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="lever_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class RoadmapItem(models.Model):
    """A planned piece of work on the roadmap, linked to the lever it serves."""

    objects = OrganizationQuerySet["RoadmapItem"].as_manager()

    class Status(models.TextChoices):
        PLANNED = "planned"
        IN_PROGRESS = "in_progress"
        DONE = "done"
        DROPPED = "dropped"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="roadmap_items"
    )
    lever = models.ForeignKey(
        Lever, null=True, blank=True, on_delete=models.SET_NULL, related_name="roadmap_items"
    )
    title = models.CharField(max_length=300)
    period = models.ForeignKey(
        "okrs.Period", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PLANNED)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
