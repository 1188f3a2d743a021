"""Rows → core plan: an organisation read in a fixed number of queries, in file order.

Both directions of the OKR-file transfer read the database through `read_org`: the export
turns the rows into a `Plan` for `dump_plan`, the import compares them with the file. Lists
that a file orders (levers of an objective, alignment, guardrails, what an initiative moves)
come back in the order they were written, which is the order of their link rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.contrib.auth import get_user_model
from django.db.models import F, Model, QuerySet
from django.utils import timezone

from constellation.core import model
from constellation.core.periods import parse_period, period_containing
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import (
    Alignment,
    Initiative,
    InitiativeLink,
    KeyResult,
    Objective,
    Period,
)
from constellation.server.orgs.models import Organization, Team
from constellation.server.plans.plan import healthy_range
from constellation.server.strategy.access import strategy_in_force
from constellation.server.strategy.models import Lever, Strategy
from constellation.server.tracking.models import CheckIn

LeverLink = Objective.levers.through
GuardrailLink = Objective.guardrails.through
MoveLink = Initiative.moves.through


def _grouped(pairs: QuerySet) -> dict[int, list[int]]:
    """(owner id, linked id) rows grouped by owner, in row order."""
    grouped: dict[int, list[int]] = defaultdict(list)
    for owner_id, linked_id in pairs:
        grouped[owner_id].append(linked_id)
    return grouped


def _urls_by_initiative(objectives: QuerySet[Objective]) -> dict[int, list[str]]:
    """The web addresses of these objectives' initiatives' links, by initiative, in order."""
    grouped: dict[int, list[str]] = defaultdict(list)
    rows = InitiativeLink.objects.filter(initiative__objective__in=objectives)
    for initiative_id, url in rows.order_by("position", "id").values_list("initiative_id", "url"):
        grouped[initiative_id].append(url)
    return grouped


@dataclass(slots=True)
class CheckInRow:
    """A check-in as the transfer reads it: its columns only, not a model instance.

    An organisation has a dozen check-ins for each key result, a million for a big one: a
    model instance each would take most of an export's (or an import's) time and memory.
    """

    id: int
    key_result_id: int
    checked_on: date
    value: float | None
    confidence: int | None
    note: str
    done: bool | None

    def as_model(self) -> CheckIn:
        """The row as a model instance, to update it (its other columns are not read)."""
        return CheckIn(
            id=self.id,
            key_result_id=self.key_result_id,
            checked_on=self.checked_on,
            value=self.value,
            confidence=self.confidence,
            note=self.note,
            done=self.done,
        )


CHECK_IN_COLUMNS = ("id", "key_result_id", "checked_on", "value", "confidence", "note", "done")


@dataclass
class OrgRows:
    """An organisation's rows, keyed for lookups, with converters to the core's dataclasses."""

    organization: Organization
    strategy: Strategy | None
    levers: list[Lever]
    teams: list[Team]
    kpis: list[Kpi]
    periods: list[Period]
    objectives: list[Objective]
    objective_slugs: dict[int, str]
    usernames: dict[int, str] = field(default_factory=dict)
    lever_links: dict[int, list[int]] = field(default_factory=dict)
    guardrail_links: dict[int, list[int]] = field(default_factory=dict)
    alignments: dict[int, list[int]] = field(default_factory=dict)
    key_results: dict[int, list[KeyResult]] = field(default_factory=dict)
    initiatives: dict[int, list[Initiative]] = field(default_factory=dict)
    moves: dict[int, list[int]] = field(default_factory=dict)
    # Initiative id → the web addresses of its links, in their order.
    initiative_links: dict[int, list[str]] = field(default_factory=dict)
    check_ins: dict[int, list[CheckInRow]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.lever_slugs = {lever.id: lever.slug for lever in self.levers}
        self.team_slugs = {team.id: team.slug for team in self.teams}
        self.kpi_slugs = {kpi.id: kpi.slug for kpi in self.kpis}
        self.period_keys = {period.id: period.key for period in self.periods}

    def username(self, user_id: int | None) -> str | None:
        """The username of an owner, or None."""
        return self.usernames.get(user_id) if user_id is not None else None

    def lever_data(self, lever: Lever) -> model.Lever:
        """One lever row as the core's dataclass."""
        return model.Lever(id=lever.slug, title=lever.title)

    def team_data(self, team: Team) -> model.Team:
        """One team row as the core's dataclass."""
        parent = self.team_slugs.get(team.parent_id) if team.parent_id else None
        return model.Team(
            id=team.slug,
            name=team.name,
            parent=parent,
            phase=cast("model.Phase | None", team.phase or None),
        )

    def kpi_data(self, kpi: Kpi) -> model.Kpi:
        """One KPI row as the core's dataclass."""
        return model.Kpi(
            id=kpi.slug,
            title=kpi.title,
            unit=kpi.unit or None,
            direction=cast("model.Direction", kpi.direction),
            healthy=healthy_range(kpi.healthy_low, kpi.healthy_high),
            current=kpi.current,
        )

    def check_in_data(self, check_in: CheckInRow) -> model.CheckIn:
        """One check-in row as the core's dataclass."""
        return model.CheckIn(
            on=check_in.checked_on,
            value=check_in.value,
            confidence=check_in.confidence,
            note=check_in.note,
            done=check_in.done,
        )

    def key_result_data(self, kr: KeyResult) -> model.KeyResult:
        """One key result row (with its check-ins) as the core's dataclass."""
        return model.KeyResult(
            id=kr.slug,
            title=kr.title,
            type=cast("model.KrType", kr.type),
            baseline=kr.baseline,
            target=kr.target,
            current=kr.current,
            unit=kr.unit or None,
            done=kr.done,
            kpi=self.kpi_slugs.get(kr.kpi_id) if kr.kpi_id else None,
            weight=kr.weight,
            healthy=healthy_range(kr.healthy_low, kr.healthy_high),
            confidence=kr.confidence,
            owner=self.username(kr.owner_id),
            check_ins=[self.check_in_data(c) for c in self.check_ins.get(kr.id, [])],
            id_given=kr.slug_given,
        )

    def initiative_data(self, initiative: Initiative, kr_slugs: dict[int, str]) -> model.Initiative:
        """One initiative row as the core's dataclass."""
        return model.Initiative(
            title=initiative.title,
            moves=[kr_slugs[k] for k in self.moves.get(initiative.id, []) if k in kr_slugs],
            id=initiative.slug or None,
            status=initiative.status or None,
            owner=self.username(initiative.owner_id),
            links=self.initiative_links.get(initiative.id, []),
        )

    def objective_data(self, objective: Objective, *, children: bool = True) -> model.Objective:
        """One objective row as the core's dataclass (key results and initiatives if asked)."""
        key_results = self.key_results.get(objective.id, []) if children else []
        kr_slugs = {kr.id: kr.slug for kr in key_results}
        initiatives = self.initiatives.get(objective.id, []) if children else []
        return model.Objective(
            id=objective.slug,
            team=self.team_slugs[objective.team_id],
            title=objective.title,
            period=self.period_keys[objective.period_id],
            focus=cast("model.Focus | None", objective.focus or None),
            levers=[self.lever_slugs[i] for i in self.lever_links.get(objective.id, [])],
            aligns_to=[self.objective_slugs[i] for i in self.alignments.get(objective.id, [])],
            guardrails=[self.kpi_slugs[i] for i in self.guardrail_links.get(objective.id, [])],
            key_results=[self.key_result_data(kr) for kr in key_results],
            initiatives=[self.initiative_data(i, kr_slugs) for i in initiatives],
            commitment=cast("model.Commitment", objective.commitment),
            state=cast("model.State | None", objective.state if objective.state_given else None),
            owner=self.username(objective.owner_id),
            grade=getattr(objective, "reviewed_grade", None),
        )

    def plan(self, default_period: str) -> model.Plan:
        """Everything read, as a core Plan whose default period is `default_period`."""
        strategy = self.strategy
        return model.Plan(
            organization=self.organization.name,
            period=default_period,
            vision=(strategy.vision or None) if strategy else None,
            mission=(strategy.mission or None) if strategy else None,
            levers=[self.lever_data(lever) for lever in self.levers],
            teams=[self.team_data(team) for team in self.teams],
            kpis=[self.kpi_data(kpi) for kpi in self.kpis],
            objectives=[self.objective_data(o) for o in self.objectives],
            has_strategy=strategy is not None or bool(self.levers),
        )


