"""Personal access tokens for the REST API, stored hashed."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from django.conf import settings
from django.db import models

from constellation.server.scoping import OrganizationQuerySet

TOKEN_PREFIX = "okr_"
READ = "read"
WRITE = "write"
SCOPES = (READ, WRITE)


def hash_token(token: str) -> str:
    """The stored form of a token (SHA-256: tokens are long random strings, not passwords)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> str:
    """A fresh random token."""
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


class ApiToken(models.Model):
    """A personal access token: one person, one organisation."""

    objects = OrganizationQuerySet["ApiToken"].as_manager()

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    organization = models.ForeignKey(
        "orgs.Organization", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    hint = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)
    # A read token may only GET; a write token acts with its owner's full role.
    scope = models.CharField(max_length=5, choices=[(READ, "read"), (WRITE, "write")], default=READ)
    # None: the token lives until revoked.
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name or 'token'} …{self.hint}"

    def is_expired(self, now: datetime) -> bool:
        """Whether the token's expiry has passed at `now`."""
        return self.expires_at is not None and self.expires_at <= now
