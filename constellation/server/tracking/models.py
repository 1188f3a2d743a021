"""Check-ins (the regular readings of key results) and the records of what the jobs sent:
reminders, team digests and KPI alerts, each unique so that no worker sends one twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from constellation.server.scoping import ByKeyResult, OrganizationQuerySet


class CheckIn(models.Model):
    """One reading of a key result: value (or done), confidence 0-10 and a note."""

    objects = ByKeyResult["CheckIn"].as_manager()

    key_result = models.ForeignKey(
        "okrs.KeyResult", on_delete=models.CASCADE, related_name="check_ins"
    )
    value = models.FloatField(null=True, blank=True)
    done = models.BooleanField(null=True, blank=True)
    confidence = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField(blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    checked_on = models.DateField()
    # Recorded by a data source's sync rather than typed by a person.
    automatic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    # A correction (its author or an admin) names the version it started from.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["checked_on", "id"]
        indexes = [models.Index(fields=["key_result", "checked_on"])]

    def __str__(self) -> str:
        return f"check-in on {self.key_result_id} ({self.checked_on})"


class SentReminder(models.Model):
    """One check-in reminder sent to one person for one slot of the organisation's cadence.

    Unique per (organisation, person, slot): the row is inserted in the same transaction as
    the notification, so a second worker sending the same reminder fails on the constraint
    and sends nothing.
    """

    objects = OrganizationQuerySet["SentReminder"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="sent_reminders"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sent_reminders"
    )
    slot = models.DateTimeField()
    key_results = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "person", "slot"], name="one_reminder_per_person_and_slot"
            )
        ]

    def __str__(self) -> str:
        return f"reminder to {self.person_id} for {self.slot:%Y-%m-%d %H:%M}"


class SentDigest(models.Model):
    """The weekly digest of one team for one slot, sent once (unique per team and slot)."""

    objects = OrganizationQuerySet["SentDigest"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="sent_digests"
    )
    team = models.ForeignKey("orgs.Team", on_delete=models.CASCADE, related_name="sent_digests")
    slot = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-slot", "id"]
        constraints = [
            models.UniqueConstraint(fields=["team", "slot"], name="one_digest_per_team_and_slot")
        ]

    def __str__(self) -> str:
        return f"digest of {self.team_id} for {self.slot:%Y-%m-%d %H:%M}"


class KpiAlert(models.Model):
    """A KPI left its healthy range and its watchers were told; closed when it is back.

    At most one open alert per KPI (a partial unique index): readings that stay unhealthy
    raise nothing new, and the next crossing opens a new alert once this one is closed.
    """

    objects = OrganizationQuerySet["KpiAlert"].as_manager()

    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="kpi_alerts"
    )
    kpi = models.ForeignKey("kpis.Kpi", on_delete=models.CASCADE, related_name="alerts")
    value = models.FloatField()
    recipients = models.PositiveIntegerField(default=0)
    opened_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = "KPI alert"
        constraints = [
            models.UniqueConstraint(
                fields=["kpi"],
                condition=models.Q(closed_at__isnull=True),
                name="one_open_alert_per_kpi",
            )
        ]

    def __str__(self) -> str:
        return f"alert on {self.kpi_id} at {self.opened_at:%Y-%m-%d %H:%M}"


class ScheduledJob(models.Model):
    """A job the scheduler enqueued for a slot; its unique key stops a second scheduler."""

    key = models.CharField(max_length=200, unique=True)
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-enqueued_at", "-id"]

    def __str__(self) -> str:
        return self.key


class WorkerHeartbeat(models.Model):
    """One `okr worker` process, alive while its `beat_at` keeps moving (every few seconds).

    The reaper (`tracking.liveness`) gives the jobs of a worker silent for longer than
    `WORKER_SILENT_SECONDS` back to the queue; health checks read the latest beat.
    """

    worker_id = models.CharField(max_length=64, unique=True)
    host = models.CharField(max_length=255, blank=True)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    beat_at = models.DateTimeField()

    class Meta:
        ordering = ["-beat_at", "-id"]

    def __str__(self) -> str:
        return f"{self.host}:{self.pid} ({self.worker_id})"
