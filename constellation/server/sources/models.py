"""A data source: where a key result's or a KPI's number lives, read on a schedule."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import OrganizationQuerySet


class DataSource(models.Model):
    """An HTTP JSON endpoint, a SQL query or a Prometheus query feeding one key result or KPI.

    Secrets (a header's value, a database URL that may hold a password) are stored sealed
    (`sealed.py`) and never shown back; `database_hint` is the URL with its password hidden.
    """

    objects = OrganizationQuerySet["DataSource"].as_manager()

    class Kind(models.TextChoices):
        HTTP_JSON = "http_json", "HTTP JSON endpoint"
        SQL = "sql", "SQL query"
        PROMETHEUS = "prometheus", "Prometheus query"

    class Interval(models.IntegerChoices):
        HOURLY = 60, "every hour"
        SIX_HOURS = 360, "every 6 hours"
        DAILY = 1440, "every day"

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="data_sources"
    )
    key_result = models.OneToOneField(
        "okrs.KeyResult",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="data_source",
    )
    kpi = models.OneToOneField(
        "kpis.Kpi", null=True, blank=True, on_delete=models.CASCADE, related_name="data_source"
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # The endpoint (HTTP JSON) or the Prometheus server's base URL; empty for SQL.
    url = models.CharField(max_length=2000, blank=True)
    # The JSONPath, the SQL query or the PromQL expression.
    query = models.TextField()
    header_name = models.CharField(max_length=100, blank=True)
    sealed_header_value = models.TextField(blank=True)
    sealed_database_url = models.TextField(blank=True)
    database_hint = models.CharField(max_length=2000, blank=True)
    interval_minutes = models.PositiveIntegerField(choices=Interval.choices, default=Interval.DAILY)
    timeout_seconds = models.PositiveSmallIntegerField(default=10)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)
    last_value = models.FloatField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failures = models.PositiveIntegerField(default=0)
    # Whether the owner was told of the current failure streak: told once, not every run.
    failure_notified = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["next_run_at"])]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(key_result__isnull=False, kpi__isnull=True)
                    | models.Q(key_result__isnull=True, kpi__isnull=False)
                ),
                name="source_feeds_one_key_result_or_kpi",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} source {self.pk}"

    @property
    def has_header_value(self) -> bool:
        """Whether a header value is stored (it is never shown)."""
        return bool(self.sealed_header_value)
