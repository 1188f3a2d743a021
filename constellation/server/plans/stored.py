"""Scores and coach findings kept in the database, current with every write.

The core engine is still the one place the formulas and the rules live; this module calls it
for what a write touched, never for a whole period, and stores what it says:

- each objective's progress, expected progress, status, grade and number of findings, and each
  key result's value, progress, expected progress, status and forecast (columns of their rows);
- the coach's findings (`okrs.Finding`): about an objective or its key results, about a team's
  set for a period (balance, too many objectives, whether OKRs fit), about a period's plan
  (levers nobody models, no strategy) and alignment loops.

`apply_changes` receives the audit events of a write before it commits (`audit.changes`) and
works out what they touch: the objectives changed, those whose findings read them (everything
aligned to them, transitively), their teams' sets and their periods' plans. A check-in changes
only scores (no rule of the coach reads a value, a done flag, a confidence or a check-in). Rows
being rescored are locked first (`SELECT ... FOR UPDATE` on PostgreSQL), so two writes to one
objective never store a score computed from the other's old inputs.

The calendar moves too: `refresh_calendar` (the worker's daily job) rescores the objectives
scored before today whose period was still running then. `drift` compares what is stored with
a fresh run of the engine over a whole period; `okr rescore` reports it and repairs it.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core import model as core
from constellation.core.coach.checks_key_results import check_key_results
from constellation.core.coach.checks_objectives import check_objective
from constellation.core.coach.checks_strategy import check_cycles, check_strategy
from constellation.core.coach.checks_teams import check_teams
from constellation.core.coach.context import LintContext
from constellation.core.coach.rules import RULES
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Alignment, Finding, Initiative, KeyResult, Objective
from constellation.server.okrs.models import Period
from constellation.server.orgs.models import Organization, Team
from constellation.server.plans.plan import read_plan
from constellation.server.strategy.models import Lever
from constellation.server.tracking.models import CheckIn

# Objectives scored per round of queries: bounded memory whatever the organisation's size.
BATCH = 400
# Alignment chains longer than this are not followed further (a loop is reported anyway).
MAX_DEPTH = 50
CYCLE_RULE = "alignment-cycle"
OBJECTIVE_FIELDS = ["progress", "expected", "status", "grade", "scored_on"]
KEY_RESULT_FIELDS = ["value", "progress", "expected", "status", "forecast"]


@dataclass
class Touched:
    """What some writes to one organisation touched, as the passes below need it."""

    objectives: set[int] = field(default_factory=set)  # scores and findings
    scored: set[int] = field(default_factory=set)  # scores only (check-ins)
    teams: set[tuple[int, int]] = field(default_factory=set)  # (team, period) sets
    all_periods_of_teams: set[int] = field(default_factory=set)
    periods: set[int] = field(default_factory=set)  # plan-level findings (levers)
    cycles: set[int] = field(default_factory=set)  # periods whose loops are checked again
    kpis: set[int] = field(default_factory=set)
    levers: bool = False  # the strategy changed: every period's plan, objectives without levers

    def __bool__(self) -> bool:
        return bool(
            self.objectives
            or self.scored
            or self.teams
            or self.all_periods_of_teams
            or self.periods
            or self.cycles
            or self.kpis
            or self.levers
        )


def _ids(data: dict[str, Any], *keys: str) -> list[int]:
    return [value for key in keys if isinstance(value := data.get(key), int)]


def _touched(events: Sequence[AuditEvent]) -> dict[int, Touched]:
    """What the events touched, by organisation (a few queries for the rows they name)."""
    found: dict[int, Touched] = defaultdict(Touched)
    # Rows named by id, resolved to their objectives in one query per kind below.
    named: dict[str, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    for event in events:
        touched = found[event.organization_id]
        kind, pk = event.object_type, event.object_id
        data = {**(event.before or {}), **(event.after or {})}
        if event.action == "check_in":
            # A check-in changes scores only: no rule of the coach reads a reading.
            touched.scored.update(_ids(data, "objective"))
            if kind == "keyresult" and pk is not None:
                named["scored"][event.organization_id].add(pk)
            elif kind == "checkin" and pk is not None:
                named["checkin"][event.organization_id].add(pk)
            continue
        touched.objectives.update(_ids(data, "objective", "source", "target"))
        for kr_id in _ids(data, "key_result"):
            named["keyresult"][event.organization_id].add(kr_id)
        if kind == "objective" and pk is not None:
            touched.objectives.add(pk)
            team, period = data.get("team"), data.get("period")
            if isinstance(team, int) and isinstance(period, int):
                touched.teams.add((team, period))
            before, after = event.before or {}, event.after or {}
            if event.action in {"import", "carry"} or before.get("slug") != after.get("slug"):
                touched.cycles.update(_ids(data, "period"))
                touched.cycles.add(ANY_PERIOD)
        elif kind in {"keyresult", "checkin", "alignment", "initiative"} and pk is not None:
            named[kind][event.organization_id].add(pk)
            if kind == "alignment":
                touched.cycles.add(ANY_PERIOD)
        elif kind in {"kpi", "kpireading"}:
            touched.kpis.update(_ids(data, "kpi"))
            if kind == "kpi" and pk is not None:
                touched.kpis.add(pk)
        elif kind in {"lever", "strategy"} or (kind == "organization" and event.action == "import"):
            touched.levers = True
        elif kind == "team" and pk is not None:
            touched.all_periods_of_teams.add(pk)
    _resolve(found, named)
    return found


ANY_PERIOD = -1
_NAMED = {
    "keyresult": (KeyResult, "objective_id", False),
    "scored": (KeyResult, "objective_id", True),
    "checkin": (CheckIn, "key_result__objective_id", True),
    "alignment": (Alignment, "source_id", False),
    "initiative": (Initiative, "objective_id", False),
}


def _resolve(found: dict[int, Touched], named: dict[str, dict[int, set[int]]]) -> None:
    """Rows named by id (key results, check-ins, links, initiatives) to their objectives."""
    for kind, by_organization in named.items():
        table, column, scores_only = _NAMED[kind]
        for organization_id, ids in by_organization.items():
            touched = found[organization_id]
            into = touched.scored if scores_only else touched.objectives
            rows = table.objects.filter(id__in=sorted(ids))  # type: ignore[attr-defined]
            into.update(rows.values_list(column, flat=True))
            if kind == "alignment":
                into.update(rows.values_list("target_id", flat=True))


def apply_changes(events: Sequence[AuditEvent]) -> None:
    """Bring the stored scores and findings up to date with what the events changed (called
    inside the transaction that recorded them)."""
    for organization_id, touched in _touched(events).items():
        if touched:
            refresh(organization_id, touched)


def _closure(start: Iterable[int], upstream: bool) -> set[int]:
    """The objectives reachable from `start` through alignment links (targets when `upstream`,
    else sources), `start` not included unless on a loop; one query per level."""
    seen: set[int] = set()
    frontier = set(start)
    near, far = ("source_id", "target_id") if upstream else ("target_id", "source_id")
    for _ in range(MAX_DEPTH):
        if not frontier:
            break
        step = set(
            Alignment.objects.filter(**{f"{near}__in": sorted(frontier)}).values_list(
                far, flat=True
            )
        )
        frontier = step - seen
        seen |= step
    return seen


def _expand(organization_id: int, touched: Touched) -> None:
    """Add what the touched rows' findings and sets depend on."""
    if touched.kpis:
        kpis = sorted(touched.kpis)
        touched.objectives.update(
            Objective.objects.filter(
                Q(guardrails__in=kpis) | Q(key_results__kpi__in=kpis),
                organization_id=organization_id,
            ).values_list("id", flat=True)
        )
    if touched.levers:
        touched.objectives.update(
            Objective.objects.filter(organization_id=organization_id)
            .filter(Q(levers__isnull=True) | Q(levers__retired_at__isnull=False))
            .values_list("id", flat=True)
        )
        touched.periods.update(
            Period.objects.filter(organization_id=organization_id).values_list("id", flat=True)
        )
    # Findings compare an objective's key results with everything it aligns to, transitively.
    if touched.objectives:
        touched.objectives |= _closure(touched.objectives, upstream=False)
    touched.scored -= touched.objectives
    if touched.all_periods_of_teams:
        touched.teams.update(
            Objective.objects.filter(
                organization_id=organization_id, team_id__in=sorted(touched.all_periods_of_teams)
            )
            .values_list("team_id", "period_id")
            .distinct()
        )
    if touched.objectives:
        rows = Objective.objects.filter(id__in=sorted(touched.objectives)).values_list(
            "team_id", "period_id"
        )
        for team_id, period_id in rows:
            touched.teams.add((team_id, period_id))
            touched.periods.add(period_id)
    if ANY_PERIOD in touched.cycles:
        touched.cycles.discard(ANY_PERIOD)
        touched.cycles |= touched.periods


