"""Server rows turned into the core's plan dataclasses, in a fixed number of queries.

The coach and scoring run on `constellation.core.model.Plan`; the server never reimplements
them. `read_plan` reads each table once with `values_list` and builds the dataclasses straight
from the tuples: at thousands of objectives, building a model instance and a related manager
per row (what `prefetch_related` does) costs far more than the SQL itself. Every function here
runs the same number of queries whatever the number of objectives.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Q

from constellation.core import model
from constellation.core.scoring import Forecast, KrScore, ObjectiveScore
from constellation.core.scoring.progress import given_grade
from constellation.server.audit import changes
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective, Period
from constellation.server.orgs.models import Organization, Team
from constellation.server.strategy.models import Lever, Strategy
from constellation.server.tracking.models import CheckIn

Links = dict[int, list[str]]

# `review__grade_override` is the grade the quarterly review settled on: read with the row, it
# is the objective's grade for the engine, so every page, list and answer shows that one.
OBJECTIVE_COLUMNS = (
    "id", "slug", "title", "team_id", "organization_id", "period_id", "period__key", "focus",
    "state", "state_given", "commitment", "owner__username", "version", "review__grade_override",
    "launched_on", "progress", "expected", "status", "grade", "findings", "status_reason",
)  # fmt: skip
KEY_RESULT_COLUMNS = (
    "id", "objective_id", "slug", "slug_given", "title", "type", "baseline", "target", "current",
    "unit", "done", "weight", "healthy_low", "healthy_high", "confidence", "owner__username",
    "kpi__slug", "value", "progress", "expected", "status", "forecast",
)  # fmt: skip


def healthy_range(low: float | None, high: float | None) -> model.HealthyRange | None:
    """The core's healthy range from two nullable columns (None when neither end is set)."""
    if low is None and high is None:
        return None
    return model.HealthyRange(low=low, high=high)


@dataclass(frozen=True, slots=True)
class TeamRecord:
    """A team as a list of objectives names it."""

    pk: int
    slug: str
    name: str


class Related(tuple):
    """Rows linked to a record, read with the list; `.all()` as on a related manager, so
    templates and helpers written for model instances read records the same way."""

    def all(self) -> Related:
        """The linked rows themselves."""
        return self


@dataclass(frozen=True, slots=True)
class ObjectiveRecord:
    """An objective row as lists show it: plain values, the same names as the model's fields."""

    pk: int
    slug: str
    title: str
    team: TeamRecord
    period: str
    state: str
    commitment: str
    focus: str
    owner: str | None
    version: int
    guardrails: Related = field(default_factory=Related)
    period_id: int = 0


@dataclass(frozen=True, slots=True)
class KeyResultPlace:
    """Where a key result row sits in a plan: its objective's id and the positions of both."""

    objective_id: int
    objective: int
    key_result: int


@dataclass(slots=True)
class PlanRows:
    """A plan for the core, with the rows it came from.

    `records` are the objectives asked for, in the organisation's order; the plan also holds
    the objectives they align to from other periods, so the coach can compare key results.
    `aligns_to` and `aligned_from` give, by objective id, the slugs of every linked objective
    (of any period), oldest link first; `key_results` where each key result row (by id) sits
    in the plan.
    """

    plan: model.Plan
    records: list[ObjectiveRecord] = field(default_factory=list)
    aligns_to: Links = field(default_factory=dict)
    aligned_from: Links = field(default_factory=dict)
    key_results: dict[int, KeyResultPlace] = field(default_factory=dict)
    # The scores stored with the rows (`plans.stored`), by objective id.
    scores: dict[str, ObjectiveScore] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Scope:
    """Which objectives a read is about: a period's, some ids, or all of an organisation's."""

    organization_id: int
    period_id: int | None = None
    ids: frozenset[int] | None = None

    def on(self, prefix: str, extra: Sequence[int] = ()) -> Q:
        """A filter on the objectives in scope (and `extra` ones) through a relation prefix."""
        if self.ids is not None:
            # Ids the caller read from the organisation's rows: a related table is filtered on
            # its own indexed column alone. (Checking the organisation as well joins every
            # objective of it: PostgreSQL scanned them all, at any page size.) Rows of any other
            # organisation could not be shown anyway: the objectives are read with it.
            found = Q(**{f"{prefix}id__in": sorted(self.ids.union(extra))})
            return found & Q(organization_id=self.organization_id) if not prefix else found
        where: dict[str, Any] = {f"{prefix}organization_id": self.organization_id}
        if self.period_id is not None:
            where[f"{prefix}period_id"] = self.period_id
        found = Q(**where)
        return found | Q(**{f"{prefix}id__in": list(extra)}) if extra else found

    def holds(self, organization_id: int, period_id: int, pk: int) -> bool:
        """Whether the objective with these values is one of those asked for."""
        if organization_id != self.organization_id:
            return False
        if self.period_id is not None and period_id != self.period_id:
            return False
        return self.ids is None or pk in self.ids


