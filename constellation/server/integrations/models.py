"""Outbound webhooks and chat channels, and the outbox of what is delivered to them.

A `Webhook` is an address the organisation's events are posted to: a Standard Webhooks
receiver (signed with the subscription's own secret), or a Slack or Microsoft Teams incoming
webhook (whose address is itself the secret). Each event a subscription wants becomes a
`Delivery` in the transaction of the write that caused it (an outbox: a rolled-back write
sends nothing, a failed send is retried, never lost), and each try at sending it an `Attempt`.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from constellation.server.orgs.models import Organization, Team
from constellation.server.scoping import ModelT, OrganizationQuerySet

# Stable dotted names of what a subscription may ask for (the payload's `type`).
EVENT_TYPES = {
    "objective.launched": "An objective was launched",
    "checkin.recorded": "A key result was checked in",
    "objective.status_changed": "A launched objective's status changed (on track, at risk, …)",
    "review.requested": "Objectives were sent for review",
    "review.answered": "A reviewer answered a review request",
    "dependency.asked": "A team asked another for support",
    "dependency.answered": "A team answered a dependency",
    "kpi.unhealthy": "A KPI left its healthy range",
    "quarterly_review.finished": "A quarterly review was finished",
}
# Only sent on request from the page or the API, whatever the subscription's events.
TEST_EVENT = "webhook.test"
DIGEST_EVENT = "team.digest"
# What a chat channel may be told, each a group of event types.
CHANNEL_TOPICS = {
    "launches": ("objective.launched",),
    "check_ins": ("checkin.recorded",),
    "alerts": ("kpi.unhealthy", "objective.status_changed"),
    "digests": (DIGEST_EVENT,),
}


def events_of_topics(topics: list[str]) -> list[str]:
    """The event types a chat channel's topics (launches, check-ins, …) stand for."""
    return sorted({event for topic in topics for event in CHANNEL_TOPICS.get(topic, ())})


def topics_of(events: list[str]) -> list[str]:
    """A chat channel's topics from its event types (every topic when it wants every event)."""
    if not events:
        return list(CHANNEL_TOPICS)
    wanted = set(events)
    return [topic for topic, types in CHANNEL_TOPICS.items() if set(types) <= wanted]


class ByWebhook(OrganizationQuerySet[ModelT]):
    """Deliveries, which belong to their subscription's organisation."""

    organization_path = "webhook__organization"


class ByDelivery(OrganizationQuerySet[ModelT]):
    """Attempts, which belong to their delivery's subscription's organisation."""

    organization_path = "delivery__webhook__organization"


class Webhook(models.Model):
    """A subscription: an address, the events it wants, and how messages are shaped."""

    objects = OrganizationQuerySet["Webhook"].as_manager()

    class Kind(models.TextChoices):
        WEBHOOK = "webhook", "Standard Webhooks"
        SLACK = "slack", "Slack"
        TEAMS = "teams", "Microsoft Teams"

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhooks"
    )
    # A chat channel may belong to one team: it hears only that team's events.
    team = models.ForeignKey(
        Team, on_delete=models.CASCADE, null=True, blank=True, related_name="channels"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.WEBHOOK)
    # A receiver's address is shown; a chat channel's is a secret, kept sealed (`sealed_url`)
    # and shown only by its last characters (`url` then holds that hint).
    url = models.CharField(max_length=2000)
    sealed_url = models.TextField(blank=True)
    # The Standard Webhooks signing secret (`whsec_…`), sealed; shown once when made.
    sealed_secret = models.TextField(blank=True)
    # Empty: every event (and any added later).
    events = models.JSONField(default=list, blank=True)
    description = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        "auth.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.url}"

    def wants(self, event_type: str) -> bool:
        """Whether this subscription receives events of this type."""
        return event_type == TEST_EVENT or not self.events or event_type in self.events

    @property
    def is_channel(self) -> bool:
        """A Slack or Teams channel rather than a signed webhook."""
        return self.kind != self.Kind.WEBHOOK


class Delivery(models.Model):
    """One event for one subscription: sent after its transaction commits, retried until it
    is received or, after the last attempt, kept as failed with its error."""

    objects = ByWebhook["Delivery"].as_manager()

    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    # The Standard Webhooks `webhook-id`: the same for every attempt, so receivers deduplicate.
    message_id = models.CharField(max_length=40, unique=True)
    event_type = models.CharField(max_length=40)
    payload = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(delivered_at__isnull=True, failed_at__isnull=True),
                name="webhook_delivery_due",
            ),
            models.Index(fields=["webhook", "-created_at", "-id"], name="webhook_delivery_log"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.message_id}"

    @property
    def state(self) -> str:
        """delivered, failed or waiting."""
        if self.delivered_at is not None:
            return "delivered"
        return "failed" if self.failed_at is not None else "waiting"


class Attempt(models.Model):
    """One try at sending a delivery: what the receiver answered, and how long it took."""

    objects = ByDelivery["Attempt"].as_manager()

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)
    ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="one_attempt_per_number")
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.delivery_id}"
