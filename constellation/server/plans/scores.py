"""Progress, grades, status and coach findings of server objectives, as stored.

Scores and findings are kept in the database by `plans.stored`, in the transaction of every
write that changes their inputs, so reading them is a query: nothing here runs the engine on
a whole period. Only a score asked for another day (`on`, the API's `?at=`) is computed, and
then only for the rows shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core.model import Plan
from constellation.server.audit import changes
from constellation.server.okrs.models import Finding, Objective, Period
from constellation.server.orgs.models import Organization
from constellation.server.plans.plan import Links, read_plan


@dataclass(slots=True)
class PeriodView:
    """A period's objectives with their scores and the coach's findings.

    `objectives` are the rows passed in (model instances), or else `ObjectiveRecord`s of the
    whole period; both have `pk`, `slug`, `title`, `team`, `state` and `commitment`.
    """

    organization: Organization
    period: Period | None
    objectives: list[Any]
    plan: Plan
    scores: dict[str, scoring.ObjectiveScore]
    findings: list[coach.Finding]
    findings_by_objective: dict[str, list[coach.Finding]] = field(default_factory=dict)
    aligns_to: Links = field(default_factory=dict)
    aligned_from: Links = field(default_factory=dict)


def as_finding(row: tuple) -> coach.Finding:
    """A stored finding row (FINDING_COLUMNS) as the coach's dataclass."""
    rule, severity, obj, message, hint, plain_message, plain_hint, fix = row[:8]
    return coach.Finding(
        rule, severity, obj or None, None, message, hint, plain_message, plain_hint, fix or None
    )


FINDING_COLUMNS = (
    "rule",
    "severity",
    "object",
    "message",
    "hint",
    "plain_message",
    "plain_hint",
    "fix",
    "objective_id",
    "team_id",
)


def stored_findings(
    organization: Organization, period_ids: list[int], objective_ids: list[int]
) -> tuple[list[coach.Finding], dict[int, list[coach.Finding]]]:
    """The findings about these objectives, their teams' sets and their periods' plans, in
    one query; and those about each objective, by its id."""
    changes.flush()
    teams = Objective.objects.filter(id__in=objective_ids).values("team_id")
    rows = (
        Finding.objects.restrict(organization)
        .filter(
            Q(objective_id__in=objective_ids)
            | Q(period_id__in=period_ids, objective__isnull=True, team__isnull=True)
            | Q(period_id__in=period_ids, objective__isnull=True, team_id__in=teams)
        )
        .order_by("objective_id", "position", "rule", "object", "id")
        .values_list(*FINDING_COLUMNS)
    )
    findings: list[coach.Finding] = []
    by_objective: dict[int, list[coach.Finding]] = {}
    for row in rows:
        finding = as_finding(row)
        findings.append(finding)
        if row[8] is not None:
            by_objective.setdefault(row[8], []).append(finding)
    return findings, by_objective


def period_view(
    organization: Organization,
    period: Period | None,
    *,
    on: date | None = None,
    objectives: list[Objective] | None = None,
    with_check_ins: bool = True,
    with_findings: bool = True,
) -> PeriodView:
    """A period's objectives (or the given rows) with their stored scores and findings, in a
    fixed number of queries; scored by the engine only for another day than today.

    Without `objectives` the whole period is read (all periods when `period` is None): keep
    that for reports and exports; pages show a page of rows (`plans.lists`). The plan's key
    results carry their check-ins with `with_check_ins` (charts), or to score another day.
    """
    ids = [o.pk for o in objectives] if objectives is not None else None
    # Another day is scored by the engine, which reads the check-ins; today's is stored.
    again = on is not None and on != timezone.localdate()
    rows = read_plan(
        organization, period, objective_ids=ids, with_check_ins=with_check_ins or again
    )
    scores = rows.scores
    if on is not None and again:
        kpis = {kpi.id: kpi for kpi in rows.plan.kpis}
        scores = {o.id: scoring.score_objective(o, on, kpis) for o in rows.plan.objectives}
    shown: list[Any] = list(objectives) if objectives is not None else list(rows.records)
    findings: list[coach.Finding] = []
    by_objective: dict[str, list[coach.Finding]] = {}
    if with_findings:
        own = [record.pk for record in rows.records]
        period_ids = sorted({record.period_id for record in rows.records})
        if period is not None and objectives is None:
            period_ids = [period.pk]
        findings, by_id = stored_findings(organization, period_ids, own)
        slugs = {record.pk: record.slug for record in rows.records}
        by_objective = {slugs[pk]: found for pk, found in by_id.items() if pk in slugs}
    return PeriodView(
        organization,
        period,
        shown,
        rows.plan,
        scores,
        findings,
        by_objective,
        rows.aligns_to,
        rows.aligned_from,
    )


def current_period(organization: Organization, on: date | None = None) -> Period | None:
    """The period containing today (quarters before years), else the latest one."""
    day = on or timezone.localdate()
    periods = list(Period.objects.filter(organization=organization))
    containing = [p for p in periods if p.start <= day <= p.end]
    if containing:
        return min(containing, key=lambda p: p.end - p.start)
    return max(periods, key=lambda p: p.start) if periods else None
