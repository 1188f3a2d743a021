"""A notification tells one person, in one organisation, that something needs their eyes."""

from __future__ import annotations

from django.conf import settings
from django.db import models

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
