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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

from django.db import connection
from django.db.models import Count, F, Q
from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core import model as core
from constellation.core.coach.checks_key_results import check_key_results
from constellation.core.coach.checks_objectives import check_guardrails, check_objective
from constellation.core.coach.checks_strategy import check_cycles, check_strategy
from constellation.core.coach.checks_teams import check_teams
from constellation.core.coach.context import LintContext
from constellation.core.coach.rules import RULES
from constellation.server.audit import changes as writes
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import (
    Alignment,
    Finding,
    Initiative,
    KeyResult,
    Objective,
    Period,
)
from constellation.server.orgs.models import Organization, Team
from constellation.server.plans.plan import read_kpis, read_plan
from constellation.server.strategy.models import Lever
from constellation.server.tracking.models import CheckIn

# Objectives scored per round of queries: bounded memory whatever the organisation's size.
BATCH = 400
# Alignment chains longer than this are not followed further (a loop is reported anyway).
MAX_DEPTH = 50
CYCLE_RULE = "alignment-cycle"
# What a launched objective's status change is noted as, for the other change handlers.
STATUS_CHANGE = "status_change"
OBJECTIVE_FIELDS = ["progress", "expected", "status", "status_reason", "grade", "scored_on"]
KEY_RESULT_FIELDS = ["value", "progress", "expected", "status", "forecast"]


@dataclass
class Touched:
    """What some writes to one organisation touched, as the passes below need it."""

    objectives: set[int] = field(default_factory=set)  # scores and findings
    scored: set[int] = field(default_factory=set)  # scores only (check-ins)
    cascade: set[int] = field(default_factory=set)  # with everything aligned to them
    teams: set[tuple[int, int]] = field(default_factory=set)  # (team, period) sets
    left: set[tuple[int, int]] = field(default_factory=set)  # (team, objective) it moved from
    all_periods_of_teams: set[int] = field(default_factory=set)
    periods: set[int] = field(default_factory=set)  # plan-level findings (levers)
    cycles: set[int] = field(default_factory=set)  # periods whose loops are checked again
    kpis: set[int] = field(default_factory=set)  # KPIs defined anew
    readings: set[int] = field(default_factory=set)  # KPIs with new readings
    levers: bool = False  # the strategy changed: every period's plan, objectives without levers
    everything: bool = False  # rows written in bulk: all of the organisation

    def __bool__(self) -> bool:
        return bool(
            self.objectives
            or self.scored
            or self.cascade
            or self.teams
            or self.left
            or self.all_periods_of_teams
            or self.periods
            or self.cycles
            or self.kpis
            or self.readings
            or self.levers
            or self.everything
        )


def _ids(data: dict[str, Any], *keys: str) -> list[int]:
    return [value for key in keys if isinstance(value := data.get(key), int)]


# Events about a whole organisation after which everything of it is scored again: rows written
# in bulk (an import, the demo) name no single objective.
EVERYTHING = frozenset({"import", "create", "demo_top_up"})
# Rows named by id, resolved to their objectives (and organisation) in one query per kind.
# How much each touches: "scores" only, "full" (scores and the objective's findings), or
# "cascade" (also the findings of everything aligned to it: its key results or its targets
# changed, which those compare their own key results with).
_NAMED: dict[str, tuple[Any, str, str]] = {
    "keyresult": (KeyResult, "objective", "cascade"),
    "scored": (KeyResult, "objective", "scores"),
    "checkin": (CheckIn, "key_result__objective", "scores"),
    "alignment": (Alignment, "source", "cascade"),
    "alignment_target": (Alignment, "target", "full"),
    "initiative": (Initiative, "objective", "full"),
    "objective": (Objective, "", "full"),
    "cascade": (Objective, "", "cascade"),
    "scored_objective": (Objective, "", "scores"),
    "plan": (Objective, "", "plan"),
}


