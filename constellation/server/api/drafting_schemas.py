"""What the drafting endpoints take: a new objective, a new key result, a key result's changes."""

from __future__ import annotations

from typing import Literal

from ninja import Field

from constellation.server.api.schemas import Commitment, Focus, Strict

HEALTHY = (
    "A keep-in-range (`range`) key result's healthy range, which it needs: null leaves that "
    "end open."
)
KrType = Literal["metric", "milestone", "range"]
REASON = "Why it changes: required once the objective is launched (a pivot); kept in its history."
NUMBERS_READ = (
    "Left out on a metric, it is read from the statement when the statement states it "
    '("Raise activation from 34% to 50%" gives 34, 50 and %).'
)


class ObjectiveIn(Strict):
    """A new draft objective; its id is made from the title unless `id` is given."""

    title: str = Field(min_length=1, max_length=300)
    team: str = Field(description="The team's slug.")
    period: str | None = Field(
        None, description="A period key (`2026-Q4`, `2026`); default: the current period."
    )
    id: str | None = Field(
        None,
        max_length=60,
        pattern=r"^[-a-zA-Z0-9_]+$",
        description="The objective's id (a slug); made unique with -2, -3… when taken.",
    )
    owner: str | None = Field(None, description="A member's username; null: no owner yet.")
    focus: Focus | None = None
    commitment: Commitment = "committed"
    levers: list[str] = Field([], description="Ids of the levers the objective models.")
    guardrails: list[str] = Field([], description="Slugs of KPIs that must stay healthy.")


class KeyResultIn(Strict):
    """A new key result of an objective; its slug is made from the statement."""

    title: str = Field(min_length=1, max_length=300, description="The statement.")
    type: KrType = "metric"
    baseline: float | None = Field(None, description=NUMBERS_READ)
    target: float | None = Field(None, description=NUMBERS_READ)
    unit: str | None = Field(None, max_length=30, description=NUMBERS_READ)
    weight: float = Field(1.0, gt=0)
    owner: str | None = Field(None, description="A member's username; null: nobody yet.")
    kpi: str | None = Field(None, description="The slug of a KPI the key result moves.")
    healthy_low: float | None = Field(None, description=HEALTHY)
    healthy_high: float | None = Field(None, description=HEALTHY)
    reason: str | None = Field(None, max_length=2000, description=REASON)


class KeyResultPatch(Strict):
    """Change a key result; only the fields sent change. `version` is the one you read."""

    version: int = Field(ge=1, description="The key result's version when you read it.")
    title: str | None = Field(
        None,
        min_length=1,
        max_length=300,
        description="A new statement; a baseline, target or unit not sent and not saved yet "
        "is read from it.",
    )
    type: KrType | None = None
    baseline: float | None = None
    target: float | None = None
    unit: str | None = Field(None, max_length=30)
    weight: float | None = Field(None, gt=0)
    owner: str | None = Field(None, description="A member's username; null: nobody.")
    kpi: str | None = Field(None, description="A KPI's slug; null: none.")
    healthy_low: float | None = Field(None, description=HEALTHY)
    healthy_high: float | None = Field(None, description=HEALTHY)
    reason: str | None = Field(None, max_length=2000, description=REASON)
