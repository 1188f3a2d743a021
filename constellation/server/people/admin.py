"""Django admin for operators: invitations (token hashes are never shown)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.people.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(AuditedAdmin):
    """Invitations, newest first; made and revoked on the People page, so read only here."""

    list_display = ("email", "organization", "role", "created_at", "expires_at", "accepted_at")
    list_select_related = ("organization",)
    search_fields = ("email", "organization__slug")
    list_filter = ("role", "organization")
    fields = (
        "email",
        "organization",
        "role",
        "invited_by",
        "created_at",
        "expires_at",
        "accepted_at",
        "accepted_by",
        "revoked_at",
    )
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Invitations are sent from the People page, which emails the link."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Revoke instead: a revoked invitation stays on record."""
        return False