def _touched(events: Sequence[Any]) -> dict[int, Touched]:
    """What the events touched, by organisation (a few queries for the rows they name).

    Events come from the audit history and from the models' save and delete signals (see
    `audit.changes`); those may not know their organisation (None): the rows they name do.
    """
    found: dict[int, Touched] = defaultdict(Touched)
    named: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.action == STATUS_CHANGE:
            continue  # noted by the rescoring itself: nothing more to rescore
        organization_id = event.organization_id
        kind, pk = event.object_type, event.object_id
        data = {**(event.before or {}), **(event.after or {})}
        if event.action == "check_in" or kind == "checkin":
            # A check-in (made, corrected or deleted) changes scores only: no rule of the
            # coach reads a reading.
            named["scored_objective"].update(_ids(data, "objective"))
            named["scored"].update(_ids(data, "key_result"))
            if kind == "keyresult" and pk is not None:
                named["scored"].add(pk)
            elif kind == "checkin" and pk is not None:
                named["checkin"].add(pk)
            continue
        named["objective"].update(_ids(data, "objective", "target"))
        named["cascade"].update(_ids(data, "source"))
        named["keyresult"].update(_ids(data, "key_result"))
        if kind == "organization" and organization_id is not None:
            if event.action in EVERYTHING:
                found[organization_id].everything = True
            continue
        if kind == "objective" and pk is not None:
            before, after = event.before or {}, event.after or {}
            changed = _changed_fields(before, after) if before and after else None
            if changed is not None and changed <= NOT_SCORED:
                # The lifecycle or the owner: the coach reads neither, but a change of state
                # changes the status (a draft has no pace, a launch starts it, a closed
                # objective shows its result): scores only.
                if "state" in changed:
                    named["scored_objective"].add(pk)
                continue
            moved = event.action in {"import", "carry", "delete"}
            moved = moved or ("slug" in before and before["slug"] != after.get("slug"))
            named["cascade" if moved else "objective"].add(pk)
            # Both the set it left and the set it joined, when it moved to another team or
            # period (the row's current ones are added when it is read).
            for side in (before, after):
                team, period = side.get("team"), side.get("period", data.get("period"))
                if organization_id is None:
                    continue
                if isinstance(team, int) and not isinstance(period, int):
                    found[organization_id].left.add((team, pk))  # the period is the row's
                    continue
                if not isinstance(period, int):
                    continue
                if isinstance(team, int):
                    found[organization_id].teams.add((team, period))
                # Which levers a period's objectives model changes only with one made or
                # gone, or moved between periods, or its levers changed.
                if _models_levers_anew(event, before, after):
                    found[organization_id].periods.add(period)
            if organization_id is not None and moved:
                found[organization_id].cycles.update(_ids(data, "period"))
        elif kind == "leverlink":
            named["plan"].update(_ids(data, "objective"))
        elif kind in {"keyresult", "checkin", "initiative"} and pk is not None:
            named[kind].add(pk)
        elif kind == "alignment":
            if pk is not None:
                named["alignment"].add(pk)
                named["alignment_target"].add(pk)
            if organization_id is not None:
                found[organization_id].cycles.add(ANY_PERIOD)
            else:
                named["cycles"].update(_ids(data, "source"))
        elif kind in {"kpi", "kpireading"} and organization_id is not None:
            # A reading changes only whether the KPI's guardrails hold; a new definition
            # (title, range) may change what the coach says of the key results it feeds too.
            into = found[organization_id].readings
            if event.action == "record_readings" and _same_current(event):
                # An older day's reading: the KPI's current value, all a guardrail finding
                # reads, stays (the key results it feeds are rescored by their check-ins).
                continue
            if event.action not in {"record_readings", "close_kpi_alert", "open_kpi_alert"}:
                into = found[organization_id].kpis
            into.update(_ids(data, "kpi"))
            if kind == "kpi" and pk is not None:
                into.add(pk)
        elif kind in {"lever", "strategy"} and organization_id is not None:
            found[organization_id].levers = True
        elif kind == "team" and pk is not None and organization_id is not None:
            found[organization_id].all_periods_of_teams.add(pk)
    _resolve(found, named)
    return found


ANY_PERIOD = -1
# An objective's fields that no rule of the coach reads (and no score, but for its state:
# drafts, launches and closing change the status).
NOT_SCORED = frozenset({"state", "state_given", "owner", "position", "version", "carried_from"})


def _models_levers_anew(event: Any, before: dict[str, Any], after: dict[str, Any]) -> bool:
    """Whether an objective's event may change which levers its period's objectives model."""
    if event.action in {"import", "carry", "delete", "create"}:
        return True
    if not before:  # seen by a model signal: only a new row counts (links have their own)
        return bool(after.get("created"))
    return bool({"levers", "period"} & _changed_fields(before, after))


