"""Every write to webhooks and chat channels: create (the secret shown once), change, delete,
rotate the secret, send a test event. Only the organisation's owners and admins manage them."""

from __future__ import annotations

import base64
import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from django.db.models import F

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.integrations.events import Outgoing, deliveries_for, queue
from constellation.server.integrations.models import (
    DIGEST_EVENT,
    EVENT_TYPES,
    TEST_EVENT,
    Delivery,
    Webhook,
)
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.sealed import seal

ADMINS_ONLY = (
    "Only owners and admins of {org} manage its webhooks, and a team's lead its team's "
    "channels; ask one of them."
)
URL_LENGTH = 2000
DESCRIPTION_LENGTH = 200
# Enough of a chat channel's address to tell channels apart; never enough to post to one.
HINT_LENGTH = 6


@dataclass(slots=True)
class WebhookInput:
    """What a subscription is: its address, the events it wants (empty: all) and its shape."""

    url: str
    events: list[str] = field(default_factory=list)
    kind: str = Webhook.Kind.WEBHOOK
    description: str = ""
    team: Team | None = None
    enabled: bool = True


def new_secret() -> str:
    """A fresh signing secret in the Standard Webhooks form: `whsec_` and 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def check_manages_integrations(access: Access) -> None:
    """Refuse anyone but an active owner or admin, saying who may."""
    if not access.is_admin:
        raise NotAllowed(ADMINS_ONLY.format(org=access.organization.name))
    access.require_write()


def check_manages(access: Access, hook: Webhook | None = None, team: Team | None = None) -> None:
    """Refuse anyone who may not manage this subscription: admins manage every one; a team's
    lead manages the Slack and Teams channels of that team (`team`: the one it would move to)."""
    if access.is_admin:
        access.require_write()
        return
    teams = [t for t in (hook.team if hook is not None else None, team) if t is not None]
    channel = hook is None or hook.is_channel
    if channel and teams and all(t.lead_id == access.user_id for t in teams):
        access.require_write()
        return
    raise NotAllowed(ADMINS_ONLY.format(org=access.organization.name))


def check_url(url: str) -> None:
    """Refuse anything but an http or https address with a host, naming the field."""
    if not url:
        raise ActionError("url", "Give the address to send events to.")
    if len(url) > URL_LENGTH:
        raise ActionError("url", f"An address has at most {URL_LENGTH} characters.")
    try:
        parts = urlsplit(url)
        host, _ = parts.hostname, parts.port
    except ValueError as error:  # "http://[::1", a port out of range
        raise ActionError("url", f"This is not an address: {error}.") from error
    if parts.scheme not in {"http", "https"}:
        raise ActionError("url", "The address must start with http:// or https://.")
    if not host or any(c.isspace() for c in url):
        raise ActionError("url", "The address needs a host, e.g. https://example.com/hooks.")


def check_webhook_input(access: Access, data: WebhookInput, *, new_url: bool = True) -> None:
    """Refuse a bad address (when one is given: a chat channel's stored one is sealed), an
    unknown kind or event, a long description, another organisation's team; each naming its
    field."""
    if new_url:
        check_url(data.url)
    if data.kind not in Webhook.Kind.values:
        raise ActionError("kind", f"The kind is one of {', '.join(Webhook.Kind.values)}.")
    known = set(EVENT_TYPES) | ({DIGEST_EVENT} if data.kind != Webhook.Kind.WEBHOOK else set())
    unknown = [event for event in data.events if event not in known]
    if unknown:
        raise ActionError("events", f"Unknown event type: {', '.join(unknown)}.")
    if len(data.description) > DESCRIPTION_LENGTH:
        raise ActionError(
            "description", f"A description has at most {DESCRIPTION_LENGTH} characters."
        )
    if data.team is not None and data.team.organization_id != access.organization.pk:
        raise ActionError("team", "No such team.")
    if data.team is not None and data.kind == Webhook.Kind.WEBHOOK:
        raise ActionError("team", "Only a Slack or Teams channel belongs to one team.")


def _shown(data: WebhookInput) -> dict[str, Any]:
    """What the audit history keeps of a subscription: never a secret or a channel's address."""
    return {
        "kind": data.kind,
        "url": data.url if data.kind == Webhook.Kind.WEBHOOK else "(sealed)",
        "events": sorted(data.events),
        "team": data.team.slug if data.team is not None else None,
        "enabled": data.enabled,
    }


def _address(hook: Webhook, data: WebhookInput) -> None:
    """Set the address: shown for a webhook, sealed (with a hint) for a chat channel."""
    if data.kind == Webhook.Kind.WEBHOOK:
        hook.url, hook.sealed_url = data.url, ""
    else:
        hook.url = f"{urlsplit(data.url).hostname}/…{data.url[-HINT_LENGTH:]}"
        hook.sealed_url = seal(data.url)


def do_create_webhook(access: Access, data: WebhookInput, actor: Any) -> tuple[Webhook, str | None]:
    """A new subscription, and its signing secret (a webhook's, shown once; None for a chat
    channel, whose address is its secret)."""
    if data.kind == Webhook.Kind.WEBHOOK:
        check_manages_integrations(access)
    else:
        check_manages(access, team=data.team)
    data.events = sorted(set(data.events))
    check_webhook_input(access, data)
    secret = new_secret() if data.kind == Webhook.Kind.WEBHOOK else None
    hook = Webhook(
        organization=access.organization,
        kind=data.kind,
        team=data.team,
        events=data.events,
        description=data.description.strip(),
        enabled=data.enabled,
        created_by=actor if getattr(actor, "pk", None) else None,
        sealed_secret=seal(secret) if secret else "",
    )
    _address(hook, data)
    with writes.atomic():
        hook.save()
        record(access.organization.pk, actor, "create_webhook", hook, after=_shown(data))
    return hook, secret


def _input_of(hook: Webhook, url: str) -> WebhookInput:
    return WebhookInput(
        url=url, events=list(hook.events), kind=hook.kind, description=hook.description,
        team=hook.team, enabled=hook.enabled,
    )  # fmt: skip


def do_update_webhook(
    access: Access,
    hook: Webhook,
    changes: dict[str, Any],
    actor: Any,
    *,
    expected_version: int | None = None,
) -> Webhook:
    """Change a subscription's address, events, description or whether it is enabled (its
    kind stays). A chat channel's address is kept unless a new one is given. Conflict when
    `expected_version` is not the stored one."""
    check_manages(access, hook, changes.get("team"))
    unknown = set(changes) - {"url", "events", "description", "enabled", "team"}
    if unknown:
        raise ActionError(sorted(unknown)[0], "This cannot be changed.")
    before = _input_of(hook, hook.url)
    data = _input_of(hook, changes.get("url") or hook.url)
    for name in ("events", "description", "enabled", "team"):
        if name in changes:
            setattr(data, name, changes[name])
    data.events = sorted(set(data.events))
    check_webhook_input(access, data, new_url=bool(changes.get("url")))
    with writes.atomic():
        current = Webhook.objects.select_for_update().get(pk=hook.pk)
        if expected_version is not None and current.version != expected_version:
            raise Conflict(
                current.version, "Someone changed this subscription since you opened it."
            )
        if changes.get("url"):
            _address(hook, data)
        hook.events, hook.description, hook.enabled = data.events, data.description, data.enabled
        hook.team = data.team
        hook.version = current.version + 1
        hook.save()
        record(
            access.organization.pk, actor, "update_webhook", hook,
            before=_shown(before), after=_shown(data),
        )  # fmt: skip
    return hook


def do_delete_webhook(access: Access, hook: Webhook, actor: Any) -> None:
    """Delete a subscription with its delivery log."""
    check_manages(access, hook)
    with writes.atomic():
        record(
            access.organization.pk, actor, "delete_webhook", hook,
            before=_shown(_input_of(hook, hook.url)),
        )  # fmt: skip
        hook.delete()


def do_rotate_webhook_secret(access: Access, hook: Webhook, actor: Any) -> str:
    """A new signing secret for a webhook (shown once); the old one stops signing at once."""
    check_manages_integrations(access)
    if hook.is_channel:
        raise ActionError("secret", "A Slack or Teams channel has no signing secret.")
    secret = new_secret()
    with writes.atomic():
        Webhook.objects.filter(pk=hook.pk).update(
            sealed_secret=seal(secret), version=F("version") + 1
        )
        record(access.organization.pk, actor, "rotate_webhook_secret", hook)
    hook.refresh_from_db()
    return secret


def do_send_test_event(access: Access, hook: Webhook, actor: Any) -> Delivery:
    """Queue a `webhook.test` delivery to the subscription (sent by the worker, in its log)."""
    check_manages(access, hook)
    if not hook.enabled:
        raise ActionError("enabled", "Enable the subscription before sending it a test event.")
    org = access.organization
    data = {
        "organization": {"slug": org.slug, "name": org.name},
        "webhook": {"id": hook.pk},
        "message": "A test event sent from Constellation.",
    }
    with writes.atomic():
        made = queue(deliveries_for([hook], Outgoing(TEST_EVENT, data, hook.team_id)))
        record(org.pk, actor, "test_webhook", hook, after={"message_id": made[0].message_id})
    return made[0]
