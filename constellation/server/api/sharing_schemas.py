"""What the sharing endpoints take and return: review requests, dependencies, launches."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import KR_ID, Out, State, Strict

Decision = Literal["pending", "approved", "changes_requested"]
Support = Literal["yes", "partly", "no"]

VERSION_HELP = "The version the caller read; a stale one answers 409 with `current_version`."


class ReviewRequestObjectiveOut(Out):
    """An objective under review."""

    id: str = Field(description="The objective's slug.")
    title: str
    state: State


class ReviewRequestReviewerOut(Out):
    """One reviewer with their answers and decision."""

    person: str = Field(description="The reviewer's username.")
    kind: Literal["leader", "stakeholder"]
    decision: Decision
    comment: str
    answers: dict[str, str] = Field(
        description="Leaders: `alignment_concerns`, `additional_context`, "
        "`cross_functional_gaps`. Stakeholders: `can_support` (yes, partly, no), "
        "`fits_plans`, `work_concerns`."
    )
    answered_at: dt.datetime | None
    version: int = Field(description="Send it back with an answer.")


class LaunchReadinessOut(Out):
    """Whether the set can launch: open, one approval at least, nobody asking for changes."""

    ready: bool
    reasons: list[str] = Field(description="Why not, when it cannot launch yet.")
    approved: int
    changes_requested: int
    pending: int


class ReviewRequestOut(Out):
    """A team's draft for a period sent for review, with every answer."""

    id: int
    team: str = Field(description="The team's slug.")
    period: str
    state: Literal["open", "launched", "withdrawn"]
    round: int = Field(description="1, then one more at each resubmission.")
    version: int = Field(description=VERSION_HELP)
    requested_by: str | None
    message: str
    created_at: dt.datetime
    objectives: list[ReviewRequestObjectiveOut]
    reviewers: list[ReviewRequestReviewerOut]
    readiness: LaunchReadinessOut
    launch: int | None = Field(description="The launch's id once launched.")


class ReviewRequestIn(Strict):
    """Send a team's drafts for review to leaders and stakeholders."""

    team: str = Field(description="The team's slug.")
    period: str | None = Field(None, description="A period key; default: the current period.")
    objectives: list[str] | None = Field(
        None, description="Objective slugs (drafts of the team); default: all its drafts."
    )
    leaders: list[str] = Field(default_factory=list, description="Usernames of leaders.")
    stakeholders: list[str] = Field(
        default_factory=list, description="Usernames of stakeholders, from any team."
    )
    message: str = Field("", max_length=5000)


class ReviewAnswerIn(Strict):
    """The caller's answers to the review questions of their kind, and a decision."""

    version: int = Field(ge=1, description="Your reviewer `version`, from the review request.")
    decision: Literal["approved", "changes_requested"]
    comment: str = Field("", max_length=5000, description="Needed when asking for changes.")
    alignment_concerns: str | None = Field(None, max_length=5000)
    additional_context: str | None = Field(None, max_length=5000)
    cross_functional_gaps: str | None = Field(None, max_length=5000)
    can_support: Support | None = Field(None, description="Stakeholders only; required there.")
    fits_plans: str | None = Field(None, max_length=5000)
    work_concerns: str | None = Field(None, max_length=5000)


class ReviewStateChangeIn(Strict):
    """A state change naming the version of the review request it saw."""

    version: int = Field(ge=1, description=VERSION_HELP)
    message: str = Field("", max_length=5000)


class LaunchOut(Out):
    """A launch: the team's objectives for the period went live."""

    id: int
    team: str
    period: str
    review_request: int | None
    objectives: list[str] = Field(description="Slugs of the launched objectives.")
    by: str | None
    at: dt.datetime
    message: str
    url: str = Field(description="The launch page in the web app.")


class DependencyOut(Out):
    """A team asked another for support on a key result."""

    id: int
    key_result: str = Field(description=KR_ID)
    from_team: str
    to_team: str
    need: str
    needed_by: dt.date | None
    state: Literal["requested", "accepted", "declined"]
    note: str
    requested_by: str | None
    answered_by: str | None
    created_at: dt.datetime
    answered_at: dt.datetime | None
    version: int = Field(description=VERSION_HELP)


class DependencyIn(Strict):
    """Ask another team for support on one of your team's key results."""

    key_result: str = Field(description=KR_ID)
    team: str = Field(description="The slug of the team asked.")
    need: str = Field(max_length=5000, description="What is needed from them.")
    needed_by: dt.date | None = None


class DependencyAnswerIn(Strict):
    """The asked team's answer."""

    version: int = Field(ge=1, description=VERSION_HELP)
    decision: Literal["accept", "decline"]
    note: str = Field("", max_length=5000, description="Needed when declining.")
