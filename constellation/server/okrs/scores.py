"""Progress, grades, status and coach findings of server objectives, from the core engine."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from constellation.core import coach, scoring
from constellation.core.model import Plan
from constellation.server.okrs.models import Objective, Period
from constellation.server.okrs.plan import build_plan, objectives_queryset
from constellation.server.orgs.models import Organization


@dataclass(slots=True)
class PeriodView:
    """A period's objectives with their scores and the coach's findings, read once."""

    organization: Organization
    period: Period | None
    objectives: list[Objective]
    plan: Plan
    scores: dict[str, scoring.ObjectiveScore]
    findings: list[coach.Finding]
    findings_by_objective: dict[str, list[coach.Finding]] = field(default_factory=dict)


def _owner_of(finding: coach.Finding) -> str | None:
    if finding.object is None:
        return None
    return finding.object.split("/", 1)[0]


def period_view(
    organization: Organization,
    period: Period | None,
    *,
    on: date | None = None,
    objectives: list[Objective] | None = None,
    with_check_ins: bool = False,
    with_findings: bool = True,
) -> PeriodView:
    """Score and coach a period's objectives (or the given rows) in a bounded number of queries."""
    if objectives is None:
        queryset = objectives_queryset(organization)
        if period is not None:
            queryset = queryset.filter(period=period)
        objectives = list(queryset)
    plan = build_plan(organization, period, objectives=objectives, with_check_ins=with_check_ins)
    score = scoring.score_plan(plan, on or timezone.localdate())
    scores = {s.id: s for s in score.objectives}
    findings = coach.lint(plan) if with_findings else []
    by_objective: dict[str, list[coach.Finding]] = {}
    for finding in findings:
        owner = _owner_of(finding)
        if owner is not None:
            by_objective.setdefault(owner, []).append(finding)
    return PeriodView(organization, period, objectives, plan, scores, findings, by_objective)


def current_period(organization: Organization, on: date | None = None) -> Period | None:
    """The period containing today (quarters before years), else the latest one."""
    day = on or timezone.localdate()
    periods = list(Period.objects.filter(organization=organization))
    containing = [p for p in periods if p.start <= day <= p.end]
    if containing:
        return min(containing, key=lambda p: p.end - p.start)
    return max(periods, key=lambda p: p.start) if periods else None
