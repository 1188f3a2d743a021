"""Vision, mission, levers and roadmap items: the strategy OKRs model."""

from __future__ import annotations

from django.db import models


class Strategy(models.Model):
    """An organisation's vision and mission."""

    organization = models.OneToOneField(
        "orgs.Organization", on_delete=models.CASCADE, related_name="strategy"
    )
    vision = models.TextField(blank=True)
    mission = models.TextField(blank=True)

    class Meta:
        verbose_name_plural = "strategies"

    def __str__(self) -> str:
        return f"Strategy of {self.organization}"


class Lever(models.Model):
    """A strategic bet that objectives are meant to model."""

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="levers"
    )
    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    description = models.TextField(blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="lever_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.title


class RoadmapItem(models.Model):
    """A planned piece of work on the roadmap, linked to the lever it serves."""

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

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title
