"""The organisation's outbound webhooks and Slack / Teams channels: subscribe, change,
delete, test, read the log.

Only owners and admins (with a write token to change anything), and a team's lead for the
Slack and Teams channels of their team; anyone else of the organisation is refused (403),
anyone outside it gets 404. The signing secret is in the
answer that creates (or rotates) it, never again.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.integration_schemas import (
    ChannelIn,
    ChannelOut,
    ChannelPatch,
    DeliveryOut,
    SecretOut,
    WebhookCreated,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
)
from constellation.server.api.schemas import ConflictMessage, Message, ValidationProblems
from constellation.server.errors import NotFound
from constellation.server.integrations.access import (
    access_webhook,
    deliveries_of,
    managed_by,
    teams_led_by,
    webhooks_of,
)
from constellation.server.integrations.actions import (
    WebhookInput,
    check_manages,
    check_manages_integrations,
    do_create_webhook,
    do_delete_webhook,
    do_rotate_webhook_secret,
    do_send_test_event,
    do_update_webhook,
)
from constellation.server.integrations.models import (
    CHANNEL_TOPICS,
    Delivery,
    Webhook,
    events_of_topics,
    topics_of,
)
from constellation.server.orgs.access import Access, find_team

router = Router(tags=["webhooks"])
READ = {401: Message, 403: Message, 404: Message}
WRITE = {**READ, 422: ValidationProblems}
PAGE_SIZE = 50


def webhook_out(hook: Webhook) -> dict[str, Any]:
    """A subscription as the API shows it, without its secret."""
    return {
        "id": hook.pk,
        "url": hook.url,
        "events": list(hook.events),
        "description": hook.description,
        "enabled": hook.enabled,
        "version": hook.version,
        "created_at": hook.created_at,
    }


def delivery_out(delivery: Delivery) -> dict[str, Any]:
    """A delivery with its attempts (prefetched)."""
    waiting = delivery.state == "waiting"
    return {
        "id": delivery.message_id,
        "type": delivery.event_type,
        "state": delivery.state,
        "created_at": delivery.created_at,
        "next_attempt_at": delivery.next_attempt_at if waiting else None,
        "payload": delivery.payload,
        "attempts": [
            {
                "number": attempt.number,
                "at": attempt.at,
                "status_code": attempt.status_code,
                "duration_ms": attempt.duration_ms,
                "error": attempt.error,
                "ok": attempt.ok,
            }
            for attempt in delivery.tries.all()
        ],
    }


def _admin(request: HttpRequest, org: str) -> Access:
    """The caller's access, refused (403) unless they manage the organisation's webhooks."""
    access = api_access(request, org)
    check_manages_integrations(access)
    return access


def _webhook(request: HttpRequest, org: str, webhook_id: int) -> tuple[Access, Webhook]:
    """A signed webhook of the organisation (a chat channel is not one here: 404)."""
    access = api_access(request, org)
    hook = access_webhook(access, webhook_id)
    check_manages_integrations(access)
    if hook.is_channel:
        raise NotFound("No such webhook")  # a chat channel is not a webhook here
    return access, hook


@router.get("/orgs/{org}/webhooks", response={200: list[WebhookOut], **READ})
def list_webhooks(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's webhook subscriptions, oldest first (never their secrets)."""
    access = _admin(request, org)
    hooks = webhooks_of(access).filter(kind=Webhook.Kind.WEBHOOK)
    return [webhook_out(hook) for hook in hooks]


@router.post("/orgs/{org}/webhooks", response={201: WebhookCreated, **WRITE})
def create_webhook(request: HttpRequest, org: str, payload: WebhookIn) -> Status[dict[str, Any]]:
    """Subscribe an address; the answer holds the signing secret, shown this once."""
    access = _admin(request, org)
    data = WebhookInput(
        url=payload.url.strip(), events=payload.events or [], description=payload.description
    )
    hook, secret = do_create_webhook(access, data, request.user)
    return Status(201, {**webhook_out(hook), "secret": secret})


