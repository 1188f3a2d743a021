"""Pages and lists of a period's objectives, as queries on the stored scores and findings.

Nothing here loads a whole period into Python: a dashboard's numbers are SQL aggregates per
team, a list is a page of rows on indexed columns, each in a fixed number of queries whatever
the organisation's size (`plans.stored` keeps the columns current).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Avg, Count, Q
from django.db.models.functions import Lower

from constellation.core import coach, scoring
from constellation.core.model import HealthyRange
from constellation.core.scoring.progress import given_grade
from constellation.server.audit import changes
from constellation.server.okrs.models import Finding, Objective, Period
from constellation.server.orgs.models import Organization, Team
from constellation.server.plans.plan import (
    ObjectiveRecord,
    PlanRows,
    Related,
    TeamRecord,
    read_plan,
)
from constellation.server.plans.scores import FINDING_COLUMNS, as_finding


@dataclass(slots=True)
class Summary:
    """The numbers of some objectives: how many, mean progress, statuses and findings."""

    objectives: int = 0
    average_progress: float = 0.0
    on_track: int = 0
    at_risk: int = 0
    off_track: int = 0
    findings: int = 0
    not_started: int = 0
    draft: int = 0


@dataclass(slots=True)
class TeamNumbers:
    """A team's numbers for a period; `summary.findings` counts the findings about its
    objectives and its set, `team_findings` those about the set alone."""

    team: TeamRecord
    summary: Summary
    team_findings: int = 0


@dataclass(slots=True)
class PeriodNumbers:
    """A period's numbers across every team, and one page of its teams' numbers."""

    total: Summary
    teams: list[TeamNumbers]


_NUMBERS = {
    "count": Count("id"),
    "average": Avg("progress"),
    "on_track": Count("id", filter=Q(status="on_track")),
    "at_risk": Count("id", filter=Q(status="at_risk")),
    "off_track": Count("id", filter=Q(status="off_track")),
    "not_started": Count("id", filter=Q(status="not_started")),
    "draft": Count("id", filter=Q(status="draft")),
}


def team_numbers(
    organization: Organization, period: Period, *, offset: int = 0, limit: int | None = None
) -> PeriodNumbers:
    """The period's totals and its teams' numbers by team name, `limit` teams from `offset`:
    aggregates in SQL (totals, one page of teams, their findings), so the cost is the
    database's scan whatever the number of teams."""
    changes.flush()
    # The period is the organisation's (read through its access): its id alone selects the
    # rows, so the covering index on (period, team, status, progress) answers alone.
    objectives = Objective.objects.filter(period_id=period.pk)
    totals = objectives.aggregate(**_NUMBERS)
    findings = Finding.objects.filter(period_id=period.pk)
    total = Summary(
        totals["count"],
        totals["average"] or 0.0,
        totals["on_track"],
        totals["at_risk"],
        totals["off_track"],
        findings.count() if totals["count"] else 0,
        totals["not_started"],
        totals["draft"],
    )
    grouped = (
        objectives.values("team_id", "team__slug", "team__name")
        .annotate(
            count=_NUMBERS["count"],
            average=_NUMBERS["average"],
            on_track=_NUMBERS["on_track"],
            at_risk=_NUMBERS["at_risk"],
            off_track=_NUMBERS["off_track"],
            not_started=_NUMBERS["not_started"],
            draft=_NUMBERS["draft"],
        )
        .order_by(Lower("team__name"), "team_id")
        .values_list(
            "team_id", "team__slug", "team__name", "count", "average", "on_track", "at_risk",
            "off_track", "not_started", "draft",
        )
    )  # fmt: skip
    page = grouped[offset : offset + limit] if limit is not None else grouped
    numbers: dict[int, TeamNumbers] = {}
    for team_id, slug, name, count, average, on_track, at_risk, off_track, *later in page:
        not_started, draft = later
        numbers[team_id] = TeamNumbers(
            TeamRecord(team_id, slug, name),
            Summary(count, average or 0.0, on_track, at_risk, off_track, 0, not_started, draft),
        )
    by_team = (
        findings.filter(team_id__in=list(numbers))
        .values("team_id")
        .annotate(count=Count("id"), alone=Count("id", filter=Q(objective__isnull=True)))
        .values_list("team_id", "count", "alone")
    )
    for team_id, count, alone in by_team:
        numbers[team_id].summary.findings = count
        numbers[team_id].team_findings = alone
    return PeriodNumbers(total, list(numbers.values()))


def team_count_of(organization: Organization, period: Period) -> int:
    """How many teams have objectives in the period (one query)."""
    changes.flush()
    # The period is the organisation's (read through its access): its id alone selects the
    # rows, so the covering index on (period, team, status, progress) answers alone.
    objectives = Objective.objects.filter(period_id=period.pk)
    return objectives.values("team_id").distinct().count()


def plan_findings(organization: Organization, period: Period) -> list[coach.Finding]:
    """The findings about the period's whole plan (strategy levers), in the coach's order."""
    changes.flush()
    rows = (
        Finding.objects.filter(
            organization_id=organization.pk,
            period_id=period.pk,
            objective__isnull=True,
            team__isnull=True,
        )
        .order_by("position", "rule", "object", "id")
        .values_list(*FINDING_COLUMNS)
    )
    return [as_finding(row) for row in rows]


