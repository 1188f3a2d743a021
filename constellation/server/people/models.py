"""Invitations: an email address asked to join an organisation with a role and teams."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.scoping import OrganizationQuerySet


def new_invitation_token() -> str:
    """A fresh random token for an invitation link."""
    return secrets.token_urlsafe(32)


class Invitation(models.Model):
    """An invitation by email; the link carries a token whose hash only is stored."""

    objects = OrganizationQuerySet["Invitation"].as_manager()

    class State(models.TextChoices):
        PENDING = "pending"
        EXPIRED = "expired"
        ACCEPTED = "accepted"
        REVOKED = "revoked"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    role = models.CharField(
        max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    teams = models.ManyToManyField(Team, blank=True, related_name="invitations")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accepted_invitations",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["email"], name="invitation_email")]

    def __str__(self) -> str:
        return f"{self.email} to {self.organization_id} ({self.role})"

    @property
    def state(self) -> str:
        """Pending, expired, accepted or revoked."""
        if self.accepted_at is not None:
            return self.State.ACCEPTED
        if self.revoked_at is not None:
            return self.State.REVOKED
        if self.expires_at <= timezone.now():
            return self.State.EXPIRED
        return self.State.PENDING

    @property
    def is_pending(self) -> bool:
        """Whether the link still opens the organisation."""
        return self.state == self.State.PENDING
