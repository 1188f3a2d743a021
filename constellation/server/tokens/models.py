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


class IdempotentRequest(models.Model):
    """A POST sent with an `Idempotency-Key`: who sent it, what it was and the first answer,
    so that the same request sent again is answered the same without a second write.

    `principal` names the caller without holding a secret: a hash of its Authorization header,
    or its signed-in user. `status` is None while the first request is being processed."""

    principal = models.CharField(max_length=80)
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    body = models.BinaryField(default=b"")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["principal", "key"], name="one_request_per_key")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotent_created")]

    def __str__(self) -> str:
        return f"{self.key} ({self.status or 'in progress'})"
