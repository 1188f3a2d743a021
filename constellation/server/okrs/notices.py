"""Telling the people whose objectives align to an objective that it changed.

Alignment is a link, never a copy: when an objective changes, nothing changes downstream, so
the owners of the objectives that align to it are told instead and decide for themselves.
Every action that changes an objective or its key results calls `notify_aligned` inside its
transaction (before a deletion, while the links still exist).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.urls import reverse

from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Alignment, KeyResult, Objective
from constellation.server.orgs.models import LEADING_ROLES, Membership

# Fields whose change matters to someone who aligns to the objective; who owns it does not.
WATCHED_FIELDS = ("title", "state", "focus", "commitment", "team", "period")
KEY_RESULT_FIELDS = ("title", "type", "baseline", "target", "unit", "weight")
MAX_VALUE_CHARS = 80
MAX_NAMED = 5


def _short(value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return f"{value:g}"  # 50 and 50.0 read the same: "50"
    text = "nothing" if value in (None, "") else str(value)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def objective_changes(objective: Objective, before: Mapping[str, Any]) -> list[str]:
    """What changed in `objective` since `before` (a snapshot), in words, watched fields only.

    Team and period are named (the snapshot holds their ids); `objective` is the saved row.
    """
    states = {value: label.lower() for value, label in Objective.State.choices}
    lines: list[str] = []
    for name in WATCHED_FIELDS:
        if name not in before:
            continue
        if name == "team" and before[name] != objective.team_id:
            lines.append(f"moved to the team {objective.team.name}")
        elif name == "period" and before[name] != objective.period_id:
            lines.append(f"moved to the period {objective.period.key}")
        elif name == "state":
            old, new = before[name], objective.state
            lines += describe_changes({name: states.get(old, old)}, {name: states.get(new, new)})
        elif name not in ("team", "period"):
            lines += describe_changes({name: before[name]}, {name: getattr(objective, name)})
    return lines


def key_result_changes(key_result: KeyResult, before: Mapping[str, Any]) -> list[str]:
    """What changed in a key result's definition since `before`, as one line, or nothing."""
    after = {name: getattr(key_result, name) for name in KEY_RESULT_FIELDS if name in before}
    changed = describe_changes(before, after, list(after))
    if not changed:
        return []
    return [f"key result “{key_result.title}”: {'; '.join(changed)}"]


def describe_changes(
    before: Mapping[str, Any], after: Mapping[str, Any], fields: Iterable[str] | None = None
) -> list[str]:
    """`["state: draft → launched", …]` for each watched field whose value changed."""
    names = list(fields) if fields is not None else list(dict.fromkeys([*before, *after]))
    return [
        f"{name.replace('_', ' ')}: {_short(before.get(name))} → {_short(after.get(name))}"
        for name in names
        if before.get(name) != after.get(name)
    ]


def _recipients(organization_id: int, links: list[Alignment]) -> list[Any]:
    """Each aligned objective's owner, or the leaders of its team when it has no owner.

    Only people still in the organisation: a notification (or its email) must never reach
    someone who left it.
    """
    people: dict[int, Any] = {}
    ownerless_teams: set[int] = set()
    for link in links:
        owner = link.source.owner
        if owner is None:
            ownerless_teams.add(link.source.team_id)
        elif owner.is_active:
            people[owner.pk] = owner
    if ownerless_teams:
        leaders = Membership.teams.through.objects.filter(
            team_id__in=ownerless_teams,
            membership__role__in=LEADING_ROLES,
            membership__user__is_active=True,
            membership__deactivated_at__isnull=True,
        ).select_related("membership__user")
        for row in leaders:
            people.setdefault(row.membership.user.pk, row.membership.user)
    members = set(
        Membership.objects.filter(
            organization_id=organization_id,
            user_id__in=list(people),
            deactivated_at__isnull=True,
        ).values_list("user_id", flat=True)
    )
    return [person for pk, person in people.items() if pk in members]


def notify_aligned(
    objective: Objective, what: str | Iterable[str], actor: Any, *, email: bool = False
) -> list[Notification]:
    """Tell the owners of the objectives that align to `objective` what changed in it.

    `what` is a sentence or a list of changes (`describe_changes`). Objectives that are
    closed are not told. The actor is never told about their own change. Call it inside the
    action's transaction, so a rolled-back change tells nobody (emails leave on commit).
    """
    changes = [what] if isinstance(what, str) else [w for w in what if w]
    if not changes:
        return []
    links = list(
        Alignment.objects.filter(target=objective)
        .exclude(source__state=Objective.State.CLOSED)
        .select_related("source__owner")
        .order_by("id")
    )
    if not links:
        return []
    url = reverse("objective", kwargs={"org": objective.organization.slug, "slug": objective.slug})
    return do_notify(
        objective.organization,
        _recipients(objective.organization_id, links),
        Notification.Kind.ALIGNED_CHANGE,
        f"“{objective.title}”, which your objective aligns to, changed",
        body=_body(changes, [link.source for link in links]),
        url=url,
        actor=actor,
        email=email,
    )


def _body(changes: list[str], aligned: list[Objective]) -> str:
    lines = ["What changed:", *(f"- {change}" for change in changes), ""]
    shown = ", ".join(f"“{o.title}”" for o in aligned[:MAX_NAMED])
    more = f" and {len(aligned) - MAX_NAMED} more" if len(aligned) > MAX_NAMED else ""
    lines.append(f"Aligned to it: {shown}{more}. Nothing was copied or changed in them.")
    return "\n".join(lines)


def notify_deleted(objective: Objective, reason: str, actor: Any) -> list[Notification]:
    """Tell the owners of the objectives that align to `objective` that it is deleted and their
    link went with it. Call it inside the delete's transaction, before the links go."""
    links = list(
        Alignment.objects.filter(target=objective)
        .exclude(source__state=Objective.State.CLOSED)
        .select_related("source__owner")
        .order_by("id")
    )
    if not links:
        return []
    aligned = [link.source for link in links]
    shown = ", ".join(f"“{o.title}”" for o in aligned[:MAX_NAMED])
    more = f" and {len(aligned) - MAX_NAMED} more" if len(aligned) > MAX_NAMED else ""
    why = f"Why: {reason}\n" if reason else ""
    return do_notify(
        objective.organization,
        _recipients(objective.organization_id, links),
        Notification.Kind.ALIGNED_CHANGE,
        f"“{objective.title}”, which your objective aligned to, was deleted",
        body=f"{why}Aligned to it: {shown}{more}. Their link to it went with it: align them to "
        "another objective if they still support one.",
        url=reverse("dashboard", kwargs={"org": objective.organization.slug}),
        actor=actor,
    )
