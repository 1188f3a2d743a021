"""Pace and status: is a key result or an objective where it should be by now?

Rules:

- The expected progress on a day is the share of the period's calendar gone by at the end of
  that day; an aspirational objective is expected to reach 0.7, so its pace is 0.7 of that.
- Pace status of a progress against the expected pace: at least 90% of it is on track, at
  least 60% is at risk, less is off track. While less than 0.1 is expected (the first days of
  a quarter) nothing can be behind yet, so it is on track.
- A milestone is done or not: not done, it is on track for the first three quarters of the
  period, at risk in the last quarter and off track once the period is over.
- A range (keep-in-range) key result is on track while its latest value is in its healthy
  range and off track outside it: being in range is the whole goal, whatever the calendar.
  Its progress, the share of its readings in range, is what its grade counts. Without a
  healthy range it cannot be judged: its share (0) is compared with the whole expected grade.
  Always in range so far is not finished: its latest confidence still caps it.
- Then the latest confidence overrides downward: 3 or less is off track, 6 or less is at most
  at risk. Something finished (progress 1.0) is on track whatever the confidence.
- A closed objective's status is its result, not its pace: the band of its final grade
  (green on track, yellow at risk, red off track).
- An objective's status is the pace status of its weighted progress, overridden downward by
  the lowest confidence among its unfinished key results. The pace of the whole is what a
  reader compares with the grade; the lowest confidence makes sure one key result in trouble
  is not averaged away.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from typing import Literal

from constellation.core.model import Commitment, KeyResult, Objective
from constellation.core.periods import Period, parse_period
from constellation.core.scoring.progress import (
    current_value,
    expected_grade,
    grade_objective,
    kr_progress,
    latest_confidence,
    objective_progress,
)

Status = Literal["on_track", "at_risk", "off_track"]

ON_TRACK_SHARE = 0.9
AT_RISK_SHARE = 0.6
NOTHING_EXPECTED_BELOW = 0.1
MILESTONE_AT_RISK_FROM = 0.75
OFF_TRACK_CONFIDENCE = 3
AT_RISK_CONFIDENCE = 6

_RANK: dict[Status, int] = {"on_track": 0, "at_risk": 1, "off_track": 2}


@lru_cache(maxsize=256)
def period_of(key: str) -> Period:
    """The Period of a key such as `2026-Q3`, read once per key (ValueError when malformed)."""
    return parse_period(key)


def as_period(period: Period | str) -> Period:
    """A Period from a Period or its key."""
    return period if isinstance(period, Period) else period_of(str(period))


def expected_progress(period: Period | str, on: date) -> float:
    """The share of the period's calendar gone by at the end of `on`, 0..1."""
    return as_period(period).elapsed(on)


def pace(period: Period | str, on: date, commitment: Commitment | str = "committed") -> float:
    """The progress expected by `on`: the expected grade times the share of the period gone."""
    return expected_grade(commitment) * expected_progress(period, on)


def worst(*statuses: Status) -> Status:
    """The worst of some statuses: off track, then at risk, then on track."""
    return max(statuses, key=_RANK.__getitem__)


def pace_status(progress: float, expected: float) -> Status:
    """Compare a progress with what is expected of it by now."""
    if progress >= 1.0 or expected < NOTHING_EXPECTED_BELOW:
        return "on_track"
    if progress >= ON_TRACK_SHARE * expected:
        return "on_track"
    if progress >= AT_RISK_SHARE * expected:
        return "at_risk"
    return "off_track"


def confidence_status(confidence: int | None) -> Status:
    """The best status a confidence (0-10) allows; no confidence allows anything."""
    if confidence is None:
        return "on_track"
    if confidence <= OFF_TRACK_CONFIDENCE:
        return "off_track"
    if confidence <= AT_RISK_CONFIDENCE:
        return "at_risk"
    return "on_track"


def _milestone_status(elapsed: float) -> Status:
    """Status of a milestone not yet done, from the calendar alone."""
    if elapsed >= 1.0:
        return "off_track"
    return "at_risk" if elapsed >= MILESTONE_AT_RISK_FROM else "on_track"


def expected_of(kr_type: str, elapsed: float, goal: float) -> float:
    """What is expected of a key result: the pace, or the whole grade `goal` for a range."""
    return goal if kr_type == "range" else goal * elapsed


def kr_expected(
    kr: KeyResult, period: Period | str, on: date, commitment: Commitment | str
) -> float:
    """What is expected of a key result by `on`: the pace, or the whole grade for a range."""
    return expected_of(kr.type, expected_progress(period, on), expected_grade(commitment))


def status_of(
    kr: KeyResult, progress: float, elapsed: float, goal: float, confidence: int | None
) -> Status:
    """A key result's status from what is already worked out about it (see the module rules)."""
    if progress >= 1.0 and kr.type != "range":
        return "on_track"
    if kr.type == "milestone":
        by_pace = _milestone_status(elapsed)
    elif kr.type == "range" and current_value(kr) is None:
        # Nothing read yet: only behind once something should have been read.
        by_pace = pace_status(0.0, goal * elapsed)
    elif kr.type == "range" and kr.healthy is not None:
        value = current_value(kr)
        by_pace = "on_track" if value is not None and kr.healthy.contains(value) else "off_track"
    else:
        by_pace = pace_status(progress, expected_of(kr.type, elapsed, goal))
    return worst(by_pace, confidence_status(confidence))


def kr_status(
    kr: KeyResult, period: Period | str, on: date, commitment: Commitment | str = "committed"
) -> Status:
    """Whether a key result is on track, at risk or off track on `on` (see the module rules)."""
    elapsed = expected_progress(period, on)
    goal = expected_grade(commitment)
    return status_of(kr, kr_progress(kr), elapsed, goal, latest_confidence(kr))


def lowest_of(progress_and_confidence: Iterable[tuple[float, int | None]]) -> int | None:
    """The lowest confidence among unfinished key results, from (progress, confidence) pairs."""
    found: int | None = None
    for progress, confidence in progress_and_confidence:
        if confidence is None or progress >= 1.0:
            continue
        found = confidence if found is None else min(found, confidence)
    return found


def lowest_confidence(objective: Objective) -> int | None:
    """The lowest latest confidence among the objective's unfinished key results, or None."""
    return lowest_of((kr_progress(kr), latest_confidence(kr)) for kr in objective.key_results)


_RESULT: dict[str, Status] = {"green": "on_track", "yellow": "at_risk", "red": "off_track"}


def result_status(band: str) -> Status:
    """A closed objective's status: the band of its final grade, not the pace."""
    return _RESULT[band]


def objective_status_of(progress: float, expected: float, lowest: int | None) -> Status:
    """An objective's status from its progress, its pace and its lowest KR confidence."""
    if progress >= 1.0:
        return "on_track"
    return worst(pace_status(progress, expected), confidence_status(lowest))


def objective_status(objective: Objective, on: date) -> Status:
    """Pace status of the objective's weighted progress, capped by its lowest KR confidence;
    a closed objective's result."""
    if objective.state == "closed":
        return result_status(grade_objective(objective).band)
    expected = pace(objective.period, on, objective.commitment)
    progress = objective_progress(objective)
    return objective_status_of(progress, expected, lowest_confidence(objective))