def _same_current(event: Any) -> bool:
    """Whether a KPI's readings left its current value as it was."""
    before, after = event.before or {}, event.after or {}
    return "current" in before and "current" in after and before["current"] == after["current"]


def _changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {key for key in before.keys() | after.keys() if before.get(key) != after.get(key)}


def _resolve(found: dict[int, Touched], named: dict[str, set[int]]) -> None:
    """Rows named by id (key results, check-ins, links, initiatives) to their objectives,
    each in its organisation."""
    for kind, ids in named.items():
        if not ids or kind == "cycles":
            continue
        table, path, reach = _NAMED[kind]
        prefix = f"{path}__" if path else ""
        rows = table.objects.filter(id__in=sorted(ids)).values_list(
            f"{prefix}id", f"{prefix}organization_id", f"{prefix}period_id"
        )
        for objective_id, organization_id, period_id in rows:
            touched = found[organization_id]
            if reach == "plan":
                touched.objectives.add(objective_id)
                touched.periods.add(period_id)
                continue
            {"scores": touched.scored, "full": touched.objectives, "cascade": touched.cascade}[
                reach
            ].add(objective_id)
    if named.get("cycles"):
        for organization_id in set(
            Objective.objects.filter(id__in=sorted(named["cycles"])).values_list(
                "organization_id", flat=True
            )
        ):
            found[organization_id].cycles.add(ANY_PERIOD)


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
    if touched.everything:
        mine = Objective.objects.filter(organization_id=organization_id)
        touched.objectives.update(mine.values_list("id", flat=True))
        touched.periods.update(
            Period.objects.filter(organization_id=organization_id).values_list("id", flat=True)
        )
        touched.cycles.add(ANY_PERIOD)
    if touched.readings:
        # A guardrail out of (or back in) its healthy range changes the status it guards.
        touched.scored.update(
            Objective.objects.filter(
                guardrails__in=sorted(touched.readings), organization_id=organization_id
            ).values_list("id", flat=True)
        )
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
    if touched.cascade:
        touched.objectives |= touched.cascade | _closure(touched.cascade, upstream=False)
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
            "id", "team_id", "period_id"
        )
        periods = {}
        for pk, team_id, period_id in rows:
            periods[pk] = period_id
            touched.teams.add((team_id, period_id))
            if ANY_PERIOD in touched.cycles:
                touched.cycles.add(period_id)
        for team_id, pk in touched.left:
            if pk in periods:
                touched.teams.add((team_id, periods[pk]))
    touched.cycles.discard(ANY_PERIOD)


def refresh(
    organization_id: int, touched: Touched, on: date | None = None, *, expand: bool = True
) -> None:
    """Rescore and recoach what `touched` names (see the module's description); with
    `expand`, also what depends on it (aligned objectives, teams' sets, periods' plans)."""
    organization = Organization.objects.filter(pk=organization_id).first()
    if organization is None:
        return  # gone with everything it had
    day = on or timezone.localdate()
    if expand:
        _expand(organization_id, touched)
    _existing(organization_id, touched)
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
    if touched.readings:
        owners |= _guardrails(organization, sorted(touched.readings), touched.objectives)
    for period_id in sorted(touched.cycles):
        owners |= _cycles(organization, period_id)
    _count_findings(sorted(touched.objectives | owners))


def _existing(organization_id: int, touched: Touched) -> None:
    """Keep only the periods and teams that still exist (a change may name a deleted row)."""
    named = touched.periods | touched.cycles | {period for _, period in touched.teams}
    if named:
        periods = set(
            Period.objects.filter(
                organization_id=organization_id, id__in=sorted(named)
            ).values_list("id", flat=True)
        )
        touched.periods &= periods
        touched.cycles &= periods
        touched.teams = {(team, period) for team, period in touched.teams if period in periods}
    if touched.teams:
        teams = set(
            Team.objects.filter(
                organization_id=organization_id, id__in=sorted({t for t, _ in touched.teams})
            ).values_list("id", flat=True)
        )
        touched.teams = {(team, period) for team, period in touched.teams if team in teams}


def _lock(ids: Sequence[int]) -> None:
    """Hold the objectives' rows until the transaction ends (no-op on SQLite's single writer)."""
    if connection.features.has_select_for_update and ids:
        list(Objective.objects.filter(id__in=ids).order_by("id").select_for_update().values("id"))


