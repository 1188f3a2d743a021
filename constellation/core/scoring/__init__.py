"""Scoring: progress, grades, pace, status and forecast of key results and objectives.

Pure functions over the plan model, shared by `okr score` and the server. The rules are
written at the top of each module: `progress` (progress and grades), `status` (pace and
status), `forecast` (trend of a metric) and `report` (a whole plan on one day).
"""

from __future__ import annotations

from constellation.core.scoring.forecast import Forecast, fit_line, forecast
from constellation.core.scoring.progress import (
    Band,
    Grade,
    band,
    current_value,
    expected_grade,
    grade,
    grade_objective,
    is_done,
    kr_progress,
    latest_confidence,
    metric_progress,
    objective_progress,
)
from constellation.core.scoring.report import (
    KrScore,
    ObjectiveScore,
    PlanScore,
    score_kr,
    score_objective,
    score_plan,
)
from constellation.core.scoring.status import (
    Status,
    confidence_status,
    expected_progress,
    kr_status,
    objective_status,
    pace,
    pace_status,
)

__all__ = [
    "Band",
    "Forecast",
    "Grade",
    "KrScore",
    "ObjectiveScore",
    "PlanScore",
    "Status",
    "band",
    "confidence_status",
    "current_value",
    "expected_grade",
    "expected_progress",
    "fit_line",
    "forecast",
    "grade",
    "grade_objective",
    "is_done",
    "kr_progress",
    "kr_status",
    "latest_confidence",
    "metric_progress",
    "objective_progress",
    "objective_status",
    "pace",
    "pace_status",
    "score_kr",
    "score_objective",
    "score_plan",
]