def refresh(organization_id: int, touched: Touched, on: date | None = None) -> None:
    """Rescore and recoach what `touched` names (see the module's description)."""
    organization = Organization.objects.get(pk=organization_id)
    day = on or timezone.localdate()
    _expand(organization_id, touched)
    every = sorted(touched.objectives | touched.scored)
    for start in range(0, len(every), BATCH):
        batch = every[start : start + BATCH]
        _lock(batch)
        full = [pk for pk in batch if pk in touched.objectives]
        _rescore(organization, batch, full, day)
    _team_sets(organization, sorted(touched.teams))
    for period_id in sorted(touched.periods):
        _plan_findings(organization, period_id)
    owners: set[int] = set()
    for period_id in sorted(touched.cycles):
        owners |= _cycles(organization, period_id)
    _count_findings(sorted(touched.objectives | owners))


def _lock(ids: Sequence[int]) -> None:
    """Hold the objectives' rows until the transaction ends (no-op on SQLite's single writer)."""
    if connection.features.has_select_for_update and ids:
        list(Objective.objects.filter(id__in=ids).order_by("id").select_for_update().values("id"))


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _rescore(organization: Organization, batch: list[int], full: list[int], on: date) -> None:
    """Score the batch's objectives (and coach `full` ones) with the engine, and store it."""
    upstream = _closure(full, upstream=True) - set(batch) if full else set()
    rows = read_plan(
        organization, objective_ids=[*batch, *sorted(upstream)], with_check_ins=True
    )
    plan = rows.plan
    by_pk = {record.pk: index for index, record in enumerate(rows.records)}
    kr_ids: dict[int, list[int]] = defaultdict(list)
    for kr_id, place in sorted(
        rows.key_results.items(), key=lambda item: (item[1].objective, item[1].key_result)
    ):
        kr_ids[place.objective_id].append(kr_id)
    objectives: list[Objective] = []
    key_results: list[KeyResult] = []
    for pk in batch:
        index = by_pk.get(pk)
        if index is None:
            continue  # deleted meanwhile
        score = scoring.score_objective(plan.objectives[index], on)
        objectives.append(
            Objective(
                pk=pk,
                progress=score.progress,
                expected=score.expected,
                status=score.status,
                grade=score.grade.value,
                scored_on=on,
            )
        )
        for kr_id, kr in zip(kr_ids.get(pk, []), score.key_results, strict=False):
            key_results.append(
                KeyResult(
                    pk=kr_id,
                    value=_finite(kr.current),
                    progress=kr.progress,
                    expected=kr.expected,
                    status=kr.status,
                    forecast=kr.forecast.as_dict() if kr.forecast is not None else None,
                )
            )
    Objective.objects.bulk_update(objectives, OBJECTIVE_FIELDS, batch_size=BATCH)
    KeyResult.objects.bulk_update(key_results, KEY_RESULT_FIELDS, batch_size=BATCH)
    if not full:
        return
    ctx = LintContext(plan)
    made: list[Finding] = []
    for pk in full:
        index = by_pk.get(pk)
        if index is None:
            continue
        objective = plan.objectives[index]
        record = rows.records[index]
        found = [*check_objective(ctx, objective), *check_key_results(ctx, objective)]
        for position, finding in enumerate(coach.sort_findings(plan, found)):
            made.append(
                _finding(organization, finding, position, pk, record.team.pk, record.period_id)
            )
    Finding.objects.filter(objective_id__in=full).exclude(rule=CYCLE_RULE).delete()
    Finding.objects.bulk_create(made, batch_size=BATCH)


