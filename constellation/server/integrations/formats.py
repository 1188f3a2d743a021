"""Events as chat messages: Slack's `text` and `blocks`, Microsoft Teams' MessageCard.

Both say the same, readably, with absolute links to the objective, key result or KPI: a
headline, a line or two of detail, and the link. Incoming webhooks of both accept these
shapes as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# Teams' card accent: Constellation's blue.
THEME = "2B59C3"


@dataclass(frozen=True, slots=True)
class Message:
    """What a chat message says: a headline, details and (title, address) links."""

    headline: str
    details: list[str]
    links: list[tuple[str, str]]


def _named(data: dict[str, Any], key: str) -> dict[str, Any]:
    value = data.get(key)
    return value if isinstance(value, dict) else {}


def _checkin(data: dict[str, Any]) -> Message:
    kr, objective = _named(data, "key_result"), _named(data, "objective")
    unit = kr.get("unit") or ""
    value = f"{kr.get('value')}{unit}" if kr.get("value") is not None else "no value"
    details = [f"{kr.get('title')}: now {value} (target {kr.get('target')}{unit})"]
    if kr.get("confidence") is not None:
        details.append(f"Confidence {kr.get('confidence')}/10")
    if data.get("note"):
        details.append(f"“{data['note']}”")
    who = data.get("by") or "Someone"
    return Message(
        f"{who} checked in on {objective.get('title')}",
        details,
        [
            (kr.get("title", "Key result"), kr.get("url", "")),
            (objective.get("title", ""), objective.get("url", "")),
        ],
    )


def _launched(data: dict[str, Any]) -> Message:
    objective, team = _named(data, "objective"), _named(data, "team")
    launch = _named(data, "launch")
    details = [f"{team.get('name')} · {data.get('period')}"]
    if launch.get("message"):
        details.append(str(launch["message"]))
    return Message(
        f"Launched: {objective.get('title')}",
        details,
        [(objective.get("title", "Objective"), objective.get("url", ""))],
    )


def _kpi(data: dict[str, Any]) -> Message:
    kpi = _named(data, "kpi")
    unit = kpi.get("unit") or ""
    return Message(
        f"KPI alert: {kpi.get('title')} left its healthy range",
        [f"Now {kpi.get('value')}{unit}"],
        [(kpi.get("title", "KPI"), kpi.get("url", ""))],
    )


def _status(data: dict[str, Any]) -> Message:
    objective, status = _named(data, "objective"), _named(data, "status")
    before = str(status.get("before") or "unscored").replace("_", " ")
    after = str(status.get("after") or "unscored").replace("_", " ")
    details = [f"From {before} to {after}"]
    if data.get("reason"):
        details.append(str(data["reason"]))
    return Message(
        f"{objective.get('title')} is now {after}",
        details,
        [(objective.get("title", "Objective"), objective.get("url", ""))],
    )


def _digest(data: dict[str, Any]) -> Message:
    team = _named(data, "team")
    return Message(
        str(data.get("title") or f"Weekly digest: {team.get('name')}"),
        [str(line) for line in data.get("lines", [])],
        [(team.get("name", "Team"), team.get("url", ""))],
    )


def _test(data: dict[str, Any]) -> Message:
    return Message(
        "Test message from Constellation",
        [f"This channel is connected to {_named(data, 'organization').get('name')}."],
        [],
    )


FORMATS = {
    "checkin.recorded": _checkin,
    "objective.launched": _launched,
    "kpi.unhealthy": _kpi,
    "objective.status_changed": _status,
    "team.digest": _digest,
    "webhook.test": _test,
}


def message_of(payload: dict[str, Any]) -> Message:
    """What a chat message says about an event's payload."""
    data = payload.get("data") or {}
    shape = FORMATS.get(str(payload.get("type")))
    if shape is None:
        return Message(str(payload.get("type")), [], [])
    return shape(data)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack(message: Message) -> dict[str, Any]:
    """A Slack incoming-webhook body: `text` (notifications) and mrkdwn `blocks`."""
    links = [f"<{url}|{_slack_escape(title)}>" for title, url in message.links if url]
    lines = [f"*{_slack_escape(message.headline)}*", *map(_slack_escape, message.details)]
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(lines)}}
    ]
    if links:
        blocks.append(
            {"type": "context", "elements": [{"type": "mrkdwn", "text": " · ".join(links)}]}
        )
    return {"text": message.headline, "blocks": blocks}


def teams(message: Message) -> dict[str, Any]:
    """A Microsoft Teams incoming-webhook body: a MessageCard with buttons to the pages."""
    card: dict[str, Any] = {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "themeColor": THEME,
        "summary": message.headline,
        "title": message.headline,
        "text": "\n\n".join(message.details) or message.headline,
    }
    actions = [
        {"@type": "OpenUri", "name": f"Open {title}", "targets": [{"os": "default", "uri": url}]}
        for title, url in message.links
        if url
    ]
    if actions:
        card["potentialAction"] = actions
    return card


def chat_message(kind: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The body a Slack (`slack`) or Teams (`teams`) channel is sent for an event."""
    message = message_of(payload)
    return slack(message) if kind == "slack" else teams(message)