def _update(model: Any, names: list[str], rows: list[tuple]) -> None:
    """Store some columns of many rows, each given as (id, value, ...): one UPDATE statement
    run for each row by the driver (`executemany`). Django's `bulk_update` builds a CASE
    expression per row and column, which cost more than the engine's work it stores."""
    if not rows:
        return
    fields = [model._meta.get_field(name) for name in names]
    quote = connection.ops.quote_name
    columns = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {columns} WHERE {quote('id')} = %s"
    json = [i for i, field in enumerate(fields) if field.get_internal_type() == "JSONField"]
    values = []
    for pk, *given in rows:
        for index in json:
            given[index] = fields[index].get_db_prep_save(given[index], connection)
        values.append([*given, pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, values)


def _finite(value: float | None) -> float | None:
    return value if value is None or math.isfinite(value) else None


def _status_moved(
    organization_id: int, pk: int, objective: core.Objective, rows: Any, status: str | None
) -> list[writes.Change]:
    """A launched objective's status change (on track → at risk, …) as a change to note;
    none for its first score, a draft or a closed objective."""
    stored = rows.scores.get(objective.id)
    before = stored.status if stored is not None else None
    if objective.state != "launched" or not before or not status or before == status:
        return []
    after = {"before": before, "after": status}
    return [writes.Change(organization_id, STATUS_CHANGE, "objective", pk, after)]


def _rescore(organization: Organization, batch: list[int], full: list[int], on: date) -> None:
    """Score the batch's objectives (and coach `full` ones) with the engine, and store it."""
    upstream = _closure(full, upstream=True) - set(batch) if full else set()
    rows = read_plan(organization, objective_ids=[*batch, *sorted(upstream)], with_check_ins=True)
    plan = rows.plan
    by_pk = {record.pk: index for index, record in enumerate(rows.records)}
    kr_ids: dict[int, list[int]] = defaultdict(list)
    for kr_id, place in sorted(
        rows.key_results.items(), key=lambda item: (item[1].objective, item[1].key_result)
    ):
        kr_ids[place.objective_id].append(kr_id)
    objectives: list[tuple] = []
    key_results: list[tuple] = []
    moved: list[writes.Change] = []
    kpis = {kpi.id: kpi for kpi in plan.kpis}
    for pk in batch:
        index = by_pk.get(pk)
        if index is None:
            continue  # deleted meanwhile
        score = scoring.score_objective(plan.objectives[index], on, kpis)
        moved += _status_moved(organization.pk, pk, plan.objectives[index], rows, score.status)
        reason = (score.reason or "")[:300]
        objectives.append(
            (pk, score.progress, score.expected, score.status, reason, score.grade.value, on)
        )
        for kr_id, kr in zip(kr_ids.get(pk, []), score.key_results, strict=False):
            forecast = kr.forecast.as_dict() if kr.forecast is not None else None
            key_results.append(
                (kr_id, _finite(kr.current), kr.progress, kr.expected, kr.status, forecast)
            )
    _update(Objective, OBJECTIVE_FIELDS, objectives)
    _update(KeyResult, KEY_RESULT_FIELDS, key_results)
    # Handed to the other change handlers (the integrations deliver it), never to this one.
    writes.noted(moved)
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
        # An objective's findings read back by rule and object, the coach's order for them.
        for finding in found:
            made.append(_finding(organization, finding, 0, pk, record.team.pk, record.period_id))
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
        plain_message=finding.plain_message,
        plain_hint=finding.plain_hint,
        fix=finding.fix or "",
        position=position,
    )


def _guardrails(organization: Organization, kpi_ids: list[int], done: set[int]) -> set[int]:
    """The unhealthy-guardrail findings of the objectives these KPIs guard (other than those
    just coached in full): a reading changes nothing else the coach says. Their ids."""
    guarded: dict[int, list[str]] = defaultdict(list)
    where = Q(objective__guardrails__in=kpi_ids, objective__organization_id=organization.pk)
    rows = (
        Objective.guardrails.through.objects.filter(where)
        .exclude(objective_id__in=sorted(done))
        .order_by("objective_id", "kpi__title", "kpi_id")
        .values_list(
            "objective_id",
            "kpi__slug",
            "objective__slug",
            "objective__team_id",
            "objective__period_id",
        )
        .distinct()
    )
    places: dict[int, tuple[str, int, int]] = {}
    for objective_id, kpi, slug, team_id, period_id in rows:
        if kpi not in guarded[objective_id]:
            guarded[objective_id].append(kpi)
        places[objective_id] = (slug, team_id, period_id)
    if not guarded:
        return set()
    kpis = read_kpis(organization)
    ctx = LintContext(core.Plan(organization=organization.name, period="", kpis=kpis))
    made = []
    for objective_id, slugs in guarded.items():
        slug, team_id, period_id = places[objective_id]
        light = core.Objective(id=slug, team="", title="", period="", guardrails=slugs)
        for finding in check_guardrails(ctx, light):
            made.append(_finding(organization, finding, 0, objective_id, team_id, period_id))
    ids = sorted(guarded)
    Finding.objects.filter(objective_id__in=ids, rule="unhealthy-guardrail").delete()
    Finding.objects.bulk_create(made, batch_size=BATCH)
    return set(ids)


