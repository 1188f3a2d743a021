"""The plan model: plain dataclasses shared by the OKR file, the coach, scoring and the server.

Nothing here imports Django. The server turns its rows into these objects and calls the same
functions as the command line, so there is one coach and one scoring.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Focus = Literal["customer", "business", "both"]
Direction = Literal["increase", "decrease"]
KrType = Literal["metric", "milestone", "range"]
Commitment = Literal["committed", "aspirational"]
State = Literal["draft", "in_review", "launched", "closed"]
Phase = Literal["exploratory", "growth", "mature"]


@dataclass(slots=True)
class HealthyRange:
    """A healthy range: `<= x`, `>= x` or `a..b` (either bound may be open)."""

    low: float | None = None
    high: float | None = None

    def contains(self, value: float) -> bool:
        """Whether a value lies inside the range, bounds included."""
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)

    def text(self) -> str:
        """The range written back in the file's syntax."""
        if self.low is not None and self.high is not None:
            return f"{_num(self.low)}..{_num(self.high)}"
        if self.low is not None:
            return f">= {_num(self.low)}"
        return f"<= {_num(self.high)}"


def _num(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def parse_healthy(text: str) -> HealthyRange:
    """Read `<= x`, `>= x` or `a..b`; raise ValueError naming the expected forms."""
    raw = str(text).strip().replace(",", "")
    try:
        if raw.startswith("<="):
            return HealthyRange(high=float(raw[2:]))
        if raw.startswith(">="):
            return HealthyRange(low=float(raw[2:]))
        if ".." in raw:
            low_text, high_text = raw.split("..", 1)
            low = float(low_text) if low_text.strip() else None
            high = float(high_text) if high_text.strip() else None
            if low is None and high is None:
                raise ValueError
            if low is not None and high is not None and low > high:
                raise ValueError
            return HealthyRange(low=low, high=high)
    except ValueError:
        pass
    raise ValueError(f"healthy range {text!r} is not one of '<= x', '>= x' or 'a..b' (a <= b)")


@dataclass(slots=True)
class Lever:
    """A strategic bet that objectives are meant to model."""

    id: str
    title: str
    line: int | None = None


@dataclass(slots=True)
class Team:
    """A node of the org chart; never an OKR cascade."""

    id: str
    name: str
    parent: str | None = None
    phase: Phase | None = None
    line: int | None = None


@dataclass(slots=True)
class Kpi:
    """A health measure with a healthy range: watched, not pushed."""

    id: str
    title: str
    unit: str | None = None
    direction: Direction = "increase"
    healthy: HealthyRange | None = None
    current: float | None = None
    line: int | None = None

    def is_healthy(self) -> bool | None:
        """True or False when there is a reading and a range, else None (unknown)."""
        if self.healthy is None or self.current is None:
            return None
        return self.healthy.contains(self.current)


@dataclass(slots=True)
class CheckIn:
    """One reading of a key result: value (or done), confidence 0-10 and a note."""

    on: date
    value: float | None = None
    confidence: int | None = None
    note: str = ""
    done: bool | None = None
    line: int | None = None


@dataclass(slots=True)
class KeyResult:
    """A measurable change: a metric from baseline to target, a milestone, or a kept range."""

    id: str
    title: str
    type: KrType = "metric"
    baseline: float | None = None
    target: float | None = None
    current: float | None = None
    unit: str | None = None
    done: bool | None = None
    kpi: str | None = None
    weight: float = 1.0
    healthy: HealthyRange | None = None
    confidence: int | None = None
    owner: str | None = None
    check_ins: list[CheckIn] = field(default_factory=list)
    line: int | None = None
    id_given: bool = True


@dataclass(slots=True)
class Initiative:
    """Work (an output) expected to move key results."""

    title: str
    moves: list[str] = field(default_factory=list)
    id: str | None = None
    status: str | None = None
    # The person answerable for the work (a member's username), and web addresses of the
    # issues or pull requests that track it (`core.work_links` reads their kind and label).
    owner: str | None = None
    links: list[str] = field(default_factory=list)
    line: int | None = None


@dataclass(slots=True)
class Objective:
    """A qualitative, outcome-oriented goal of one team for one period."""

    id: str
    team: str
    title: str
    period: str
    focus: Focus | None = None
    levers: list[str] = field(default_factory=list)
    aligns_to: list[str] = field(default_factory=list)
    guardrails: list[str] = field(default_factory=list)
    key_results: list[KeyResult] = field(default_factory=list)
    initiatives: list[Initiative] = field(default_factory=list)
    commitment: Commitment = "committed"
    state: State | None = None
    owner: str | None = None
    # The grade its review settled on when it replaces the engine's (0.0 to 1.0), else None.
    grade: float | None = None
    # The day it was launched, when known: its pace counts from the later of this day and the
    # period's first day.
    launched: date | None = None
    line: int | None = None


@dataclass(slots=True)
class Plan:
    """Everything one OKR file (or one organisation on the server) holds for a period."""

    organization: str
    period: str
    version: int = 1
    vision: str | None = None
    mission: str | None = None
    levers: list[Lever] = field(default_factory=list)
    teams: list[Team] = field(default_factory=list)
    kpis: list[Kpi] = field(default_factory=list)
    objectives: list[Objective] = field(default_factory=list)
    has_strategy: bool = False
    path: str | None = None

    def objective(self, objective_id: str) -> Objective | None:
        """The objective with this id, or None."""
        for objective in self.objectives:
            if objective.id == objective_id:
                return objective
        return None

    def kpi(self, kpi_id: str) -> Kpi | None:
        """The KPI with this id, or None."""
        for kpi in self.kpis:
            if kpi.id == kpi_id:
                return kpi
        return None