def _finding(
    organization: Organization,
    finding: coach.Finding,
    position: int,
    objective_id: int | None,
    team_id: int | None,
    period_id: int,
) -> Finding:
    return Finding(
        organization=organization,
        period_id=period_id,
        objective_id=objective_id,
        team_id=team_id,
        subject=RULES[finding.rule].subject,
        rule=finding.rule,
        severity=finding.severity,
        object=finding.object or "",
        message=finding.message,
        hint=finding.hint,
        position=position,
    )


def _team_sets(organization: Organization, pairs: list[tuple[int, int]]) -> None:
    """The findings about each (team, period) set: balance, count, whether OKRs fit.

    Read period by period, whole sets at a time, so a finding's team slug names one set.
    """
    if not pairs:
        return
    teams = dict(
        Team.objects.filter(id__in=sorted({team for team, _ in pairs})).values_list("id", "slug")
    )
    by_period: dict[int, set[int]] = defaultdict(set)
    for team_id, period_id in pairs:
        by_period[period_id].add(team_id)
    made: list[Finding] = []
    for period_id, team_ids in sorted(by_period.items()):
        sets: dict[int, list[int]] = defaultdict(list)
        for pk, team_id in Objective.objects.filter(
            period_id=period_id, team_id__in=sorted(team_ids)
        ).values_list("id", "team_id"):
            sets[team_id].append(pk)
        for chunk in _packed(list(sets.values()), BATCH * 2):
            plan = read_plan(organization, objective_ids=chunk).plan
            for finding in check_teams(LintContext(plan)):
                team_id = next(
                    (pk for pk, slug in teams.items() if slug == finding.object), None
                )
                if team_id in team_ids:
                    made.append(_finding(organization, finding, 0, None, team_id, period_id))
    where = Q()
    for team_id, period_id in pairs:
        where |= Q(team_id=team_id, period_id=period_id)
    Finding.objects.filter(where, subject="team").delete()
    Finding.objects.bulk_create(made, batch_size=BATCH)


