"""What the webhook endpoints take and return: subscriptions, their secret (once) and log."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field

from constellation.server.api.schemas import Out, Strict


class WebhookIn(Strict):
    """A new subscription: where to post, and which events (all of them when left out)."""

    url: str = Field(description="An http or https address that receives the events.")
    events: list[str] | None = Field(
        None,
        description="Event types (`checkin.recorded`, …); without it, every event.",
    )
    description: str = ""


class WebhookPatch(Strict):
    """A change of a subscription; `version` (from the last read) detects concurrent edits."""

    url: str | None = None
    events: list[str] | None = Field(None, description="An empty list: every event.")
    description: str | None = None
    enabled: bool | None = Field(None, description="False stops deliveries; true resumes them.")
    version: int | None = Field(None, description="The version last read: 409 when stale.")


class WebhookOut(Out):
    """A subscription as listed: never its secret."""

    id: int
    url: str
    events: list[str] = Field(description="The event types it receives; empty: every event.")
    description: str
    enabled: bool
    version: int
    created_at: dt.datetime


class WebhookCreated(WebhookOut):
    """A new subscription with its signing secret, shown this once."""

    secret: str = Field(description="The `whsec_…` signing secret: store it, it is shown once.")


class SecretOut(Out):
    """A new signing secret, shown this once."""

    secret: str


class AttemptOut(Out):
    """One try at sending a delivery."""

    number: int
    at: dt.datetime
    status_code: int | None
    duration_ms: int
    error: str
    ok: bool


class DeliveryOut(Out):
    """One event sent (or being sent) to the subscription, with every attempt."""

    id: str = Field(description="The `webhook-id` header of every attempt.")
    type: str
    state: str = Field(description="`delivered`, `waiting` (to be retried) or `failed`.")
    created_at: dt.datetime
    attempts: list[AttemptOut]
    next_attempt_at: dt.datetime | None
    payload: dict[str, Any]


Topic = Literal["launches", "check_ins", "alerts", "digests"]
ALL_TOPICS: tuple[Topic, ...] = ("launches", "check_ins", "alerts", "digests")


class ChannelIn(Strict):
    """A new Slack or Teams channel: its incoming-webhook URL, its team and what it hears."""

    kind: Literal["slack", "teams"]
    url: str = Field(description="The channel's incoming-webhook URL (kept sealed, never shown).")
    team: str | None = Field(None, description="A team's slug; without it, the whole organisation.")
    topics: list[Topic] = Field(
        default_factory=lambda: list(ALL_TOPICS),
        description="What it hears: launches, check-ins, alerts (KPIs, statuses), digests.",
    )
    description: str = ""


class ChannelPatch(Strict):
    """A change of a channel; `url` replaces its address; `version` detects concurrent edits."""

    url: str | None = None
    topics: list[Topic] | None = None
    description: str | None = None
    enabled: bool | None = None
    version: int | None = None


class ChannelOut(Out):
    """A channel as listed: its address only by host and last characters."""

    id: int
    kind: str
    url: str = Field(description="The host and the last characters of the address.")
    team: str | None
    topics: list[str]
    description: str
    enabled: bool
    version: int
    created_at: dt.datetime
