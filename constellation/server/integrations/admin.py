"""Django admin for operators: subscriptions (secrets never shown), deliveries and attempts."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from constellation.server.audit.admin import AuditedAdmin
from constellation.server.integrations.models import Attempt, Delivery, Webhook


@admin.register(Webhook)
class WebhookAdmin(AuditedAdmin):
    """Webhooks and chat channels; an operator may disable one, never read its secret."""

    list_display = ("url", "kind", "organization", "team", "enabled", "created_at")
    list_select_related = ("organization", "team")
    list_filter = ("kind", "enabled", "organization")
    search_fields = ("url", "organization__slug")
    fields = ("url", "kind", "organization", "team", "events", "description", "enabled")
    readonly_fields = ("url", "kind", "organization", "team", "events", "description")

    def has_add_permission(self, request: HttpRequest) -> bool:
        """Made on the web page or through the API, so the secret is shown once."""
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Deleted on the web page or through the API (the admin's history would keep the
        sealed secret)."""
        return False


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """A log: read, never written by hand."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Events queued for a subscription, with their state."""

    list_display = ("message_id", "event_type", "webhook", "attempts", "delivered_at", "failed_at")
    list_select_related = ("webhook",)
    list_filter = ("event_type",)
    search_fields = ("message_id",)


@admin.register(Attempt)
class AttemptAdmin(ReadOnlyAdmin):
    """Each try at sending a delivery."""

    list_display = ("delivery", "number", "at", "status_code", "duration_ms", "ok")
    list_select_related = ("delivery",)