ALIGNMENT_COLUMNS = (
    "source_id",
    "source__slug",
    "source__organization_id",
    "source__period_id",
    "target_id",
    "target__slug",
    "target__organization_id",
    "target__period_id",
)


def _alignments(scope: Scope) -> tuple[list[tuple], list[int]]:
    """Links from or to the scope's objectives, and the targets outside the scope."""
    if scope.ids is not None:
        # A lookup on each index: as one query (sources OR targets) PostgreSQL scanned every
        # alignment, and every objective to join them.
        ids = sorted(scope.ids)
        found = {
            row[0]: row[1:]
            for where in (Q(source_id__in=ids), Q(target_id__in=ids))
            for row in Alignment.objects.filter(where).values_list("id", *ALIGNMENT_COLUMNS)
        }
        rows = [found[pk] for pk in sorted(found)]
    else:
        rows = list(
            Alignment.objects.filter(scope.on("source__") | scope.on("target__"))
            .order_by("id")
            .values_list(*ALIGNMENT_COLUMNS)
        )
    extra = {
        row[4]
        for row in rows
        if scope.holds(row[2], row[3], row[0]) and not scope.holds(row[6], row[7], row[4])
    }
    return rows, sorted(extra)


def _readings(where: Q) -> dict[int, list[model.CheckIn]]:
    """The check-ins matching `where`, by key result id, oldest first."""
    readings: dict[int, list[model.CheckIn]] = defaultdict(list)
    check_ins = (
        CheckIn.objects.filter(where)
        .order_by("checked_on", "id")
        .values_list("key_result_id", "checked_on", "value", "confidence", "note", "done")
    )
    for kr_id, on, value, confidence, note, done in check_ins:
        readings[kr_id].append(model.CheckIn(on, value, confidence, note, done))
    return readings


def _key_result(row: tuple, check_ins: list[model.CheckIn]) -> model.KeyResult:
    """One key result row (KEY_RESULT_COLUMNS) as the core's dataclass."""
    (_, _, slug, slug_given, title, kind, baseline, target, current, unit, done, weight, low,
     high, confidence, owner, kpi, *_) = row  # fmt: skip
    return model.KeyResult(
        id=slug,
        title=title,
        type=kind,
        baseline=baseline,
        target=target,
        current=current,
        unit=unit or None,
        done=done,
        kpi=kpi,
        weight=weight,
        healthy=healthy_range(low, high),
        confidence=confidence,
        owner=owner,
        check_ins=check_ins,
        id_given=slug_given,
    )


def _key_results(
    scope: Scope, extra: list[int], with_check_ins: bool
) -> tuple[dict[int, list[model.KeyResult]], dict[int, list[int]], dict[int, list[KrScore]]]:
    """The key results of the objectives read, by objective id, with their check-ins; their
    ids in the same order; and their stored scores."""
    readings: dict[int, list[model.CheckIn]] = {}
    if with_check_ins:
        readings = _readings(scope.on("key_result__objective__", extra))
    by_objective: dict[int, list[model.KeyResult]] = defaultdict(list)
    ids: dict[int, list[int]] = defaultdict(list)
    scores: dict[int, list[KrScore]] = defaultdict(list)
    rows = (
        KeyResult.objects.filter(scope.on("objective__", extra))
        .order_by("position", "id")
        .values_list(*KEY_RESULT_COLUMNS)
    )
    for row in rows:
        kr = _key_result(row, readings.get(row[0], []))
        by_objective[row[1]].append(kr)
        ids[row[1]].append(row[0])
        scores[row[1]].append(stored_kr_score(kr, row[-5:]))
    return by_objective, ids, scores


def stored_kr_score(kr: model.KeyResult, stored: Sequence[Any]) -> KrScore:
    """A key result's score as stored (value, progress, expected, status, forecast)."""
    value, progress, expected, status, forecast = stored
    return KrScore(
        id=kr.id,
        title=kr.title,
        type=kr.type,
        baseline=kr.baseline,
        target=kr.target,
        current=value,
        unit=kr.unit,
        progress=progress,
        expected=expected,
        status=status,
        forecast=Forecast.from_dict(forecast) if forecast else None,
    )


