"""KPIs (health measures with a healthy range) and their readings."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import ByKpi, OrganizationQuerySet


class Kpi(models.Model):
    """A health measure: watched all the time, not pushed."""

    objects = OrganizationQuerySet["Kpi"].as_manager()

    class Direction(models.TextChoices):
        INCREASE = "increase"
        DECREASE = "decrease"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="kpis"
    )
    # The team that watches it, if any: promoting the KPI offers that team's objectives.
    team = models.ForeignKey(
        "orgs.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="kpis"
    )
    slug = models.SlugField(max_length=60)
    title = models.CharField(max_length=300)
    unit = models.CharField(max_length=30, blank=True)
    direction = models.CharField(
        max_length=10, choices=Direction.choices, default=Direction.INCREASE
    )
    healthy_low = models.FloatField(null=True, blank=True)
    healthy_high = models.FloatField(null=True, blank=True)
    current = models.FloatField(null=True, blank=True)
    # Optimistic concurrency: every edit names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["title"]
        verbose_name = "KPI"
        constraints = [
            models.UniqueConstraint(fields=["organization", "slug"], name="kpi_slug_per_org")
        ]

    def __str__(self) -> str:
        return self.title

    def is_healthy(self) -> bool | None:
        """True or False when there is a reading and a range, else None."""
        if self.current is None or (self.healthy_low is None and self.healthy_high is None):
            return None
        if self.healthy_low is not None and self.current < self.healthy_low:
            return False
        return not (self.healthy_high is not None and self.current > self.healthy_high)


class KpiReading(models.Model):
    """One reading of a KPI: at most one per day, a later reading of a day replaces it."""

    objects = ByKpi["KpiReading"].as_manager()

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="readings")
    value = models.FloatField()
    taken_on = models.DateField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["taken_on", "id"]
        constraints = [
            models.UniqueConstraint(fields=["kpi", "taken_on"], name="one_reading_per_kpi_and_day")
        ]

    def __str__(self) -> str:
        return f"{self.kpi}: {self.value} on {self.taken_on}"
