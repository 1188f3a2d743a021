"""Pace and status: is a key result or an objective where it should be by now?

Rules:

- A draft (an objective not launched: `draft` or `in_review`) has no pace: it and its key
  results are `draft`, expected nothing. An objective without a state (an OKR file that does
  not say) is being tracked.
- The expected progress on a day is the share of the calendar gone by at the end of that day,
  counted from the later of the period's first day and the day the objective was launched (an
  objective launched on 1 December in a quarter that began on 1 October is expected nothing on
  1 December, and everything on 31 December); an aspirational objective is expected to reach
  0.7, so its pace is 0.7 of that.
- Pace status of a progress against the expected pace: at least 90% of it is on track, at
  least 60% is at risk, less is off track. While less than 0.1 is expected (the first days of
  a quarter) nothing can be behind yet, so it is on track.
- Not started: a launched key result with no reading yet (no value, no check-in, no confidence,
  not done) is `not_started` while less than a quarter of its calendar has gone by (about three
  weeks of a quarter after its launch); from then on it is judged like any other, so a metric
  with still nothing checked in is off track. An objective none of whose key results has a
  reading is `not_started` for as long.
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
  (green on track, yellow at risk, red off track); each of its key results likewise shows the
  band of its own final progress.
- An objective's status is the pace status of its weighted progress, overridden downward by
  the lowest confidence among its unfinished key results. The pace of the whole is what a
  reader compares with the grade; the lowest confidence makes sure one key result in trouble
  is not averaged away.
- A guardrail out of its healthy range makes a running objective at least at risk, and says
  so in the status's reason ("guardrail Monthly churn outside its healthy range"): pushing the
  objective is hurting what must stay healthy. A draft keeps its status but carries the reason
  (whoever plans it should know); a closed objective's result is what it is.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from functools import lru_cache
from typing import Literal

from constellation.core.model import Commitment, KeyResult, Kpi, Objective
from constellation.core.periods import Period, parse_period
from constellation.core.scoring.progress import (
    band,
    current_value,
    expected_grade,
    grade_objective,
    kr_progress,
    latest_confidence,
    objective_progress,
)

Status = Literal["on_track", "at_risk", "off_track", "not_started", "draft"]

ON_TRACK_SHARE = 0.9
AT_RISK_SHARE = 0.6
NOTHING_EXPECTED_BELOW = 0.1
MILESTONE_AT_RISK_FROM = 0.75
OFF_TRACK_CONFIDENCE = 3
AT_RISK_CONFIDENCE = 6
# Share of its calendar during which a launched key result with no reading is "not started".
NOT_STARTED_UNTIL = 0.25
# Objective states without a pace: not launched yet.
DRAFT_STATES = frozenset({"draft", "in_review"})

# Neither "not started" nor "draft" is behind: they rank with on track.
_RANK: dict[Status, int] = {
    "draft": 0,
    "not_started": 0,
    "on_track": 0,
    "at_risk": 1,
    "off_track": 2,
}


@lru_cache(maxsize=256)
def period_of(key: str) -> Period:
    """The Period of a key such as `2026-Q3`, read once per key (ValueError when malformed)."""
    return parse_period(key)


def as_period(period: Period | str) -> Period:
    """A Period from a Period or its key."""
    return period if isinstance(period, Period) else period_of(str(period))


def expected_progress(period: Period | str, on: date, launched: date | None = None) -> float:
    """The share of the calendar gone by at the end of `on`, 0..1, counted from the later of
    the period's first day and `launched` (to the period's last day)."""
    span = as_period(period)
    if launched is None or launched <= span.start:
        return span.elapsed(on)
    if on < launched:
        return 0.0  # nothing is expected before the launch
    start = min(launched, span.end)
    if on >= span.end:
        return 1.0
    return ((on - start).days + 1) / ((span.end - start).days + 1)


def pace(
    period: Period | str,
    on: date,
    commitment: Commitment | str = "committed",
    launched: date | None = None,
) -> float:
    """The progress expected by `on`: the expected grade times the share of the calendar gone
    since the later of the period's start and the launch."""
    return expected_grade(commitment) * expected_progress(period, on, launched)


def is_draft(state: str | None) -> bool:
    """Whether an objective in this state is not launched yet (no pace)."""
    return state in DRAFT_STATES