def read_org(
    organization: Organization,
    objectives: QuerySet[Objective],
    *,
    lock: bool = False,
    check_ins: bool = True,
) -> OrgRows:
    """The organisation's strategy, teams, KPIs, periods and these objectives with children.

    `lock` takes row locks on the objectives and key results (PostgreSQL), so an import does
    not overwrite an edit saved while it runs. Without `check_ins` none is read (a
    spreadsheet's import leaves them as they are).
    """
    # The grade a review settled on is the objective's grade in the file (an outer join, which
    # PostgreSQL cannot lock: the import, which locks, never reads it).
    objective_rows = (
        objectives.select_for_update()
        if lock
        else objectives.annotate(reviewed_grade=F("review__grade_override"))
    )
    rows = OrgRows(
        organization=organization,
        strategy=Strategy.objects.filter(organization=organization).first(),
        levers=list(Lever.objects.filter(organization=organization).order_by("position", "id")),
        teams=list(Team.objects.filter(organization=organization).order_by("id")),
        kpis=list(Kpi.objects.filter(organization=organization).order_by("id")),
        periods=list(Period.objects.filter(organization=organization)),
        objectives=list(objective_rows.order_by("position", "id")),
        objective_slugs=dict(
            Objective.objects.filter(organization=organization).values_list("id", "slug")
        ),
        lever_links=_grouped(_links(LeverLink, "objective_id", "lever_id", objectives)),
        guardrail_links=_grouped(_links(GuardrailLink, "objective_id", "kpi_id", objectives)),
        alignments=_grouped(_links(Alignment, "source_id", "target_id", objectives, "source")),
        moves=_grouped(
            MoveLink.objects.filter(initiative__objective__in=objectives)
            .order_by("id")
            .values_list("initiative_id", "keyresult_id")
        ),
        initiative_links=_urls_by_initiative(objectives),
    )
    _read_children(rows, objectives, lock=lock, check_ins=check_ins)
    return rows


