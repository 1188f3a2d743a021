"""Forecast of a metric key result: a least-squares line through its readings.

The points are the baseline on the period's first day (when the baseline is known) and every
check-in with a value dated on or before the day of the forecast; a forecast made on a day uses
only what was known that day. The line of value against day number gives the value expected at
the end of the period and the day the target is reached.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from constellation.core.model import KeyResult
from constellation.core.periods import Period
from constellation.core.scoring.progress import metric_progress
from constellation.core.scoring.status import as_period


@dataclass(frozen=True, slots=True)
class Forecast:
    """Where the trend of a metric leads: value and progress at the period's end, and when."""

    end_value: float
    end_progress: float
    slope_per_day: float
    target_date: date | None
    points: int

    def as_dict(self) -> dict[str, object]:
        """The forecast as plain JSON-ready values."""
        return {
            "end_value": round(self.end_value, 4),
            "end_progress": round(self.end_progress, 4),
            "slope_per_day": float(f"{self.slope_per_day:.6g}"),
            "target_date": self.target_date.isoformat() if self.target_date else None,
            "points": self.points,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Forecast:
        """A forecast back from `as_dict`'s values (as stored by the server)."""
        target = data.get("target_date")
        return cls(
            end_value=float(data["end_value"]),
            end_progress=float(data["end_progress"]),
            slope_per_day=float(data["slope_per_day"]),
            target_date=date.fromisoformat(target) if target else None,
            points=int(data["points"]),
        )


def _points(kr: KeyResult, period: Period, on: date) -> list[tuple[float, float]]:
    """(day number, value) pairs: the baseline at the start, then check-ins up to `on`."""
    points: list[tuple[float, float]] = []
    if kr.baseline is not None and math.isfinite(kr.baseline):
        points.append((0.0, float(kr.baseline)))
    for check_in in kr.check_ins:
        value = check_in.value
        if value is None or not math.isfinite(value) or check_in.on > on:
            continue
        points.append((float((check_in.on - period.start).days), float(value)))
    return points


def fit_line(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Least-squares (intercept, slope) of y against x; None when x never varies."""
    count = len(points)
    mean_x = sum(x for x, _ in points) / count
    mean_y = sum(y for _, y in points) / count
    # Centred sums keep precision when day numbers and values are large.
    sxx = sxy = 0.0
    for x, y in points:
        dx = x - mean_x
        sxx += dx * dx
        sxy += dx * (y - mean_y)
    if sxx == 0.0:
        return None
    slope = sxy / sxx
    return mean_y - slope * mean_x, slope


def _target_date(kr: KeyResult, period: Period, intercept: float, slope: float) -> date | None:
    """The first day the line reaches the target; None when flat, the wrong way or out of reach."""
    target = kr.target
    if target is None or not math.isfinite(target) or slope == 0.0:
        return None
    start = kr.baseline if kr.baseline is not None and math.isfinite(kr.baseline) else 0.0
    direction = (target > start) - (target < start)
    if direction == 0:
        # No direction from the plan: the line must be heading for the target.
        direction = (target > intercept) - (target < intercept)
    if direction * slope <= 0:
        return None
    day = (target - intercept) / slope
    try:
        return period.start + timedelta(days=math.ceil(day - 1e-9))
    except (OverflowError, ValueError):
        return None


def forecast(kr: KeyResult, period: Period | str, on: date) -> Forecast | None:
    """The trend of a metric key result; None for other types, under two points or one day."""
    if kr.type not in ("metric", None):
        return None
    span = as_period(period)
    points = _points(kr, span, on)
    if len(points) < 2:
        return None
    line = fit_line(points)
    if line is None:
        return None
    intercept, slope = line
    if not (math.isfinite(intercept) and math.isfinite(slope)):
        return None
    end_value = intercept + slope * (span.end - span.start).days
    return Forecast(
        end_value=end_value,
        end_progress=metric_progress(kr.baseline, kr.target, end_value),
        slope_per_day=slope,
        target_date=_target_date(kr, span, intercept, slope),
        points=len(points),
    )
