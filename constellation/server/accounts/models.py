"""Accounts: the first admin's one-time setup link and each person's profile."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class SetupLink(models.Model):
    """A one-time link that creates the first organisation and its owner.

    Only the token's SHA-256 is kept, so the database alone never opens the site. A link
    works once, and only while the site has no user at all.
    """

    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"setup link of {self.created_at:%Y-%m-%d %H:%M}"


class Profile(models.Model):
    """A person's own settings: their time zone and which emails they get."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    # Emails that tell them something needs their eyes (reviews, dependencies, alerts…).
    email_notifications = models.BooleanField(default=True)
    # The weekly team digests.
    email_digests = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"profile of {self.user}"


class SsoIdentity(models.Model):
    """A person's account at a single sign-on provider, kept from their first SSO login.

    The subject never changes at the provider while the email may, so a returning person is
    found by it first.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_identities"
    )
    issuer = models.CharField(max_length=255)
    subject = models.CharField(max_length=255)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "single sign-on identity"
        verbose_name_plural = "single sign-on identities"
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="one_person_per_sso_subject")
        ]

    def __str__(self) -> str:
        return f"{self.subject} at {self.issuer}"