def has_reading(kr: KeyResult) -> bool:
    """Whether anything was ever read of a key result: a value, a check-in, a confidence or
    done."""
    return bool(kr.current is not None or kr.done or kr.confidence is not None or kr.check_ins)


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
    kr: KeyResult,
    period: Period | str,
    on: date,
    commitment: Commitment | str,
    launched: date | None = None,
) -> float:
    """What is expected of a key result by `on`: the pace, or the whole grade for a range."""
    elapsed = expected_progress(period, on, launched)
    return expected_of(kr.type, elapsed, expected_grade(commitment))


def status_of(
    kr: KeyResult,
    progress: float,
    elapsed: float,
    goal: float,
    confidence: int | None,
    state: str | None = None,
) -> Status:
    """A key result's status from what is already worked out about it, under its objective's
    state (see the module rules)."""
    if is_draft(state):
        return "draft"
    if state == "closed":
        return result_status(band(progress))
    if not has_reading(kr) and elapsed < NOT_STARTED_UNTIL:
        return "not_started"
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
    kr: KeyResult,
    period: Period | str,
    on: date,
    commitment: Commitment | str = "committed",
    *,
    state: str | None = None,
    launched: date | None = None,
) -> Status:
    """A key result's status on `on` under its objective's state and launch day (see the
    module rules)."""
    elapsed = expected_progress(period, on, launched)
    goal = expected_grade(commitment)
    return status_of(kr, kr_progress(kr), elapsed, goal, latest_confidence(kr), state)


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


def objective_status_of(
    progress: float,
    expected: float,
    lowest: int | None,
    *,
    started: bool = True,
    elapsed: float = 1.0,
) -> Status:
    """An objective's status from its progress, its pace and its lowest KR confidence;
    `not_started` while none of its key results has a reading early in its calendar."""
    if progress >= 1.0:
        return "on_track"
    if not started and elapsed < NOT_STARTED_UNTIL:
        return "not_started"
    return worst(pace_status(progress, expected), confidence_status(lowest))


def unhealthy_guardrails(objective: Objective, kpis: Mapping[str, Kpi]) -> list[Kpi]:
    """The objective's guardrail KPIs that are out of their healthy range, in its order."""
    found = (kpis.get(slug) for slug in objective.guardrails)
    return [kpi for kpi in found if kpi is not None and kpi.is_healthy() is False]


def guardrail_reason(unhealthy: list[Kpi]) -> str | None:
    """Why unhealthy guardrails put an objective at risk, in words; None when none is."""
    if not unhealthy:
        return None
    if len(unhealthy) == 1:
        return f"guardrail {unhealthy[0].title} outside its healthy range"
    names = ", ".join(kpi.title for kpi in unhealthy)
    return f"guardrails {names} outside their healthy ranges"


def with_guardrails(status: Status, unhealthy: list[Kpi]) -> tuple[Status, str | None]:
    """A running objective's status with its guardrails: at least at risk, and why."""
    reason = guardrail_reason(unhealthy)
    if reason is None:
        return status, None
    return worst(status, "at_risk"), reason


def kpi_index(kpis: Mapping[str, Kpi] | Iterable[Kpi] | None) -> Mapping[str, Kpi]:
    """KPIs by id, from a mapping or a list of them (none when None)."""
    if kpis is None:
        return {}
    if isinstance(kpis, Mapping):
        return kpis
    return {kpi.id: kpi for kpi in kpis}


def objective_status(
    objective: Objective, on: date, kpis: Mapping[str, Kpi] | Iterable[Kpi] | None = None
) -> Status:
    """An objective's status on `on`: draft, its result once closed, else its pace (from its
    launch), capped by its lowest KR confidence and its unhealthy guardrails among `kpis`."""
    if is_draft(objective.state):
        return "draft"
    if objective.state == "closed":
        return result_status(grade_objective(objective).band)
    elapsed = expected_progress(objective.period, on, objective.launched)
    expected = expected_grade(objective.commitment) * elapsed
    progress = objective_progress(objective)
    started = any(has_reading(kr) for kr in objective.key_results)
    status = objective_status_of(
        progress, expected, lowest_confidence(objective), started=started, elapsed=elapsed
    )
    return with_guardrails(status, unhealthy_guardrails(objective, kpi_index(kpis)))[0]