def _packed(groups: list[list[int]], size: int) -> Iterable[list[int]]:
    """Whole groups packed into chunks of about `size` ids (a bigger group alone)."""
    chunk: list[int] = []
    for group in groups:
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk.extend(group)
    if chunk:
        yield chunk


def _plan_findings(organization: Organization, period_id: int) -> None:
    """The findings about a period's whole plan: no strategy, levers nobody models."""
    levers = [
        core.Lever(id=slug, title=title)
        for slug, title in Lever.objects.filter(
            organization_id=organization.pk, retired_at__isnull=True
        ).values_list("slug", "title")
    ]
    modelled = sorted(
        set(
            Objective.levers.through.objects.filter(objective__period_id=period_id).values_list(
                "lever__slug", flat=True
            )
        )
    )
    plan = core.Plan(organization=organization.name, period="", levers=levers)
    if modelled:
        plan.objectives.append(core.Objective(id="", team="", title="", period="", levers=modelled))
    found = list(check_strategy(LintContext(plan)))
    Finding.objects.filter(period_id=period_id, subject__in=["file", "lever"]).delete()
    Finding.objects.bulk_create(
        [
            _finding(organization, finding, position, None, None, period_id)
            for position, finding in enumerate(found)
        ]
    )


def _cycles(organization: Organization, period_id: int) -> set[int]:
    """Alignment loops among a period's objectives, each kept on its first objective; the
    objectives whose number of findings this may change."""
    old = Finding.objects.filter(period_id=period_id, rule=CYCLE_RULE)
    owners = {pk for pk in old.values_list("objective_id", flat=True) if pk is not None}
    old.delete()
    links: dict[int, list[str]] = defaultdict(list)
    pairs = list(
        Alignment.objects.filter(
            source__period_id=period_id, target__period_id=period_id
        ).values_list("source_id", "target__slug")
    )
    if not pairs:
        return owners
    for source, target in pairs:
        links[source].append(target)
    rows = list(
        Objective.objects.filter(period_id=period_id)
        .order_by("position", "id")
        .values_list("id", "slug", "team_id")
    )
    light = [
        core.Objective(id=slug, team="", title="", period="", aligns_to=links.get(pk, []))
        for pk, slug, _ in rows
    ]
    ctx = LintContext(core.Plan(organization=organization.name, period="", objectives=light))
    by_slug = {slug: (pk, team) for pk, slug, team in rows}
    made = []
    for finding in check_cycles(ctx):
        pk, team = by_slug[finding.object or ""]
        owners.add(pk)
        made.append(_finding(organization, finding, 0, pk, team, period_id))
    Finding.objects.bulk_create(made)
    return owners


def _count_findings(ids: list[int]) -> None:
    """Store how many findings each objective has (its own and its key results')."""
    for start in range(0, len(ids), BATCH * 2):
        chunk = ids[start : start + BATCH * 2]
        counts = dict(
            Finding.objects.filter(objective_id__in=chunk)
            .values_list("objective_id")
            .annotate(n=Count("id"))
            .values_list("objective_id", "n")
        )
        Objective.objects.bulk_update(
            [Objective(pk=pk, findings=counts.get(pk, 0)) for pk in chunk],
            ["findings"],
            batch_size=BATCH,
        )