def stored_score(
    objective: model.Objective, stored: Sequence[Any], krs: list[KrScore]
) -> ObjectiveScore:
    """An objective's score as stored (progress, expected, status, grade, findings, reason)."""
    progress, expected, status, grade, _, reason = stored[:6]
    return ObjectiveScore(
        id=objective.id,
        team=objective.team,
        title=objective.title,
        period=objective.period,
        progress=progress,
        grade=given_grade(grade, objective.commitment),
        expected=expected,
        status=status,
        key_results=krs,
        reason=reason or None,
    )


def _links(scope: Scope, extra: list[int]) -> tuple[Links, Links, dict[int, list]]:
    """Levers, guardrails and initiatives (with the key results they move) by objective id."""
    levers: Links = defaultdict(list)
    for objective_id, slug in (
        Objective.levers.through.objects.filter(scope.on("objective__", extra))
        .order_by("lever__position", "lever_id")
        .values_list("objective_id", "lever__slug")
    ):
        levers[objective_id].append(slug)
    guardrails: Links = defaultdict(list)
    for objective_id, slug in (
        Objective.guardrails.through.objects.filter(scope.on("objective__", extra))
        .order_by("kpi__title", "kpi_id")
        .values_list("objective_id", "kpi__slug")
    ):
        guardrails[objective_id].append(slug)
    moves: Links = defaultdict(list)
    for initiative_id, slug in (
        Initiative.moves.through.objects.filter(scope.on("initiative__objective__", extra))
        .order_by("keyresult__position", "keyresult_id")
        .values_list("initiative_id", "keyresult__slug")
    ):
        moves[initiative_id].append(slug)
    initiatives: dict[int, list[model.Initiative]] = defaultdict(list)
    for pk, objective_id, slug, title, status in (
        Initiative.objects.filter(scope.on("objective__", extra))
        .order_by("position", "id")
        .values_list("id", "objective_id", "slug", "title", "status")
    ):
        initiatives[objective_id].append(
            model.Initiative(
                title=title, moves=moves.get(pk, []), id=slug or None, status=status or None
            )
        )
    return levers, guardrails, initiatives


def _organization_parts(organization: Organization, year: int | None = None) -> dict[str, Any]:
    """The strategy in force in `year` (its own, else the latest before), levers and KPIs."""
    strategy = Strategy.objects.filter(organization=organization)
    if year is not None:
        strategy = strategy.filter(year__lte=year)
    found = strategy.order_by("-year").values_list("vision", "mission").first()
    # A retired lever has left the strategy: the coach no longer asks objectives to model it.
    levers = [
        model.Lever(id=slug, title=title)
        for slug, title in Lever.objects.filter(
            organization=organization, retired_at__isnull=True
        ).values_list("slug", "title")
    ]
    return {
        "vision": (found[0] or None) if found else None,
        "mission": (found[1] or None) if found else None,
        "levers": levers,
        "kpis": read_kpis(organization),
        "has_strategy": found is not None or bool(levers),
    }


def read_kpis(organization: Organization) -> list[model.Kpi]:
    """The organisation's KPIs as the core's dataclasses (one query)."""
    return [
        model.Kpi(
            id=slug,
            title=title,
            unit=unit or None,
            direction=cast("model.Direction", direction),
            healthy=healthy_range(low, high),
            current=current,
        )
        for slug, title, unit, direction, low, high, current in Kpi.objects.filter(
            organization=organization
        ).values_list(
            "slug", "title", "unit", "direction", "healthy_low", "healthy_high", "current"
        )
    ]


def _teams(
    organization: Organization, ids: Sequence[int] | None = None
) -> tuple[dict[int, TeamRecord], list[model.Team]]:
    """The organisation's teams (only those with these ids, when given): by id for the
    lists, and as the core's dataclasses."""
    records: dict[int, TeamRecord] = {}
    teams: list[model.Team] = []
    found = Team.objects.filter(organization=organization)
    if ids is not None:
        found = found.filter(id__in=sorted(set(ids)))
    rows = found.values_list("id", "slug", "name", "parent__slug", "phase")
    for pk, slug, name, parent, phase in rows:
        records[pk] = TeamRecord(pk, slug, name)
        phase_given = cast("model.Phase | None", phase or None)
        teams.append(model.Team(id=slug, name=name, parent=parent, phase=phase_given))
    return records, teams


