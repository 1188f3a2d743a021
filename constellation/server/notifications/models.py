"""A notification tells one person, in one organisation, that something needs their eyes;
the outbox holds the emails that go with them (and every other email the site sends)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from constellation.server.orgs.models import Organization
from constellation.server.scoping import OrganizationQuerySet


class Notification(models.Model):
    """One message for one person; unread until they mark it read."""

    objects = OrganizationQuerySet["Notification"].as_manager()

    class Kind(models.TextChoices):
        REVIEW_REQUEST = "review_request", "review request"
        REVIEW_ANSWER = "review_answer", "review answer"
        DEPENDENCY = "dependency", "dependency"
        LAUNCH = "launch", "launch"
        ALIGNED_CHANGE = "aligned_change", "change to an aligned objective"
        REMINDER = "reminder", "reminder"
        OTHER = "other", "other"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="notifications"
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["recipient", "organization", "read_at"], name="notification_unread"
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        """Whether the recipient marked it read."""
        return self.read_at is not None


class OutgoingEmail(models.Model):
    """One email in the outbox: sent after its transaction commits, retried until it leaves.

    A row is never deleted when sending fails: it is retried with a growing delay and, after
    the last attempt, kept as failed with its error so an operator can see what was lost.
    """

    to = models.JSONField(default=list)
    subject = models.CharField(max_length=500)
    body = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(sent_at__isnull=True, failed_at__isnull=True),
                name="outgoing_email_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.to)}"

    @property
    def state(self) -> str:
        """sent, failed or waiting."""
        if self.sent_at is not None:
            return "sent"
        return "failed" if self.failed_at is not None else "waiting"
