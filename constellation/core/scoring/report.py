"""A whole plan scored on one day: what `okr score` prints and the server shows."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from constellation.core.model import KeyResult, Kpi, Objective, Plan
from constellation.core.scoring.forecast import Forecast, forecast
from constellation.core.scoring.progress import (
    Grade,
    current_value,
    expected_grade,
    given_grade,
    grade_of,
    kr_progress,
    latest_confidence,
    usable_weight,
    weighted_progress,
)
from constellation.core.scoring.status import (
    Status,
    expected_of,
    expected_progress,
    guardrail_reason,
    has_reading,
    is_draft,
    kpi_index,
    lowest_of,
    objective_status_of,
    result_status,
    status_of,
    unhealthy_guardrails,
    with_guardrails,
)


def _rounded(value: float | None, digits: int = 4) -> float | None:
    """A float rounded for JSON, None kept."""
    return None if value is None else round(value, digits)


@dataclass(frozen=True, slots=True)
class KrScore:
    """One key result scored: where it stands, what is expected, its status and its trend."""

    id: str
    title: str
    type: str
    baseline: float | None
    target: float | None
    current: float | None
    unit: str | None
    progress: float
    expected: float
    status: Status
    forecast: Forecast | None

    def as_dict(self) -> dict[str, object]:
        """The score as plain JSON-ready values."""
        return {
            "id": self.id,
            "title": self.title,
            "type": self.type,
            "baseline": self.baseline,
            "target": self.target,
            "current": self.current,
            "unit": self.unit,
            "progress": _rounded(self.progress),
            "expected": _rounded(self.expected),
            "status": self.status,
            "forecast": self.forecast.as_dict() if self.forecast else None,
        }


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """One objective scored, with its key results."""

    id: str
    team: str
    title: str
    period: str
    progress: float
    grade: Grade
    expected: float
    status: Status
    key_results: list[KrScore] = field(default_factory=list)
    # Why the status is worse than the pace alone says (an unhealthy guardrail), else None.
    reason: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The score as plain JSON-ready values."""
        return {
            "id": self.id,
            "team": self.team,
            "title": self.title,
            "period": self.period,
            "progress": _rounded(self.progress),
            "grade": self.grade.as_dict(),
            "expected": _rounded(self.expected),
            "status": self.status,
            "reason": self.reason,
            "key_results": [kr.as_dict() for kr in self.key_results],
        }


@dataclass(frozen=True, slots=True)
class PlanScore:
    """Every objective of a plan scored on one day."""

    path: str | None
    at: date
    objectives: list[ObjectiveScore] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        """The scores as plain JSON-ready values: path, at (YYYY-MM-DD) and objectives."""
        return {
            "path": self.path,
            "at": self.at.isoformat(),
            "objectives": [objective.as_dict() for objective in self.objectives],
        }


def score_kr(kr: KeyResult, objective: Objective, on: date) -> KrScore:
    """Score one key result of an objective on a day, with the objective's period, state and
    launch day."""
    elapsed = expected_progress(objective.period, on, objective.launched)
    return _score_kr(kr, objective, on, elapsed, expected_grade(objective.commitment))


def _kr_expected(kr: KeyResult, objective: Objective, elapsed: float, goal: float) -> float:
    """What is expected of a key result: nothing of a draft, everything once closed."""
    if is_draft(objective.state):
        return 0.0
    if objective.state == "closed":
        return goal
    return expected_of(kr.type, elapsed, goal)


def _score_kr(
    kr: KeyResult, objective: Objective, on: date, elapsed: float, goal: float
) -> KrScore:
    """Score one key result with the objective's calendar already worked out."""
    progress = kr_progress(kr)
    confidence = latest_confidence(kr)
    return KrScore(
        id=kr.id,
        title=kr.title,
        type=kr.type,
        baseline=kr.baseline,
        target=kr.target,
        current=current_value(kr),
        unit=kr.unit,
        progress=progress,
        expected=_kr_expected(kr, objective, elapsed, goal),
        status=status_of(kr, progress, elapsed, goal, confidence, objective.state),
        forecast=forecast(kr, objective.period, on),
    )


def score_objective(
    objective: Objective, on: date, kpis: Mapping[str, Kpi] | Iterable[Kpi] | None = None
) -> ObjectiveScore:
    """Score one objective on a day, on its own period's calendar from its launch; `kpis` (the
    plan's) tell whether its guardrails are healthy."""
    elapsed = expected_progress(objective.period, on, objective.launched)
    goal = expected_grade(objective.commitment)
    krs = [_score_kr(kr, objective, on, elapsed, goal) for kr in objective.key_results]
    weights = [usable_weight(kr) for kr in objective.key_results]
    progress = weighted_progress(zip(weights, (score.progress for score in krs), strict=True))
    final = (
        given_grade(objective.grade, objective.commitment)
        if objective.grade is not None
        else grade_of(progress, objective.commitment)
    )
    expected = goal * elapsed
    reason: str | None = None
    status: Status
    if is_draft(objective.state):
        # No pace to worsen, but whoever plans it should know a guardrail is already unhealthy.
        status, expected = "draft", 0.0
        reason = guardrail_reason(unhealthy_guardrails(objective, kpi_index(kpis)))
    elif objective.state == "closed":
        status = result_status(final.band)
    else:
        lowest = lowest_of(
            (score.progress, latest_confidence(kr))
            for kr, score in zip(objective.key_results, krs, strict=True)
        )
        started = any(has_reading(kr) for kr in objective.key_results)
        paced = objective_status_of(progress, expected, lowest, started=started, elapsed=elapsed)
        unhealthy = unhealthy_guardrails(objective, kpi_index(kpis))
        status, reason = with_guardrails(paced, unhealthy)
    return ObjectiveScore(
        id=objective.id,
        team=objective.team,
        title=objective.title,
        period=objective.period,
        progress=progress,
        grade=final,
        expected=expected,
        status=status,
        key_results=krs,
        reason=reason,
    )


def score_plan(plan: Plan, on: date) -> PlanScore:
    """Score every objective of a plan on a day (each on its own period's calendar), with
    the plan's KPIs for their guardrails."""
    kpis = kpi_index(plan.kpis)
    return PlanScore(
        path=plan.path,
        at=on,
        objectives=[score_objective(objective, on, kpis) for objective in plan.objectives],
    )
