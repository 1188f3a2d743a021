"""The demo's weekly check-ins: a deterministic trajectory for each key result.

Each reading depends only on the key result's key and the day (a seeded random), so a demo
built today and one topped up week by week hold exactly the same check-ins.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta

from constellation.core.periods import Period
from constellation.server.demo.content import NOTES_BEHIND, NOTES_ON_TRACK, KrSpec

# The demo organisation checks in on Mondays (Organization.checkin_weekday's default).
CHECK_IN_WEEKDAY = 0
# Paces given to key results that do not name theirs: most on track, some behind, one stalled.
_PACES = (1.2, 1.15, 1.1, 1.05, 1.0, 1.0, 0.95, 0.9, 0.75)
# Confidence people report at a pace: (lowest pace, confidence), fastest first.
_CONFIDENCE = ((0.95, 8), (0.85, 7), (0.7, 6), (0.5, 5), (0.0, 3))


@dataclass(frozen=True, slots=True)
class Reading:
    """One generated check-in."""

    on: date
    value: float | None
    done: bool | None
    confidence: int
    note: str


def check_in_days(period: Period, today: date) -> list[date]:
    """The check-in days of a period up to today, plus its last day once it is over."""
    first = period.start + timedelta(days=(CHECK_IN_WEEKDAY - period.start.weekday()) % 7)
    last = min(period.end, today)
    days: list[date] = []
    day = first
    while day <= last:
        days.append(day)
        day += timedelta(weeks=1)
    if today >= period.end and (not days or days[-1] != period.end):
        days.append(period.end)
    return days


def pace_of(key: str, spec: KrSpec) -> float:
    """How fast a key result moves: its own pace, else one drawn from its key."""
    if spec.pace is not None:
        return spec.pace
    return random.Random(key).choice(_PACES)


def _places(value: float | None) -> int:
    if value is None or float(value).is_integer():
        return 0
    return len(repr(float(value)).split(".")[1])


def _decimals(spec: KrSpec) -> int:
    """Decimals that look natural for a key result's values (78.4%, $2.65, 1,180)."""
    if spec.decimals is not None:
        return spec.decimals
    places = max(_places(spec.baseline), _places(spec.target))
    if spec.baseline is not None and spec.target is not None:
        places += abs(spec.target - spec.baseline) < 10
    return min(places, 2)


def _confidence(pace: float, rng: random.Random) -> int:
    base = next(level for lowest, level in _CONFIDENCE if pace >= lowest)
    # People on pace rarely talk their confidence down; those behind waver both ways.
    return base + rng.choice((0, 0, 1) if base >= 7 else (-1, 0, 0, 1))


def _note(pace: float, rng: random.Random) -> str:
    if rng.random() < 0.4:
        return ""
    return rng.choice(NOTES_ON_TRACK if pace >= 0.9 else NOTES_BEHIND)


def reading(key: str, spec: KrSpec, period: Period, day: date) -> Reading:
    """The check-in a key result gets on a day of its period."""
    pace = pace_of(key, spec)
    rng = random.Random(f"{key}:{day.isoformat()}")
    expected = pace * period.elapsed(day)
    confidence = _confidence(pace, rng)
    note = _note(pace, rng)
    if spec.type == "milestone":
        return Reading(day, None, expected >= 1.0, confidence, note)
    if spec.type == "range":
        low = spec.healthy_low or 0.0
        return Reading(day, round(low + rng.uniform(-0.01, 0.08), 2), None, 8, note)
    baseline, target = spec.baseline or 0.0, spec.target or 0.0
    progress = max(-0.05, min(1.08, expected + rng.gauss(0, 0.03)))
    value = round(baseline + (target - baseline) * progress, _decimals(spec))
    return Reading(day, value, None, confidence, note)


def readings(key: str, spec: KrSpec, period: Period, days: list[date]) -> list[Reading]:
    """The check-ins of a key result on each of these days."""
    return [reading(key, spec, period, day) for day in days]


def kpi_values(slug: str, first: float, last: float, days: list[date]) -> list[float]:
    """Weekly KPI readings drifting from `first` to `last` (the current value)."""
    if not days:
        return []
    values = []
    for i, day in enumerate(days):
        share = i / (len(days) - 1) if len(days) > 1 else 1.0
        noise = random.Random(f"{slug}:{day.isoformat()}").uniform(-0.02, 0.02)
        values.append(round(first + (last - first) * share + (noise if share < 1 else 0), 2))
    return values