def team_set_findings(organization: Organization, period: Period, team: Team) -> list:
    """The findings about a team's set of objectives for the period (balance, count, fit)."""
    changes.flush()
    rows = (
        Finding.objects.filter(
            organization_id=organization.pk,
            period_id=period.pk,
            team_id=team.pk,
            objective__isnull=True,
        )
        .order_by("position", "rule", "object", "id")
        .values_list(*FINDING_COLUMNS)
    )
    return [as_finding(row) for row in rows]


ROW_COLUMNS = (
    "id", "slug", "title", "team_id", "team__slug", "team__name", "period__key", "state",
    "commitment", "focus", "owner__username", "version", "progress", "expected", "status",
    "grade", "findings", "period_id", "status_reason",
)  # fmt: skip


@dataclass(slots=True)
class StoredRow:
    """One objective of a list with its stored score (without key results) and findings."""

    objective: ObjectiveRecord
    score: scoring.ObjectiveScore
    findings: int
    guardrails_unhealthy: list[str] = field(default_factory=list)


def objective_rows(
    organization: Organization, period: Period, *, team: Team | None = None
) -> list[StoredRow]:
    """A period's objectives (one team's, when given) in order, with stored scores: two
    queries, the second only for guardrail KPIs out of their healthy range."""
    changes.flush()
    where: dict[str, Any] = {"organization_id": organization.pk, "period_id": period.pk}
    if team is not None:
        where["team_id"] = team.pk
    rows = list(
        Objective.objects.filter(**where).order_by("position", "id").values_list(*ROW_COLUMNS)
    )
    unhealthy = unhealthy_guardrails({f"objective__{key}": value for key, value in where.items()})
    made: list[StoredRow] = []
    for row in rows:
        (pk, slug, title, team_id, team_slug, team_name, period_key, state, commitment, focus,
         owner, version, progress, expected, status, grade, findings, period_id,
         reason) = row  # fmt: skip
        record = ObjectiveRecord(
            pk,
            slug,
            title,
            TeamRecord(team_id, team_slug, team_name),
            period_key,
            state,
            commitment,
            focus,
            owner,
            version,
            Related(),
            period_id,
        )
        score = scoring.ObjectiveScore(
            id=slug,
            team=team_slug,
            title=title,
            period=period_key,
            progress=progress,
            grade=given_grade(grade, commitment),
            expected=expected,
            status=status,
            reason=reason or None,
        )
        made.append(StoredRow(record, score, findings, unhealthy.get(pk, [])))
    return made


def unhealthy_guardrails(where: dict[str, Any]) -> dict[int, list[str]]:
    """By objective id (of the objectives `where` selects through the link), the titles of its
    guardrail KPIs out of their healthy range."""
    marked: dict[int, list[str]] = defaultdict(list)
    rows = (
        Objective.guardrails.through.objects.filter(**where)
        .filter(kpi__current__isnull=False)
        .filter(Q(kpi__healthy_low__isnull=False) | Q(kpi__healthy_high__isnull=False))
        .order_by("kpi__title", "kpi_id")
        .values_list(
            "objective_id", "kpi__title", "kpi__current", "kpi__healthy_low", "kpi__healthy_high"
        )
    )
    for objective_id, title, current, low, high in rows:
        if current is not None and not HealthyRange(low, high).contains(current):
            marked[objective_id].append(title)
    return dict(marked)


@dataclass(slots=True)
class Page:
    """A page of a filtered list of objectives: how many match, and the page's rows read
    with their plan data, stored scores and links."""

    count: int
    rows: PlanRows


def objectives_page(
    organization: Organization,
    period: Period | None,
    *,
    team: Team | None = None,
    state: str | None = None,
    offset: int = 0,
    limit: int = 100,
    with_check_ins: bool = False,
) -> Page:
    """One page of the period's objectives (every period's with None), in the organisation's
    order: a count, the page's ids on indexed columns, then only those rows."""
    changes.flush()
    matching = Objective.objects.filter(organization_id=organization.pk)
    if period is not None:
        matching = matching.filter(period_id=period.pk)
    if team is not None:
        matching = matching.filter(team_id=team.pk)
    if state is not None:
        matching = matching.filter(state=state)
    count = matching.count()
    # Within one period the order is an index's (period, position, id): a page costs the same
    # at offset 0 or 20,000 rows in; across periods, periods in the calendar's order.
    order = ("position", "id") if period is not None else ("period__start", "position", "id")
    ids = list(matching.order_by(*order).values_list("id", flat=True)[offset : offset + limit])
    rows = read_plan(
        organization, period, objective_ids=ids, with_check_ins=with_check_ins, with_targets=False
    )
    return Page(count, rows)


def lever_links(organization: Organization, period: Period) -> dict[int, list[str]]:
    """By objective id, the slugs of the levers each of the period's objectives models."""
    changes.flush()
    links: dict[int, list[str]] = defaultdict(list)
    for objective_id, slug in (
        Objective.levers.through.objects.filter(
            objective__organization_id=organization.pk, objective__period_id=period.pk
        )
        .order_by("lever__position", "lever_id")
        .values_list("objective_id", "lever__slug")
    ):
        links[objective_id].append(slug)
    return dict(links)
