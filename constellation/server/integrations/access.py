"""Reads of webhooks and chat channels and their delivery logs: the organisation's only."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from constellation.server.errors import NotFound
from constellation.server.integrations.models import Attempt, Delivery, Webhook
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team


def webhooks_of(access: Access) -> QuerySet[Webhook]:
    """The organisation's subscriptions (webhooks and channels), oldest first, with teams."""
    return Webhook.objects.restrict(access).select_related("team")


def managed_by(access: Access) -> QuerySet[Webhook]:
    """The subscriptions the person manages: every one for an admin, the channels of the
    teams they lead for a team's lead (none for anyone else)."""
    rows = webhooks_of(access)
    if access.is_admin:
        return rows
    return rows.exclude(kind=Webhook.Kind.WEBHOOK).filter(team__lead_id=access.user_id)


def teams_led_by(access: Access) -> QuerySet[Team]:
    """The organisation's active teams the person leads, by name."""
    return (
        Team.objects.restrict(access)
        .filter(lead_id=access.user_id, archived_at__isnull=True)
        .order_by("name")
    )


def access_webhook(access: Access, webhook_id: int) -> Webhook:
    """One subscription of the organisation, else NotFound (another organisation's too)."""
    hook = webhooks_of(access).filter(pk=webhook_id).first()
    if hook is None:
        raise NotFound("No such webhook")
    return hook


def deliveries_of(access: Access, hook: Webhook) -> QuerySet[Delivery]:
    """A subscription's deliveries, newest first, each with its attempts (two queries for a
    page of them)."""
    return (
        Delivery.objects.restrict(access)
        .filter(webhook=hook)
        .prefetch_related(Prefetch("tries", queryset=Attempt.objects.order_by("number")))
    )


def find_delivery(access: Access, hook: Webhook, message_id: str) -> Delivery | None:
    """One delivery of the subscription by its `webhook-id`, or None."""
    return deliveries_of(access, hook).filter(message_id=message_id).first()