@router.get("/orgs/{org}/webhooks/{webhook_id}", response={200: WebhookOut, **READ})
def get_webhook(request: HttpRequest, org: str, webhook_id: int) -> dict[str, Any]:
    """One subscription (never its secret)."""
    _, hook = _webhook(request, org, webhook_id)
    return webhook_out(hook)


@router.patch(
    "/orgs/{org}/webhooks/{webhook_id}", response={200: WebhookOut, **WRITE, 409: ConflictMessage}
)
def patch_webhook(
    request: HttpRequest, org: str, webhook_id: int, payload: WebhookPatch
) -> dict[str, Any]:
    """Change the address, the events, the description, or disable (`enabled` false)."""
    access, hook = _webhook(request, org, webhook_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    changes = {name: value for name, value in changes.items() if value is not None}
    do_update_webhook(access, hook, changes, request.user, expected_version=payload.version)
    return webhook_out(hook)


@router.delete("/orgs/{org}/webhooks/{webhook_id}", response={204: None, **WRITE})
def delete_webhook(request: HttpRequest, org: str, webhook_id: int) -> Status[None]:
    """Delete a subscription and its delivery log."""
    access, hook = _webhook(request, org, webhook_id)
    do_delete_webhook(access, hook, request.user)
    return Status(204, None)


@router.post("/orgs/{org}/webhooks/{webhook_id}/secret", response={200: SecretOut, **WRITE})
def rotate_webhook_secret(request: HttpRequest, org: str, webhook_id: int) -> dict[str, Any]:
    """A new signing secret, shown this once; the old one stops signing at once."""
    access, hook = _webhook(request, org, webhook_id)
    return {"secret": do_rotate_webhook_secret(access, hook, request.user)}


@router.post("/orgs/{org}/webhooks/{webhook_id}/test", response={202: DeliveryOut, **WRITE})
def send_test_event(request: HttpRequest, org: str, webhook_id: int) -> Status[dict[str, Any]]:
    """Queue a `webhook.test` delivery; its attempts show in the delivery log."""
    access, hook = _webhook(request, org, webhook_id)
    delivery = do_send_test_event(access, hook, request.user)
    return Status(202, {**delivery_out(delivery), "attempts": []})


@router.get(
    "/orgs/{org}/webhooks/{webhook_id}/deliveries", response={200: list[DeliveryOut], **READ}
)
def list_webhook_deliveries(
    request: HttpRequest, org: str, webhook_id: int, page: int = 1
) -> list[dict[str, Any]]:
    """The delivery log, newest first, 50 a page (`page`), each with its attempts."""
    access, hook = _webhook(request, org, webhook_id)
    rows = Paginator(deliveries_of(access, hook), PAGE_SIZE).get_page(page)
    return [delivery_out(delivery) for delivery in rows]


# Slack and Microsoft Teams channels: the same subscriptions, readable messages, no secret.


def channel_out(hook: Webhook) -> dict[str, Any]:
    """A chat channel as the API shows it: never its address."""
    return {
        "id": hook.pk,
        "kind": hook.kind,
        "url": hook.url,
        "team": hook.team.slug if hook.team is not None else None,
        "topics": topics_of(list(hook.events)),
        "description": hook.description,
        "enabled": hook.enabled,
        "version": hook.version,
        "created_at": hook.created_at,
    }


def _channel(request: HttpRequest, org: str, channel_id: int) -> tuple[Access, Webhook]:
    """A chat channel of the organisation (a signed webhook is not one here: 404)."""
    access = api_access(request, org)
    hook = access_webhook(access, channel_id)
    if not hook.is_channel:
        raise NotFound("No such channel")
    check_manages(access, hook)
    return access, hook


def _events(topics: list[str]) -> list[str]:
    """Every topic is every event (and any added later): stored as none named."""
    return [] if set(topics) >= set(CHANNEL_TOPICS) else events_of_topics(topics)


@router.get("/orgs/{org}/channels", response={200: list[ChannelOut], **READ})
def list_channels(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's Slack and Teams channels (a team's lead: their teams'), oldest
    first, never their addresses."""
    access = api_access(request, org)
    if not access.is_admin and not teams_led_by(access).exists():
        check_manages_integrations(access)  # refused, saying who may
    hooks = managed_by(access).exclude(kind=Webhook.Kind.WEBHOOK)
    return [channel_out(hook) for hook in hooks]


@router.post("/orgs/{org}/channels", response={201: ChannelOut, **WRITE})
def create_channel(request: HttpRequest, org: str, payload: ChannelIn) -> Status[dict[str, Any]]:
    """Add a Slack or Teams channel, for the whole organisation or one team (a team's lead:
    for a team they lead)."""
    access = api_access(request, org)
    team = None
    if payload.team is not None:
        team = find_team(access, payload.team)
        if team is None:
            raise FieldError("team", f"No such team: {payload.team}.")
    if not payload.topics:
        raise FieldError("topics", "Choose at least one topic.")
    data = WebhookInput(
        url=payload.url.strip(),
        events=_events(list(payload.topics)),
        kind=payload.kind,
        description=payload.description,
        team=team,
    )
    hook, _ = do_create_webhook(access, data, request.user)
    return Status(201, channel_out(hook))


@router.get("/orgs/{org}/channels/{channel_id}", response={200: ChannelOut, **READ})
def get_channel(request: HttpRequest, org: str, channel_id: int) -> dict[str, Any]:
    """One channel (never its address)."""
    _, hook = _channel(request, org, channel_id)
    return channel_out(hook)


@router.patch(
    "/orgs/{org}/channels/{channel_id}", response={200: ChannelOut, **WRITE, 409: ConflictMessage}
)
def patch_channel(
    request: HttpRequest, org: str, channel_id: int, payload: ChannelPatch
) -> dict[str, Any]:
    """Change the address, the topics, the description, or disable (`enabled` false)."""
    access, hook = _channel(request, org, channel_id)
    changes = payload.model_dump(exclude_unset=True, exclude={"version", "topics"})
    changes = {name: value for name, value in changes.items() if value is not None}
    if payload.topics is not None:
        if not payload.topics:
            raise FieldError("topics", "Choose at least one topic.")
        changes["events"] = _events(list(payload.topics))
    do_update_webhook(access, hook, changes, request.user, expected_version=payload.version)
    return channel_out(hook)


@router.delete("/orgs/{org}/channels/{channel_id}", response={204: None, **WRITE})
def delete_channel(request: HttpRequest, org: str, channel_id: int) -> Status[None]:
    """Delete a channel and its delivery log."""
    access, hook = _channel(request, org, channel_id)
    do_delete_webhook(access, hook, request.user)
    return Status(204, None)


@router.post("/orgs/{org}/channels/{channel_id}/test", response={202: DeliveryOut, **WRITE})
def send_channel_test(request: HttpRequest, org: str, channel_id: int) -> Status[dict[str, Any]]:
    """Queue a test message to the channel; its attempts show in the delivery log."""
    access, hook = _channel(request, org, channel_id)
    delivery = do_send_test_event(access, hook, request.user)
    return Status(202, {**delivery_out(delivery), "attempts": []})


@router.get(
    "/orgs/{org}/channels/{channel_id}/deliveries", response={200: list[DeliveryOut], **READ}
)
def list_channel_deliveries(
    request: HttpRequest, org: str, channel_id: int, page: int = 1
) -> list[dict[str, Any]]:
    """The channel's delivery log, newest first, 50 a page (`page`), with attempts."""
    access, hook = _channel(request, org, channel_id)
    rows = Paginator(deliveries_of(access, hook), PAGE_SIZE).get_page(page)
    return [delivery_out(delivery) for delivery in rows]
