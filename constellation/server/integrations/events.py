"""Turning a write's audit events into deliveries, in the write's own transaction.

`queue_deliveries` is one of the `CHANGE_HANDLERS` (`audit.changes`): it receives the events of
every write before it commits, picks those a subscription may want (a launch, a check-in, a
review, a dependency, a KPI alert, a finished quarterly review, an objective's status changed
by the stored scores), describes each as a payload and writes one `Delivery` per subscription
that wants it. The deliveries commit with the write or not at all, and a job attempts them once
it committed (`tasks.deliver_on_commit`). A write of an organisation without subscriptions
costs one query.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from constellation.server.audit.models import AuditEvent
from constellation.server.integrations.models import DIGEST_EVENT, Delivery, Webhook
from constellation.server.integrations.outbox import new_message_id
from constellation.server.integrations.tasks import deliver_on_commit
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.models import Organization, Team
from constellation.server.sharing.models import Dependency, Launch, ReviewRequest

# The action a stored score's status change is noted under (`plans.stored`), not an audit event.
STATUS_CHANGE = "status_change"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One event to deliver: its type, what it says and the team it is about (if any)."""

    type: str
    data: dict[str, Any]
    team_id: int | None = None


def link(path: str) -> str:
    """The absolute address of a page of the site (SITE_URL and the path)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def payload(event_type: str, data: dict[str, Any], at: Any = None) -> dict[str, Any]:
    """The JSON body every receiver gets: `type`, `timestamp` and `data`."""
    moment = at or timezone.now()
    return {"type": event_type, "timestamp": moment.isoformat(), "data": data}


def _org(organization: Organization) -> dict[str, Any]:
    return {"slug": organization.slug, "name": organization.name}


def objective_data(objective: Objective) -> dict[str, Any]:
    """An objective as a payload names it: id (its slug), title, team, status, link."""
    org = objective.organization.slug
    return {
        "id": objective.slug,
        "title": objective.title,
        "status": objective.status or None,
        "team": objective.team.slug,
        "url": link(reverse("objective", kwargs={"org": org, "slug": objective.slug})),
    }


def _team(team: Team) -> dict[str, Any]:
    org = team.organization.slug
    return {
        "id": team.slug,
        "name": team.name,
        "url": link(reverse("team", kwargs={"org": org, "team": team.slug})),
    }


def _launched(event: Any, actor: str | None) -> list[Outgoing]:
    launch = (
        Launch.objects.select_related("team__organization", "period")
        .filter(pk=event.object_id)
        .first()
    )
    if launch is None:
        return []
    org = launch.team.organization
    url = link(reverse("launch", kwargs={"org": org.slug, "launch": launch.pk}))
    objectives = launch.objectives.select_related("team__organization", "organization")
    return [
        Outgoing(
            "objective.launched",
            {
                "organization": _org(org),
                "objective": objective_data(objective),
                "team": _team(launch.team),
                "period": launch.period.key,
                "launch": {"id": launch.pk, "message": launch.message, "url": url},
                "by": actor,
            },
            launch.team_id,
        )
        for objective in objectives.order_by("position", "id")
    ]


def _key_results(events: Sequence[Any]) -> dict[int, KeyResult]:
    """The key results a batch of check-ins names, with their objectives: one query for a
    whole week checked in at once."""
    ids = {e.object_id for e in events if e.action == "check_in" and e.object_type == "keyresult"}
    if not ids:
        return {}
    rows = KeyResult.objects.select_related(
        "objective__organization", "objective__team__organization"
    ).filter(pk__in=sorted(ids))
    return {kr.pk: kr for kr in rows}


def _checked_in(event: Any, actor: str | None) -> list[Outgoing]:
    if event.object_type != "keyresult":
        return []
    kr = _batch.key_results.get(event.object_id)
    if kr is None:
        return []
    objective = kr.objective
    after = event.after or {}
    data = {
        "organization": _org(objective.organization),
        "objective": objective_data(objective),
        "key_result": {
            "id": f"{objective.slug}/{kr.slug}",
            "title": kr.title,
            "value": kr.current,
            "target": kr.target,
            "unit": kr.unit,
            "confidence": kr.confidence,
            "url": objective_data(objective)["url"] + f"#kr-{kr.slug}",
        },
        "note": after.get("note", ""),
        "by": actor,
    }
    return [Outgoing("checkin.recorded", data, objective.team_id)]


def _status_changed(event: Any, actor: str | None) -> list[Outgoing]:
    objective = (
        Objective.objects.select_related("organization", "team__organization")
        .filter(pk=event.object_id)
        .first()
    )
    if objective is None:
        return []
    after = event.after or {}
    data = {
        "organization": _org(objective.organization),
        "objective": objective_data(objective),
        "status": {"before": after.get("before"), "after": after.get("after")},
        "reason": objective.status_reason,
    }
    return [Outgoing("objective.status_changed", data, objective.team_id)]


def _review(event: Any, actor: str | None) -> list[Outgoing]:
    review = (
        ReviewRequest.objects.select_related("team__organization", "period")
        .filter(pk=event.object_id)
        .first()
    )
    if review is None:
        return []
    org = review.team.organization
    after = event.after or {}
    data: dict[str, Any] = {
        "organization": _org(org),
        "team": _team(review.team),
        "period": review.period.key,
        "review_request": {
            "id": review.pk,
            "url": link(
                reverse("review-request", kwargs={"org": org.slug, "review_request": review.pk})
            ),
        },
        "by": actor,
    }
    if event.action == "send_for_review":
        data["objectives"] = after.get("objectives", [])
        data["reviewers"] = after.get("reviewers", [])
        return [Outgoing("review.requested", data, review.team_id)]
    data["decision"] = after.get("decision")
    data["comment"] = after.get("comment", "")
    return [Outgoing("review.answered", data, review.team_id)]


def _dependency(event: Any, actor: str | None) -> list[Outgoing]:
    dependency = (
        Dependency.objects.select_related(
            "from_team__organization", "to_team__organization", "key_result__objective"
        )
        .filter(pk=event.object_id)
        .first()
    )
    if dependency is None:
        return []
    org = dependency.from_team.organization
    kr = dependency.key_result
    url = reverse("dependency", kwargs={"org": org.slug, "dependency": dependency.pk})
    data = {
        "organization": _org(org),
        "dependency": {
            "id": dependency.pk,
            "need": dependency.need,
            "state": dependency.state,
            "note": dependency.note,
            "url": link(url),
        },
        "from_team": _team(dependency.from_team),
        "to_team": _team(dependency.to_team),
        "key_result": {"id": f"{kr.objective.slug}/{kr.slug}", "title": kr.title},
        "by": actor,
    }
    kind = "dependency.asked" if event.action == "ask_dependency" else "dependency.answered"
    return [Outgoing(kind, data, dependency.from_team_id)]


def _kpi_unhealthy(event: Any, actor: str | None) -> list[Outgoing]:
    after = event.after or {}
    kpi = (
        Kpi.objects.select_related("organization")
        .filter(organization_id=event.organization_id, slug=after.get("kpi"))
        .first()
    )
    if kpi is None:
        return []
    org = kpi.organization
    data = {
        "organization": _org(org),
        "kpi": {
            "id": kpi.slug,
            "title": kpi.title,
            "value": after.get("value"),
            "unit": kpi.unit,
            "healthy_low": kpi.healthy_low,
            "healthy_high": kpi.healthy_high,
            "url": link(reverse("kpi", kwargs={"org": org.slug, "kpi": kpi.slug})),
        },
    }
    return [Outgoing("kpi.unhealthy", data)]


def _review_finished(event: Any, actor: str | None) -> list[Outgoing]:
    team = Team.objects.select_related("organization").filter(pk=event.object_id).first()
    if team is None:
        return []
    after = event.after or {}
    period = after.get("period", "")
    url = reverse(
        "quarterly-review",
        kwargs={"org": team.organization.slug, "team": team.slug, "period": period},
    )
    data = {
        "organization": _org(team.organization),
        "team": _team(team),
        "period": period,
        "decided": after.get("decided"),
        "carried": after.get("carried"),
        "url": link(url),
        "by": actor,
    }
    return [Outgoing("quarterly_review.finished", data, team.pk)]


class _Batch(threading.local):
    """Rows read once for a whole batch of events (this thread's current one)."""

    def __init__(self) -> None:
        self.key_results: dict[int, KeyResult] = {}


_batch = _Batch()
Describe = Callable[[Any, str | None], list[Outgoing]]
# Audit actions (and the stored scores' status change) → what they become.
DESCRIBED: dict[str, Describe] = {
    "launch": _launched,
    "check_in": _checked_in,
    STATUS_CHANGE: _status_changed,
    "send_for_review": _review,
    "answer_review": _review,
    "ask_dependency": _dependency,
    "answer_dependency": _dependency,
    "open_kpi_alert": _kpi_unhealthy,
    "finish_review": _review_finished,
}


def _wanted(events: Sequence[Any]) -> list[Any]:
    """The events a subscription may want: audit events (a model signal's `Change` of a
    check-in repeats its audit event), and the stored scores' status changes."""
    return [
        event
        for event in events
        if event.action in DESCRIBED
        and event.organization_id is not None
        and (isinstance(event, AuditEvent) or event.action == STATUS_CHANGE)
    ]


def _actors(events: Sequence[Any]) -> dict[int, str]:
    ids = {event.actor_id for event in events if getattr(event, "actor_id", None)}
    if not ids:
        return {}
    users = get_user_model().objects.filter(pk__in=ids).values_list("pk", "username")
    return dict(users)


def queue_deliveries(events: Sequence[Any]) -> None:
    """Write a delivery for each subscription that wants one of these events (inside the
    write's transaction), and attempt them once it commits."""
    wanted = _wanted(events)
    if not wanted:
        return
    organizations = sorted({event.organization_id for event in wanted})
    hooks = list(Webhook.objects.filter(organization_id__in=organizations, enabled=True))
    if not hooks:
        return
    actors = _actors(wanted)
    _batch.key_results = _key_results(wanted)
    made: list[Delivery] = []
    for event in wanted:
        own = [hook for hook in hooks if hook.organization_id == event.organization_id]
        if not own:
            continue
        actor = actors.get(getattr(event, "actor_id", None) or 0)
        for outgoing in DESCRIBED[event.action](event, actor):
            made += deliveries_for(own, outgoing)
    if made:
        queue(made)


def deliveries_for(hooks: Sequence[Webhook], outgoing: Outgoing) -> list[Delivery]:
    """Unsaved deliveries of one event to the subscriptions that want it (a team's channel
    hears only its team's events)."""
    body = payload(outgoing.type, outgoing.data)
    return [
        Delivery(
            webhook=hook,
            message_id=new_message_id(),
            event_type=outgoing.type,
            payload=body,
        )
        for hook in hooks
        if hook.wants(outgoing.type) and (hook.team_id is None or hook.team_id == outgoing.team_id)
    ]


def queue(deliveries: list[Delivery]) -> list[Delivery]:
    """Save the deliveries and attempt them once the transaction commits."""
    made = Delivery.objects.bulk_create(deliveries)
    deliver_on_commit([delivery.pk for delivery in made])
    return made


def queue_digest(team: Team, title: str, lines: list[str]) -> list[Delivery]:
    """A team's weekly digest to the Slack and Teams channels that want it (the team's own and
    the organisation's), in the caller's transaction; attempted once it commits."""
    hooks = list(
        Webhook.objects.filter(organization_id=team.organization_id, enabled=True)
        .exclude(kind=Webhook.Kind.WEBHOOK)
        .select_related("organization")
    )
    if not hooks:
        return []
    data = {
        "organization": _org(team.organization),
        "team": _team(team),
        "title": title,
        "lines": lines,
    }
    made = deliveries_for(hooks, Outgoing(DIGEST_EVENT, data, team.pk))
    return queue(made) if made else []
