"""Periods: a quarter (`YYYY-Qn`) or a year (`YYYY`) with its calendar dates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_PERIOD = re.compile(r"^(?P<year>\d{4})(?:-Q(?P<quarter>[1-4]))?$")


@dataclass(frozen=True, slots=True)
class Period:
    """A planning period with its first and last day (both included)."""

    key: str
    start: date
    end: date

    @property
    def days(self) -> int:
        """How many days the period lasts."""
        return (self.end - self.start).days + 1

    def elapsed(self, on: date) -> float:
        """The share of the period gone by at the end of `on`, clamped to 0..1."""
        if on < self.start:
            return 0.0
        if on >= self.end:
            return 1.0
        return ((on - self.start).days + 1) / self.days

    def next(self) -> Period:
        """The period that follows this one, of the same length."""
        if "-Q" in self.key:
            year, quarter = int(self.key[:4]), int(self.key[-1])
            year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
            return parse_period(f"{year}-Q{quarter}")
        return parse_period(str(int(self.key) + 1))

    def previous(self) -> Period:
        """The period that comes before this one, of the same length."""
        if "-Q" in self.key:
            year, quarter = int(self.key[:4]), int(self.key[-1])
            year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
            return parse_period(f"{year}-Q{quarter}")
        return parse_period(str(int(self.key) - 1))


def is_period(text: object) -> bool:
    """Whether a value is a period key such as `2026-Q3` or `2026`."""
    return isinstance(text, str | int) and bool(_PERIOD.match(str(text)))


def parse_period(text: str | int) -> Period:
    """Read `YYYY-Qn` or `YYYY`; raise ValueError with the expected syntax."""
    match = _PERIOD.match(str(text).strip())
    if not match:
        raise ValueError(f"period {text!r} is not YYYY-Qn (e.g. 2026-Q3) or YYYY (e.g. 2026)")
    year = int(match["year"])
    if match["quarter"]:
        quarter = int(match["quarter"])
        start = date(year, 3 * quarter - 2, 1)
        end_month_start = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
        return Period(f"{year}-Q{quarter}", start, end_month_start - timedelta(days=1))
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


def period_containing(on: date, *, quarter: bool = True) -> Period:
    """The quarter (or year) that contains a day."""
    if quarter:
        return parse_period(f"{on.year}-Q{(on.month - 1) // 3 + 1}")
    return parse_period(str(on.year))
