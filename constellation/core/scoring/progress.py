"""Progress of key results and objectives, and the grades they earn.

Rules (the same for the command line and the server):

- A metric moves from `baseline` to `target`; it increases when target > baseline and decreases
  when target < baseline. Progress is (current - baseline) / (target - baseline), clamped to
  0..1. A missing baseline counts as 0: a key result written as "reach 40 paying teams" is a
  count that starts from nothing. With target == baseline no direction is known, so progress
  is 1.0 only when current equals the target. No target or no current value gives 0.
- A milestone is 1.0 when done (the key result says so, or its latest check-in that states
  `done` says so), else 0.
- A range key result (keep a value inside `healthy`) scores the share of its check-in readings
  that lie in range; without check-ins, 1.0 or 0.0 from its current value; unknown gives 0.
- An objective's progress is the weighted mean of its key results' progress (weights > 0).
- A grade is progress rounded half up to one decimal; bands on the rounded grade: 0.0-0.3
  red, 0.4-0.6 yellow, 0.7-1.0 green. A committed objective is expected to reach 1.0, an
  aspirational one 0.7.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, TypeGuard

from constellation.core.model import CheckIn, Commitment, KeyResult, Objective

Band = Literal["red", "yellow", "green"]

COMMITTED_GRADE = 1.0
ASPIRATIONAL_GRADE = 0.7


def _finite(value: float | None) -> TypeGuard[float]:
    """Whether a reading is a usable number (YAML accepts .nan and .inf as floats)."""
    return value is not None and math.isfinite(value)


def _latest(check_ins: list[CheckIn], wanted: str) -> CheckIn | None:
    """The latest check-in (by date, then by position) whose field `wanted` is set."""
    found: CheckIn | None = None
    for check_in in check_ins:
        if getattr(check_in, wanted) is not None and (found is None or check_in.on >= found.on):
            found = check_in
    return found


def current_value(kr: KeyResult) -> float | None:
    """The key result's current value, else the value of its latest check-in, else None."""
    if kr.current is not None:
        return kr.current
    latest = _latest(kr.check_ins, "value")
    return latest.value if latest is not None else None


def latest_confidence(kr: KeyResult) -> int | None:
    """The key result's confidence, else the confidence of its latest check-in, else None."""
    if kr.confidence is not None:
        return kr.confidence
    latest = _latest(kr.check_ins, "confidence")
    return latest.confidence if latest is not None else None


def is_done(kr: KeyResult) -> bool:
    """Whether a milestone is done: its own `done`, else its latest check-in stating `done`."""
    if kr.done:
        return True
    latest = _latest(kr.check_ins, "done")
    return bool(latest.done) if latest is not None else False


def metric_progress(baseline: float | None, target: float | None, current: float | None) -> float:
    """Progress of a metric from baseline to target at `current`, in 0..1."""
    if not (_finite(target) and _finite(current)):
        return 0.0
    start = baseline if _finite(baseline) else 0.0
    if target == start:
        return 1.0 if current == target else 0.0
    span, moved = target - start, current - start
    if not math.isfinite(span) or not math.isfinite(moved):
        # Values near the float limit overflow when subtracted; halving keeps the ratio.
        span, moved = target / 2 - start / 2, current / 2 - start / 2
    share = moved / span
    return min(1.0, max(0.0, share))


def _range_progress(kr: KeyResult) -> float:
    """Share of readings inside the healthy range; from the current value without check-ins."""
    if kr.healthy is None:
        return 0.0
    readings = [c.value for c in kr.check_ins if _finite(c.value)]
    if readings:
        return sum(1 for value in readings if kr.healthy.contains(value)) / len(readings)
    current = kr.current
    return 1.0 if _finite(current) and kr.healthy.contains(current) else 0.0


def kr_progress(kr: KeyResult) -> float:
    """Progress of one key result in 0..1 (metric, milestone or range; see the module rules)."""
    if kr.type == "milestone":
        return 1.0 if is_done(kr) else 0.0
    if kr.type == "range":
        return _range_progress(kr)
    return metric_progress(kr.baseline, kr.target, current_value(kr))


def usable_weight(kr: KeyResult) -> float:
    """The key result's weight, or 0 when it cannot weigh (zero, negative or not a number)."""
    weight = kr.weight
    return weight if _finite(weight) and weight > 0 else 0.0


def weighted_progress(pairs: Iterable[tuple[float, float]]) -> float:
    """Weighted mean of (weight, progress) pairs, ignoring weights of 0; 0.0 when none weigh."""
    total = weighted = 0.0
    low, high = 1.0, 0.0
    for weight, progress in pairs:
        if weight == 0.0:
            continue
        total += weight
        weighted += weight * progress
        low, high = min(low, progress), max(high, progress)
    if total == 0.0 or not math.isfinite(total):
        return 0.0
    # Rounding can push a mean a hair outside the values it averages.
    return min(high, max(low, weighted / total))


def objective_progress(objective: Objective) -> float:
    """Weighted mean of the key results' progress; 0.0 without key results."""
    return weighted_progress((usable_weight(kr), kr_progress(kr)) for kr in objective.key_results)


def _tenths(progress: float) -> int:
    """Progress in whole tenths, rounded half up and clamped to 0..10."""
    if not _finite(progress):
        return 0
    return min(10, max(0, math.floor(progress * 10 + 0.5)))


def grade(progress: float) -> float:
    """The grade of a progress: rounded half up to one decimal, 0.0..1.0."""
    return _tenths(progress) / 10


def band(value: float) -> Band:
    """Colour band of a grade, decided on the grade rounded to one decimal."""
    tenths = _tenths(value)
    if tenths <= 3:
        return "red"
    if tenths <= 6:
        return "yellow"
    return "green"


def expected_grade(commitment: Commitment | str) -> float:
    """The grade an objective should reach: 1.0 when committed, 0.7 when aspirational."""
    return ASPIRATIONAL_GRADE if commitment == "aspirational" else COMMITTED_GRADE


@dataclass(frozen=True, slots=True)
class Grade:
    """An objective's grade with its band, the grade expected of it and whether it is met."""

    value: float
    band: Band
    expected: float
    met: bool

    def as_dict(self) -> dict[str, object]:
        """The grade as plain JSON-ready values."""
        return {"value": self.value, "band": self.band, "expected": self.expected, "met": self.met}


def grade_of(progress: float, commitment: Commitment | str) -> Grade:
    """The Grade for a progress under a commitment."""
    return given_grade(grade(progress), commitment)


def given_grade(value: float, commitment: Commitment | str) -> Grade:
    """The Grade of a grade value (computed, or the one a review settled on) under a commitment."""
    expected = expected_grade(commitment)
    met = _tenths(value) >= _tenths(expected)
    return Grade(value=value, band=band(value), expected=expected, met=met)


def grade_objective(objective: Objective) -> Grade:
    """Grade an objective: the grade its review settled on, else from its weighted progress."""
    if objective.grade is not None:
        return given_grade(objective.grade, objective.commitment)
    return grade_of(objective_progress(objective), objective.commitment)
