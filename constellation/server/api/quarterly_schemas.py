"""What the quarterly review endpoints take and answer: an objective's quarterly review,
reflections, learnings, initiative results and finishing a team's quarterly review.

"Quarterly" is in the names that would otherwise say only "review": sharing's review
*requests* are another thing.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import KR_ID, Out, Strict

Decision = Literal["done", "carry_over", "drop", "rethink"]
Outcome = Literal["worked", "partly", "did_not_work", "unknown"]
TEXT = 5000
VERSION = "The version you read (0 when there was none yet); a stale one answers 409."
INITIATIVE_ID = "The initiative's numeric id (as the objective's detail lists it)."


class QuarterlyReviewOut(Out):
    """An objective's quarterly review: the engine's grade, the override and the decision."""

    objective: str = Field(description="The objective's id.")
    team: str
    period: str
    computed_grade: float = Field(description="The core engine's grade, as `okr score` gives.")
    grade_override: float | None = Field(description="The reviewer's grade, if changed.")
    override_reason: str
    grade: float = Field(description="The grade that counts: the override, else the computed.")
    decision: Decision | None = Field(description="Null until a decision is taken.")
    note: str
    reviewer: str | None = Field(description="The reviewer's username.")
    reviewed_at: dt.datetime | None
    version: int = Field(description="0 while the objective is not reviewed yet.")
    carried_to: str | None = Field(description="The id of its draft in the next period, if any.")


class QuarterlyReviewIn(Strict):
    """The review to save; a grade other than the computed one needs `override_reason`."""

    version: int = Field(ge=0, description=VERSION)
    grade_override: float | None = Field(
        None, ge=0, le=1, description="Null (or the computed grade) keeps the engine's grade."
    )
    override_reason: str = Field("", max_length=TEXT)
    decision: Decision | None = None
    note: str = Field("", max_length=TEXT)


class ReflectionOut(Out):
    """A team's answers to the three retrospective prompts of a period."""

    team: str
    period: str
    learned: str = Field(description="What did we learn?")
    surprised: str = Field(description="What surprised us?")
    differently: str = Field(description="What would we do differently?")
    author: str | None
    updated_at: dt.datetime | None
    version: int = Field(description="0 while nothing is saved yet.")


class ReflectionIn(Strict):
    """The reflection to save (every prompt is replaced)."""

    version: int = Field(ge=0, description=VERSION)
    learned: str = Field("", max_length=TEXT)
    surprised: str = Field("", max_length=TEXT)
    differently: str = Field("", max_length=TEXT)


class LearningOut(Out):
    """One thing a team learnt in a period."""

    id: int
    team: str
    period: str
    text: str
    tags: list[str]
    objective: str | None = Field(description="The objective's id.")
    key_result: str | None = Field(description=KR_ID)
    initiative: int | None = Field(description=INITIATIVE_ID)
    initiative_title: str | None
    author: str | None
    created_at: dt.datetime


class LearningIn(Strict):
    """A learning of a team's period, about a key result and/or an initiative if given."""

    team: str = Field(description="The team's slug.")
    period: str = Field(description="A period key (`2026-Q4`).")
    text: str = Field(min_length=1, max_length=TEXT)
    tags: list[str] = Field([], max_length=30)
    key_result: str | None = Field(None, description=KR_ID)
    initiative: int | None = Field(None, description=INITIATIVE_ID)


class Page(Out):
    """Where a page sits in the filtered list."""

    count: int = Field(description="How many rows match the filters, before paging.")
    offset: int = Field(description="How many matching rows come before this page.")
    limit: int = Field(description="The most rows a page holds.")
    next: str | None = Field(description="The next page's address (same filters), or null.")


class LearningList(Page):
    """One page of learnings, newest first."""

    learnings: list[LearningOut]


class InitiativeResultOut(Out):
    """What an initiative was expected to do to a key result, and what it did."""

    id: int
    team: str
    period: str
    initiative: int | None = Field(description="Null once the initiative is deleted.")
    initiative_title: str
    key_result: str | None = Field(description=KR_ID)
    key_result_title: str
    expected_effect: str
    expected_value: float | None
    observed_effect: str
    observed_value: float | None
    outcome: Outcome
    note: str
    author: str | None
    created_at: dt.datetime


class InitiativeResultIn(Strict):
    """An initiative's result; the initiative and key result are the team's, of the period."""

    team: str = Field(description="The team's slug.")
    period: str = Field(description="A period key (`2026-Q4`).")
    initiative: int = Field(description=INITIATIVE_ID)
    key_result: str | None = Field(None, description=KR_ID)
    expected_effect: str = Field("", max_length=TEXT)
    expected_value: float | None = None
    observed_effect: str = Field("", max_length=TEXT)
    observed_value: float | None = None
    outcome: Outcome = "unknown"
    note: str = Field("", max_length=TEXT)


class InitiativeResultList(Page):
    """One page of initiative results, newest first."""

    results: list[InitiativeResultOut]


class FinishIn(Strict):
    """Finish a team's review; `versions` refuses it if a decision changed since you read it."""

    versions: dict[str, int] = Field(
        {}, description="Objective id → the review version you read (optional)."
    )


class CarriedOut(Out):
    """A draft made in the next period from an objective of the review."""

    id: str = Field(description="The new draft's id.")
    carried_from: str = Field(description="The reviewed objective's id.")
    key_results: bool = Field(description="False for a `rethink`: carried without key results.")


class FinishOut(Out):
    """What finishing did."""

    team: str
    period: str
    next_period: str | None
    closed: list[str] = Field(description="Ids of the objectives closed now.")
    carried: list[CarriedOut]


class ReopenIn(Strict):
    """Reopen a finished review (admins only), saying why."""

    reason: str = Field(
        "", max_length=TEXT, description="Why the review is reopened (required, shown with it)."
    )


class ReopenOut(Out):
    """A reopened review: it takes changes again until it is finished again."""

    team: str
    period: str
    open: bool = Field(description="True until the review is finished again.")
    reason: str
    reopened_by: str | None = Field(description="The admin's username.")
    reopened_at: dt.datetime