def _team_sets(organization: Organization, pairs: list[tuple[int, int]]) -> None:
    """The findings about each (team, period) set: balance, count, whether OKRs fit.

    Read period by period, whole sets at a time, so a finding's team slug names one set.
    """
    if not pairs:
        return
    # Two writes to one team's set at once would both delete its findings and both insert
    # theirs: the second waits for the first (PostgreSQL; SQLite has one writer anyway).
    found = Team.objects.filter(id__in=sorted({team for team, _ in pairs})).order_by("id")
    if connection.features.has_select_for_update:
        found = found.select_for_update(of=("self",))
    teams = dict(found.values_list("id", "slug"))
    by_slug = {slug: pk for pk, slug in teams.items()}
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
            for finding in check_teams(LintContext(_set_plan(organization, chunk))):
                owner = by_slug.get(finding.object or "")
                if owner is not None and owner in team_ids:
                    made.append(_finding(organization, finding, 0, None, owner, period_id))
    for period_id, team_ids in sorted(by_period.items()):
        old = Finding.objects.filter(period_id=period_id, subject="team")
        for start in range(0, len(team_ids), BATCH * 2):
            chunk = sorted(team_ids)[start : start + BATCH * 2]
            old.filter(team_id__in=chunk).delete()
    Finding.objects.bulk_create(made, batch_size=BATCH)


def _set_plan(organization: Organization, ids: list[int]) -> core.Plan:
    """These objectives as the team checks read them, in three queries: each one's team,
    period, title and focus, its key results' titles (the focus they lean to), and the teams
    with their phase. Only these objectives: none they align to in other periods."""
    key_results: dict[int, list[core.KeyResult]] = defaultdict(list)
    for objective_id, slug, title in (
        KeyResult.objects.filter(objective_id__in=ids)
        .order_by("position", "id")
        .values_list("objective_id", "slug", "title")
    ):
        key_results[objective_id].append(core.KeyResult(id=slug, title=title))
    objectives = []
    team_ids: set[int] = set()
    for pk, slug, title, team_id, team, period, focus in (
        Objective.objects.filter(id__in=ids)
        .order_by("position", "id")
        .values_list("id", "slug", "title", "team_id", "team__slug", "period__key", "focus")
    ):
        team_ids.add(team_id)
        objectives.append(
            core.Objective(
                id=slug,
                team=team,
                title=title,
                period=period,
                focus=cast("core.Focus | None", focus or None),
                key_results=key_results.get(pk, []),
            )
        )
    teams = [
        core.Team(id=slug, name=name, phase=cast("core.Phase | None", phase or None))
        for slug, name, phase in Team.objects.filter(id__in=sorted(team_ids)).values_list(
            "slug", "name", "phase"
        )
    ]
    return core.Plan(organization.name, "", objectives=objectives, teams=teams)


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


def _lock_period(period_id: int) -> None:
    """Hold the period's row: its plan's findings are rewritten by one write at a time."""
    if connection.features.has_select_for_update:
        list(Period.objects.filter(pk=period_id).select_for_update().values("id"))


def _plan_findings(organization: Organization, period_id: int) -> None:
    """The findings about a period's whole plan: no strategy, levers nobody models."""
    _lock_period(period_id)
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
    _lock_period(period_id)
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
        _update(Objective, ["findings"], [(pk, counts.get(pk, 0)) for pk in chunk])


@dataclass
class Drift:
    """What a full rescore changed: rows whose stored values differed from the engine's."""

    objectives: int = 0
    key_results: int = 0
    findings: int = 0
    examples: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        """Every row that differed."""
        return self.objectives + self.key_results + self.findings


