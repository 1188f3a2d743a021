"""A whole plan scored on one day: what `okr score` prints and the server shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from constellation.core.model import KeyResult, Objective, Plan
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
    lowest_of,
    objective_status_of,
    result_status,
    status_of,
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
    """Score one key result of an objective on a day, with the objective's period."""
    elapsed = expected_progress(objective.period, on)
    return _score_kr(kr, objective, on, elapsed, expected_grade(objective.commitment))


def _score_kr(
    kr: KeyResult, objective: Objective, on: date, elapsed: float, goal: float
) -> KrScore:
    """Score one key result with the objective's calendar already worked out."""
    progress = kr_progress(kr)
    return KrScore(
        id=kr.id,
        title=kr.title,
        type=kr.type,
        baseline=kr.baseline,
        target=kr.target,
        current=current_value(kr),
        unit=kr.unit,
        progress=progress,
        expected=expected_of(kr.type, elapsed, goal),
        status=status_of(kr, progress, elapsed, goal, latest_confidence(kr)),
        forecast=forecast(kr, objective.period, on),
    )


def score_objective(objective: Objective, on: date) -> ObjectiveScore:
    """Score one objective on a day, on its own period's calendar."""
    elapsed = expected_progress(objective.period, on)
    goal = expected_grade(objective.commitment)
    krs = [_score_kr(kr, objective, on, elapsed, goal) for kr in objective.key_results]
    weights = [usable_weight(kr) for kr in objective.key_results]
    progress = weighted_progress(zip(weights, (score.progress for score in krs), strict=True))
    lowest = lowest_of(
        (score.progress, latest_confidence(kr))
        for kr, score in zip(objective.key_results, krs, strict=True)
    )
    final = (
        given_grade(objective.grade, objective.commitment)
        if objective.grade is not None
        else grade_of(progress, objective.commitment)
    )
    return ObjectiveScore(
        id=objective.id,
        team=objective.team,
        title=objective.title,
        period=objective.period,
        progress=progress,
        grade=final,
        expected=goal * elapsed,
        status=(
            result_status(final.band)
            if objective.state == "closed"
            else objective_status_of(progress, goal * elapsed, lowest)
        ),
        key_results=krs,
    )


def score_plan(plan: Plan, on: date) -> PlanScore:
    """Score every objective of a plan on a day (each on its own period's calendar)."""
    return PlanScore(
        path=plan.path,
        at=on,
        objectives=[score_objective(objective, on) for objective in plan.objectives],
    )
