"""Django admin for operators: API tokens (hashes are never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.tokens.models import ApiToken, IdempotentRequest


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedAdmin):
    """Personal access tokens; an operator may only revoke them."""

    list_display = (
        "name",
        "hint",
        "user",
        "organization",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
        "revoked",
    )
    list_select_related = ("user", "organization")
    search_fields = ("name", "hint", "user__username", "organization__slug")
    list_filter = ("revoked", "scope", "organization")
    fields = list_display
    # An operator may only revoke: widening a token's scope or life is its owner's to ask for.
    readonly_fields = (
        "name",
        "hint",
        "user",
        "organization",
        "scope",
        "created_at",
        "expires_at",
        "last_used_at",
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Tokens are made by `okr token create` or the web page, so the plaintext is shown once."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Revoke instead: a revoked token stays on record."""
        return False


@admin.register(IdempotentRequest)
class IdempotentRequestAdmin(admin.ModelAdmin[IdempotentRequest]):
    """Kept answers of API requests sent with an Idempotency-Key: read-only, gone after a day."""

    list_display = ("key", "principal", "status", "created_at")
    search_fields = ("key",)
    exclude = ("body",)
    readonly_fields = ("principal", "key", "fingerprint", "status", "content_type", "created_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