def read_plan(
    organization: Organization,
    period: Period | None = None,
    *,
    objective_ids: Sequence[int] | None = None,
    with_check_ins: bool = False,
    with_targets: bool = True,
) -> PlanRows:
    """A period's objectives (all of the organisation's without a period, or only the given
    ids, kept in their order) as a core Plan with their rows, in a fixed number of queries.

    The plan also holds the objectives they align to in other periods, for the coach to compare
    key results with; a page that only shows its own rows leaves them out (`with_targets`).
    """
    changes.flush()
    ids = frozenset(objective_ids) if objective_ids is not None else None
    period_id = period.pk if period is not None and ids is None else None
    scope = Scope(organization.pk, period_id, ids)
    alignments, extra = _alignments(scope)
    if not with_targets:
        extra = []  # a list that shows only its own rows: nothing for the coach to compare
    key_results, key_result_ids, kr_scores = _key_results(scope, extra, with_check_ins)
    levers, guardrails, initiatives = _links(scope, extra)
    rows = (
        Objective.objects.filter(scope.on("", extra))
        .order_by("period__start", "position", "id")
        .values_list(*OBJECTIVE_COLUMNS)
    )
    own: list[tuple] = []
    others: list[tuple] = []
    for row in rows:
        (own if scope.holds(row[4], row[5], row[0]) else others).append(row)
    # A few rows name a few teams: an organisation's thousands are read only for a period.
    wanted = [row[3] for row in own + others] if ids is not None else None
    teams, team_data = _teams(organization, wanted)
    if objective_ids is not None:
        order = {pk: index for index, pk in enumerate(objective_ids)}
        own.sort(key=lambda row: order[row[0]])
    known = {row[0]: row[1] for row in own + others}
    targets: Links = defaultdict(list)
    aligns_to: Links = defaultdict(list)
    aligned_from: Links = defaultdict(list)
    for source_id, source_slug, _, _, target_id, target_slug, _, _ in alignments:
        aligns_to[source_id].append(target_slug)
        aligned_from[target_id].append(source_slug)
        if target_id in known:
            targets[source_id].append(target_slug)
    objectives = [
        _objective(row, teams, key_results, levers, guardrails, initiatives, targets)
        for row in own + others
    ]
    scores = {
        objective.id: stored_score(objective, row[-6:], kr_scores.get(row[0], []))
        for objective, row in zip(objectives, own + others, strict=True)
    }
    parts = _organization_parts(organization, period.start.year if period is not None else None)
    plan = model.Plan(
        organization=organization.name,
        period=period.key if period is not None else "",
        objectives=objectives,
        teams=team_data,
        **parts,
    )
    kpis = {kpi.id: kpi for kpi in parts["kpis"]}
    records = [
        _record(row, teams, Related(kpis[k] for k in guardrails.get(row[0], []) if k in kpis))
        for row in own
    ]
    places = {
        kr_id: KeyResultPlace(row[0], index, position)
        for index, row in enumerate(own + others)
        for position, kr_id in enumerate(key_result_ids.get(row[0], []))
    }
    return PlanRows(plan, records, dict(aligns_to), dict(aligned_from), places, scores)


def _objective(
    row: tuple,
    teams: dict[int, TeamRecord],
    key_results: dict[int, list],
    levers: Links,
    guardrails: Links,
    initiatives: dict[int, list],
    targets: Links,
) -> model.Objective:
    """One objective row (OBJECTIVE_COLUMNS) as the core's dataclass."""
    (pk, slug, title, team_id, _, _, period_key, focus, state, _, commitment,
     owner, _, reviewed, launched, *_) = row  # fmt: skip
    return model.Objective(
        id=slug,
        team=teams[team_id].slug,
        title=title,
        period=period_key,
        focus=focus or None,
        levers=levers.get(pk, []),
        aligns_to=targets.get(pk, []),
        guardrails=guardrails.get(pk, []),
        key_results=key_results.get(pk, []),
        initiatives=initiatives.get(pk, []),
        commitment=commitment,
        # The row's state even when no file gave it: a draft has no pace (the export writes
        # only a given state, from the rows).
        state=state,
        owner=owner,
        grade=reviewed,
        launched=launched,
    )


def _record(row: tuple, teams: dict[int, TeamRecord], guardrails: Related) -> ObjectiveRecord:
    """One objective row (OBJECTIVE_COLUMNS) as a list shows it, with its guardrail KPIs."""
    (pk, slug, title, team_id, _, period_id, period_key, focus, state, _, commitment, owner,
     version, *_) = row  # fmt: skip
    return ObjectiveRecord(
        pk,
        slug,
        title,
        teams[team_id],
        period_key,
        state,
        commitment,
        focus,
        owner,
        version,
        guardrails,
        period_id,
    )


def build_plan(
    organization: Organization,
    period: Period | None = None,
    *,
    objectives: Sequence[Objective] | None = None,
    with_check_ins: bool = False,
) -> model.Plan:
    """The organisation's strategy, teams, KPIs and a period's objectives as a core Plan.

    Objectives that the period's objectives align to are included (from any period) so the
    coach can see copies of their key results; pass `objectives` to read only those rows.
    """
    ids = [o.pk for o in objectives] if objectives is not None else None
    return read_plan(organization, period, objective_ids=ids, with_check_ins=with_check_ins).plan