def _snapshot(period_id: int) -> tuple[dict, dict, dict]:
    """A period's stored scores and findings, as plain values to compare."""
    objectives = {
        row[0]: row[1:]
        for row in Objective.objects.filter(period_id=period_id).values_list(
            "slug", "progress", "expected", "status", "grade", "findings", "status_reason"
        )
    }
    key_results = {
        (row[0], row[1]): row[2:]
        for row in KeyResult.objects.filter(objective__period_id=period_id).values_list(
            "objective__slug", "slug", "value", "progress", "expected", "status", "forecast"
        )
    }
    findings: dict[tuple, int] = defaultdict(int)
    for row in Finding.objects.filter(period_id=period_id).values_list(
        "rule", "object", "message", "hint", "plain_message", "plain_hint", "fix"
    ):
        findings[row] += 1
    return objectives, key_results, dict(findings)


def _same(a: tuple, b: tuple) -> bool:
    return all(
        math.isclose(x, y, abs_tol=1e-9)
        if isinstance(x, float) and isinstance(y, float)
        else x == y
        for x, y in zip(a, b, strict=True)
    )


def _compare(drift: Drift, before: tuple[dict, dict, dict], after: tuple[dict, dict, dict]) -> None:
    for name, old, new in zip(("objective", "key result"), before[:2], after[:2], strict=True):
        for key in old.keys() | new.keys():
            if key in old and key in new and _same(old[key], new[key]):
                continue
            if name == "objective":
                drift.objectives += 1
            else:
                drift.key_results += 1
            if len(drift.examples) < 20:
                drift.examples.append(f"{name} {key}: stored {old.get(key)} → {new.get(key)}")
    old_findings, new_findings = before[2], after[2]
    for key in old_findings.keys() | new_findings.keys():
        difference = abs(old_findings.get(key, 0) - new_findings.get(key, 0))
        if difference:
            drift.findings += difference
            if len(drift.examples) < 20:
                drift.examples.append(f"finding {key[0]} on {key[1] or 'the plan'}: {key[2][:80]}")


def rescore_organization(
    organization: Organization,
    on: date | None = None,
    progress: Callable[[int], object] | None = None,
) -> Drift:
    """Recompute and store every score and finding of the organisation, period by period;
    what differed from what was stored. `progress` is called with each objective count done."""
    drift = Drift()
    for period_id in Period.objects.filter(organization=organization).values_list("id", flat=True):
        before = _snapshot(period_id)
        ids = list(Objective.objects.filter(period_id=period_id).values_list("id", flat=True))
        pairs = set(
            Objective.objects.filter(period_id=period_id).values_list("team_id", "period_id")
        )
        for start in range(0, len(ids), BATCH * 5):
            chunk = ids[start : start + BATCH * 5]
            with writes.atomic():
                refresh(organization.pk, Touched(objectives=set(chunk)), on, expand=False)
            if progress is not None:
                progress(len(chunk))
        with writes.atomic():
            refresh(
                organization.pk,
                Touched(teams=pairs, periods={period_id}, cycles={period_id}),
                on,
                expand=False,
            )
        _compare(drift, before, _snapshot(period_id))
    return drift


def refresh_calendar(
    on: date | None = None, progress: Callable[[int], object] | None = None
) -> int:
    """Rescore the objectives scored before `on` (today) whose period was still running then,
    and those never scored: what depends on the date (expected progress, status). The count."""
    day = on or timezone.localdate()
    stale = Objective.objects.filter(
        Q(scored_on__isnull=True) | Q(scored_on__lt=day, period__end__gte=F("scored_on"))
    )
    done = 0
    for organization_id in sorted(set(stale.values_list("organization_id", flat=True))):
        ids = list(stale.filter(organization_id=organization_id).values_list("id", flat=True))
        never = set(
            stale.filter(organization_id=organization_id, scored_on__isnull=True).values_list(
                "id", flat=True
            )
        )
        for start in range(0, len(ids), BATCH * 5):
            chunk = ids[start : start + BATCH * 5]
            with writes.atomic():
                touched = Touched(
                    objectives={pk for pk in chunk if pk in never},
                    scored={pk for pk in chunk if pk not in never},
                )
                refresh(organization_id, touched, day)
            done += len(chunk)
            if progress is not None:
                progress(len(chunk))
    return done