def _read_children(
    rows: OrgRows, objectives: QuerySet[Objective], *, lock: bool, check_ins: bool = True
) -> None:
    """Key results, initiatives, check-ins and owners' usernames of these objectives."""
    krs = KeyResult.objects.filter(objective__in=objectives).order_by("position", "id")
    key_results = list(krs.select_for_update() if lock else krs)
    for kr in key_results:
        rows.key_results.setdefault(kr.objective_id, []).append(kr)
    initiatives = list(
        Initiative.objects.filter(objective__in=objectives).order_by("position", "id")
    )
    for initiative in initiatives:
        rows.initiatives.setdefault(initiative.objective_id, []).append(initiative)
    readings = CheckIn.objects.filter(key_result__objective__in=objectives)
    if not check_ins:
        readings = readings.none()
    grouped = rows.check_ins
    for values in readings.order_by("checked_on", "id").values_list(*CHECK_IN_COLUMNS):
        check_in = CheckInRow(*values)
        found = grouped.get(check_in.key_result_id)
        if found is None:
            grouped[check_in.key_result_id] = [check_in]
        else:
            found.append(check_in)
    owner_ids = {o.owner_id for o in rows.objectives if o.owner_id is not None}
    owner_ids |= {kr.owner_id for kr in key_results if kr.owner_id is not None}
    owner_ids |= {i.owner_id for i in initiatives if i.owner_id is not None}
    if owner_ids:
        users = get_user_model().objects.filter(id__in=owner_ids)
        rows.usernames = dict(users.values_list("id", "username"))


def _links(
    link_model: type[Model],
    owner: str,
    linked: str,
    objectives: QuerySet[Objective],
    relation: str = "objective",
) -> QuerySet:
    """(objective id, linked id) rows of a link table for these objectives, oldest first."""
    return (
        link_model._default_manager.filter(**{f"{relation}__in": objectives})
        .order_by("id")
        .values_list(owner, linked)
    )


def with_alignment_targets(organization: Organization, ids: set[int]) -> set[int]:
    """These objective ids plus every objective they align to, up the chain (two queries)."""
    targets: dict[int, list[int]] = defaultdict(list)
    for source, target in Alignment.objects.filter(source__organization=organization).values_list(
        "source_id", "target_id"
    ):
        targets[source].append(target)
    found = set(ids)
    stack = list(ids)
    while stack:
        for target in targets.get(stack.pop(), []):
            if target not in found:
                found.add(target)
                stack.append(target)
    return found


def default_period(organization: Organization) -> str:
    """The period a file of the whole organisation defaults to: the current one, else latest."""
    from constellation.server.plans.scores import current_period

    period = current_period(organization)
    # An organisation with no period yet still needs a valid default in its file.
    return period.key if period is not None else period_containing(timezone.localdate()).key


def export_plan(organization: Organization, period: Period | None = None) -> model.Plan:
    """The organisation as a core Plan: one period's objectives (and what they align to), or all.

    Objectives of other periods that a period's objectives align to are included (each with
    its own period), so every `aligns_to` in the file names an objective in the file.
    """
    objectives = Objective.objects.filter(organization=organization)
    if period is not None:
        ids = set(objectives.filter(period=period).values_list("id", flat=True))
        objectives = objectives.filter(id__in=with_alignment_targets(organization, ids))
    rows = read_org(organization, objectives)
    key = period.key if period is not None else default_period(organization)
    rows.strategy = strategy_in_force(organization, parse_period(key).start.year)
    return rows.plan(key)
