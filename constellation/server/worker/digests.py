"""The weekly digest of each team: what moved, what is at risk, open dependencies.

Sent at each slot of the organisation's check-in cadence to the team's members, once per
team and slot (a `SentDigest` row inserted first, unique per team and slot). "What moved"
lists the check-ins dated from the last digest's day up to the day before this one, with the
change from the reading before; "at risk" is the core engine's status on the slot's day.
"""

from __future__ import annotations

import importlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max

from constellation.core import model, scoring
from constellation.core.numbers import format_value
from constellation.server.audit.actions import record
from constellation.server.integrations.events import queue_digest
from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.plans.plan import read_plan
from constellation.server.tracking.cadence import cadence_of
from constellation.server.tracking.models import SentDigest

STATUS_WORDS = {"on_track": "on track", "at_risk": "at risk", "off_track": "off track"}


@dataclass(frozen=True, slots=True)
class Movement:
    """A key result checked in on during the week: where it was, where it is."""

    objective: str
    key_result: str
    unit: str
    before: float | None
    after: float | None
    done: bool | None
    confidence: int | None

    @property
    def delta(self) -> float | None:
        """How far the value moved (None for a milestone or a first value)."""
        if self.before is None or self.after is None:
            return None
        return self.after - self.before


@dataclass(frozen=True, slots=True)
class Risk:
    """An objective at risk or off track, with its key results in trouble."""

    objective: str
    status: str
    key_results: list[tuple[str, str]]


@dataclass(slots=True)
class Digest:
    """One team's week."""

    team: Team
    since: date
    until: date
    moved: list[Movement] = field(default_factory=list)
    at_risk: list[Risk] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)
    recipients: list[Any] = field(default_factory=list)
    objectives: int = 0

    @property
    def worth_sending(self) -> bool:
        """A team with launched objectives or open dependencies hears about them each week."""
        return bool(self.recipients) and bool(self.objectives or self.dependencies)


def _movement(objective: model.Objective, kr: model.KeyResult, since: date, day: date) -> Any:
    """The key result's move over [since, day), or None when nobody checked in on it."""
    before = [c for c in kr.check_ins if c.on < since]
    during = [c for c in kr.check_ins if since <= c.on < day]
    if not during:
        return None
    start = before[-1].value if before and before[-1].value is not None else kr.baseline
    last = during[-1]
    return Movement(
        objective.title, kr.title, kr.unit or "", start, last.value, last.done, last.confidence
    )


def _risk(objective: model.Objective, score: scoring.ObjectiveScore) -> Risk | None:
    if score.status == "on_track":
        return None
    troubled = [
        (kr.title, STATUS_WORDS[kr.status]) for kr in score.key_results if kr.status != "on_track"
    ]
    return Risk(objective.title, STATUS_WORDS[score.status], troubled)


def dependencies_of(organization: Organization, teams: list[Team]) -> dict[int, list[str]]:
    """Open dependencies asked by or of each team, when the sharing app is installed."""
    try:
        sharing = importlib.import_module("constellation.server.sharing.models")
    except ImportError:
        return {}
    dependency = sharing.Dependency
    found: dict[int, list[str]] = defaultdict(list)
    rows = (
        dependency.objects.filter(organization=organization, state__in=dependency.OPEN_STATES)
        .select_related("from_team", "to_team", "key_result")
        .order_by("needed_by", "id")
    )
    ids = {team.pk for team in teams}
    for row in rows:
        when = f", needed by {row.needed_by:%d %b}" if row.needed_by else ""
        text = (
            f"{row.from_team.name} asks {row.to_team.name}: {row.need} "
            f"(for “{row.key_result.title}”{when}; {row.get_state_display()})"
        )
        for team_id in {row.from_team_id, row.to_team_id} & ids:
            found[team_id].append(text)
    return found


def _last_digests(organization: Organization, slot: datetime) -> dict[int, datetime]:
    """The slot of each team's latest digest before this slot."""
    rows = (
        SentDigest.objects.filter(organization=organization, slot__lt=slot)
        .values("team_id")
        .annotate(last=Max("slot"))
        .values_list("team_id", "last")
    )
    return dict(rows)


def _members(organization: Organization) -> tuple[list[Team], dict[int, list[Any]]]:
    """Teams with members, and their people (deactivated memberships get no digest)."""
    links = Membership.teams.through.objects.filter(
        membership__organization=organization, membership__deactivated_at__isnull=True
    )
    pairs = list(links.values_list("team_id", "membership__user_id"))
    people = get_user_model().objects.in_bulk({user for _, user in pairs})
    teams = Team.objects.in_bulk({team for team, _ in pairs})
    by_team: dict[int, list[Any]] = defaultdict(list)
    for team_id, user_id in pairs:
        by_team[team_id].append(people[user_id])
    return sorted(teams.values(), key=lambda t: t.name), by_team


