"""Operators can look at notifications, and at the outbox: what failed, why, retry now."""

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from constellation.server.notifications.actions import do_retry_emails
from constellation.server.notifications.models import Notification, OutgoingEmail


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Notifications, newest first."""

    list_display = ("title", "recipient", "organization", "kind", "created_at", "read_at")
    list_filter = ("kind", "organization")
    search_fields = ("title", "recipient__username")
    raw_id_fields = ("recipient", "actor")


class OutboxStateFilter(admin.SimpleListFilter):
    """Sent, waiting for a retry, or failed for good."""

    title = "state"
    parameter_name = "state"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        """The three states of an email."""
        return [("waiting", "waiting"), ("failed", "failed"), ("sent", "sent")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """The emails in the chosen state."""
        chosen = self.value()
        if chosen == "sent":
            return queryset.filter(sent_at__isnull=False)
        if chosen == "failed":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=False)
        if chosen == "waiting":
            return queryset.filter(sent_at__isnull=True, failed_at__isnull=True)
        return queryset


@admin.register(OutgoingEmail)
class OutgoingEmailAdmin(admin.ModelAdmin):
    """The outbox: what was sent, what waits for a retry, what failed and why."""

    list_display = (
        "subject",
        "recipients",
        "state",
        "attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
    )
    list_filter = (OutboxStateFilter, "created_at")
    search_fields = ("subject",)
    readonly_fields = ("created_at", "sent_at", "failed_at", "last_error")
    actions = ("retry_now",)

    @admin.display(description="to")
    def recipients(self, email: OutgoingEmail) -> str:
        """The addresses, on one line."""
        return ", ".join(email.to)

    @admin.action(description="Retry the selected unsent emails now")
    def retry_now(self, request: HttpRequest, queryset: QuerySet[OutgoingEmail]) -> None:
        """Attempt the selected waiting or failed emails at once (sent ones are left alone)."""
        count = do_retry_emails(queryset.values_list("pk", flat=True), request.user)
        self.message_user(
            request, f"Emails retried: {count}. The list shows what became of them.", messages.INFO
        )