def team_digests(organization: Organization, slot: datetime) -> list[Digest]:
    """Each team's digest for a slot, in a fixed number of queries whatever the data size."""
    cadence = cadence_of(organization)
    day = cadence.local_day(slot)
    fallback = cadence.local_day(cadence.previous_slot(slot))
    teams, people = _members(organization)
    if not teams:
        return []
    periods = Period.objects.filter(organization=organization, start__lte=day, end__gte=day)
    ids = list(
        Objective.objects.filter(
            organization=organization,
            team__in=[t.pk for t in teams],
            period__in=periods,
            state=Objective.State.LAUNCHED,
        ).values_list("id", flat=True)
    )
    rows = read_plan(organization, objective_ids=ids, with_check_ins=True)
    scores = {s.id: s for s in scoring.score_plan(rows.plan, day).objectives}
    team_of = {record.slug: record.team.pk for record in rows.records}
    last = _last_digests(organization, slot)
    digests = {
        t.pk: Digest(t, cadence.local_day(last[t.pk]) if t.pk in last else fallback, day)
        for t in teams
    }
    for objective in rows.plan.objectives:
        digest = digests.get(team_of.get(objective.id, -1))
        if digest is None:
            continue  # an objective of another period that one of these aligns to
        digest.objectives += 1
        for kr in objective.key_results:
            moved = _movement(objective, kr, digest.since, day)
            if moved is not None:
                digest.moved.append(moved)
        risk = _risk(objective, scores[objective.id])
        if risk is not None:
            digest.at_risk.append(risk)
    for team_id, texts in dependencies_of(organization, teams).items():
        digests[team_id].dependencies = texts
    for digest in digests.values():
        digest.recipients = people[digest.team.pk]
    return list(digests.values())


def _number(value: float | None, unit: str = "") -> str:
    return "no value" if value is None else format_value(value, unit)


def _moved_line(moved: Movement) -> str:
    if moved.after is None:
        what = "done" if moved.done else "not done yet"
    else:
        what = f"{_number(moved.before, moved.unit)} → {_number(moved.after, moved.unit)}"
        if moved.delta is not None:
            what += f" ({moved.delta:+g})"
    if moved.confidence is not None:
        what += f", confidence {moved.confidence}/10"
    return f"- {moved.key_result}: {what}\n  {moved.objective}"


def digest_text(organization: Organization, digest: Digest) -> tuple[str, str]:
    """The digest's title and body."""
    until = digest.until - timedelta(days=1)
    title = f"Weekly digest of {digest.team.name}: {digest.since:%d %b} to {until:%d %b}"
    lines = [f"{digest.team.name} at {organization.name}, week to {until:%A %d %B}.", ""]
    lines += ["What moved"]
    lines += [_moved_line(m) for m in digest.moved] or ["- No check-ins this week."]
    lines += ["", "At risk"]
    for risk in digest.at_risk:
        lines.append(f"- {risk.objective}: {risk.status}")
        lines += [f"  - {title_}: {status}" for title_, status in risk.key_results]
    if not digest.at_risk:
        lines.append("- Nothing at risk.")
    if digest.dependencies:
        lines += ["", "Open dependencies", *(f"- {text}" for text in digest.dependencies)]
    return title, "\n".join(lines)


def send_digest(organization: Organization, digest: Digest, slot: datetime) -> bool:
    """Send a team's digest for a slot unless it was sent already; True when sent now."""
    title, body = digest_text(organization, digest)
    with transaction.atomic():
        try:
            with transaction.atomic():  # a savepoint: a refusal keeps the outer transaction
                sent = SentDigest.objects.create(
                    organization=organization,
                    team=digest.team,
                    slot=slot,
                    recipients=len(digest.recipients),
                )
        except IntegrityError:
            return False  # another worker sent this one
        do_notify(
            organization,
            digest.recipients,
            Notification.Kind.OTHER,
            title,
            body=body,
            url=f"/o/{organization.slug}/teams/{digest.team.slug}/",
            email=True,
            email_preference="email_digests",
        )
        # The team's Slack or Teams channels hear it too, sent once this commits.
        queue_digest(digest.team, title, body.splitlines())
        after = {"team": digest.team.slug, "slot": slot.isoformat(), "moved": len(digest.moved)}
        record(organization.pk, None, "send_digest", sent, after=after)
    return True


def send_digests(organization: Organization, slot: datetime) -> int:
    """Send every team's digest for `slot` that no worker has sent yet; how many were sent."""
    digests = team_digests(organization, slot)
    return sum(send_digest(organization, d, slot) for d in digests if d.worth_sending)
