"""What the API takes and returns; every field described so the OpenAPI document reads alone."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, field_validator

# "not_started": launched, nothing checked in yet, early in its calendar; "draft": not launched,
# no pace. A closed objective's status is the band of its final grade (its key results' too).
Status = Literal["on_track", "at_risk", "off_track", "not_started", "draft"]
Focus = Literal["customer", "business", "both"]
State = Literal["draft", "in_review", "launched", "closed"]
Commitment = Literal["committed", "aspirational"]

# OFFSET is a signed 64-bit integer in SQLite and PostgreSQL; a larger offset would crash the
# query, and no list is anywhere near this long.
MAX_OFFSET = 1_000_000_000

KR_ID = (
    "The key result's id: `<objective id>/<key result slug>`, e.g. `activation/week1-activation`. "
    "The same id names the key result in coach findings and in "
    "`POST /orgs/{org}/key-results/{objective}/{key_result}/check-ins`."
)


class Out(BaseModel):
    """An answer built from plain dicts: pydantic alone, without ninja's per-object ORM getter."""


def _refuse_nul(value: Any) -> Any:
    """Refuse a NUL character in a string (or a list of strings)."""
    # PostgreSQL cannot store NUL in text: without this the write fails with a 500.
    texts = value if isinstance(value, list) else [value]
    if any(isinstance(text, str) and "\x00" in text for text in texts):
        raise ValueError("must not contain the NUL character (\\u0000)")
    return value


class Strict(Schema):
    """A request body that refuses fields it does not know (almost always a typo), NULs, and
    numbers that are not finite (`NaN`, `Infinity`, `1e309`)."""

    # A non-finite number cannot be stored on PostgreSQL (a 500) and answers as invalid JSON.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    @field_validator("*", mode="after")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        return _refuse_nul(value)


class Message(Out):
    """An error as RFC 9457 problem details (`application/problem+json`)."""

    type: str = Field(description="`about:blank`: the status says what kind of problem it is.")
    title: str = Field(description="The status's name: `Not Found`, `Forbidden`…")
    status: int = Field(description="The HTTP status code.")
    detail: str = Field(description="What is wrong with this request, for a person.")


class FieldProblem(Out):
    """One bad field of a request."""

    loc: list[str | int] = Field(description='Where: `["body", "confidence"]`, `["query", …]`.')
    path: str = Field(description="A JSON path into the body (`$.confidence`), or a parameter.")
    msg: str
    type: str


class ValidationProblems(Message):
    """The request cannot be used as sent; every bad field is listed under `errors`."""

    errors: list[FieldProblem]


class ConflictMessage(Message):
    """Someone else saved the same object since the caller read it."""

    current_version: int


class OrganizationOut(Out):
    """An organisation the caller belongs to, with the caller's role there."""

    slug: str
    name: str
    role: Literal["admin", "leader", "member", "viewer"]


class TeamOut(Out):
    """A node of the org chart."""

    id: str = Field(description="The team's slug.")
    name: str
    parent: str | None = Field(description="The parent team's slug.")
    phase: str | None


class LeverOut(Out):
    """A strategic bet that objectives model."""

    id: str = Field(description="The lever's slug.")
    title: str
    description: str


class KpiOut(Out):
    """A health measure with its healthy range."""

    id: str = Field(description="The KPI's slug.")
    title: str
    unit: str | None
    direction: Literal["increase", "decrease"]
    healthy_low: float | None
    healthy_high: float | None
    current: float | None
    healthy: bool | None = Field(description="Whether `current` is in range; null if unknown.")


class PeriodOut(Out):
    """A quarter or a year of the organisation's calendar."""

    key: str = Field(description="`2026-Q3` or `2026`.")
    start: dt.date
    end: dt.date
    closed: bool
    current: bool = Field(description="Whether this is the period the API uses by default.")


class KeyResultOut(Out):
    """A key result with its progress and status from the scoring engine."""

    id: str = Field(description=KR_ID)
    slug: str
    title: str
    type: Literal["metric", "milestone", "range"]
    baseline: float | None
    target: float | None
    current: float | None
    unit: str | None
    done: bool | None
    weight: float
    healthy_low: float | None = Field(description="A keep-in-range key result's healthy range.")
    healthy_high: float | None = Field(description="Null: that end of the range is open.")
    confidence: int | None
    progress: float = Field(description="0..1.")
    expected: float | None = Field(description="The progress expected by today (pace), 0..1.")
    status: Status | None


class ObjectiveOut(Out):
    """An objective with its key results, alignment and its score from the scoring engine."""

    id: str = Field(description="The objective's slug, unique in the organisation.")
    title: str
    team: str = Field(description="The team's slug.")
    team_name: str
    period: str
    state: State
    commitment: Commitment
    focus: Focus | None
    owner: str | None = Field(description="The owner's username.")
    levers: list[str]
    aligns_to: list[str] = Field(description="Ids of the objectives this one aligns to.")
    aligned_from: list[str] = Field(description="Ids of the objectives that align to this one.")
    guardrails: list[str] = Field(description="Slugs of the KPIs that must stay healthy.")
    progress: float = Field(description="Weighted progress of the key results, 0..1.")
    grade: float | None = Field(description="0.0..1.0, one decimal.")
    band: Literal["red", "yellow", "green"] | None
    expected: float | None = Field(
        description="The progress expected by today (pace, counted from the later of the "
        "period's start and the launch), 0..1; null for a draft."
    )
    status: Status | None
    status_reason: str | None = Field(
        description="Why the status is worse than the pace alone (an unhealthy guardrail)."
    )
    version: int = Field(description="Send it back with PATCH; a stale version gets a 409.")
    key_results: list[KeyResultOut]


class ObjectiveList(Out):
    """One page of a period's objectives (or of all of them), in the organisation's order."""

    period: str | None = Field(description="The period shown; `all`; null if there is none.")
    count: int = Field(description="How many objectives match the filters, before paging.")
    offset: int = Field(description="How many matching objectives come before this page.")
    limit: int = Field(description="The most objectives a page holds.")
    next: str | None = Field(
        description="The address of the next page (same filters), or null on the last page."
    )
    objectives: list[ObjectiveOut]


class CheckInOut(Out):
    """One reading of a key result."""

    id: int
    key_result: str = Field(description=KR_ID)
    date: dt.date
    value: float | None
    done: bool | None
    confidence: int | None
    note: str
    author: str | None = Field(description="The author's username.")
    automatic: bool = Field(
        False, description="Recorded by the key result's data source, not typed by a person."
    )
    created_at: dt.datetime
    version: int = Field(description="Send it back to correct or delete the check-in.")


class FindingOut(Out):
    """What the coach says, as `okr lint --format json` does."""

    rule: str
    severity: Literal["error", "warning", "info"]
    object: str | None
    line: int | None
    message: str
    hint: str


LinkKind = Literal["jira", "github", "gitlab", "linear", "other"]
InitiativeStatus = Literal["planned", "in_progress", "done", "dropped"]


class WorkLinkOut(Out):
    """A link from an initiative to the work that tracks it."""

    url: str = Field(description="The web address, as given.")
    kind: LinkKind = Field(description="The tracker it points at, read from the address.")
    label: str = Field(
        description='A short name read from the address: "ABC-123" (Jira, Linear), '
        '"owner/repo#42" (GitHub, GitLab issues), "group/project!5" (GitLab merge requests), '
        "else the address without its scheme."
    )


class InitiativeOut(Out):
    """Work expected to move key results."""

    id: str | None = Field(description="Its id (a slug); null for one imported without an id.")
    number: int = Field(description="Its numeric id, unique in the organisation.")
    title: str
    description: str = ""
    status: InitiativeStatus | None = Field(description="Null when none was given (an import).")
    owner: str | None = Field(None, description="The owner's username; null: nobody yet.")
    moves: list[str] = Field(description="Ids of the key results it moves (see `KR_ID`).")
    links: list[WorkLinkOut] = Field(default_factory=list)
    version: int = Field(description="Send it back with PATCH or DELETE; a stale one gets a 409.")


class KeyResultDetail(KeyResultOut):
    """A key result with its check-in history (oldest first) and the coach's findings on it."""

    check_ins: list[CheckInOut]
    findings: list[FindingOut]
    version: int = Field(description="Send it back with PATCH; a stale version gets a 409.")


class ObjectiveDetail(ObjectiveOut):
    """An objective with check-in history per key result, initiatives and coach findings."""

    # The detail's key results are the richer kind: a narrower type than the summary's list.
    key_results: list[KeyResultDetail]  # type: ignore[assignment]
    initiatives: list[InitiativeOut]
    findings: list[FindingOut] = Field(description="Findings on the objective and its KRs.")


class ObjectivePatch(Strict):
    """Change an objective; `version` is the one you read (a stale one gets a 409)."""

    version: int = Field(description="The objective's version when you read it.")
    title: str | None = Field(None, min_length=1, max_length=300)
    focus: Focus | Literal[""] | None = Field(None, description='`""` or null: no focus.')
    state: State | None = Field(
        None,
        description="Only the current state is accepted: the lifecycle moves it (send the "
        "drafts for review, launch the review; the quarterly review closes them). Any other "
        "state is a 422 on `state` saying how to launch.",
    )
    commitment: Commitment | None = None
    owner: str | None = Field(None, description="A member's username; null: no owner.")
    reason: str | None = Field(
        None,
        max_length=2000,
        description="Why it changes: required once the objective is launched (a pivot); "
        "kept in the objective's history.",
    )


class AlignIn(Strict):
    """The objective this one should align to."""

    target: str = Field(description="The id of the objective to align to.", min_length=1)


class AlignmentOut(Out):
    """An objective's alignment after a change."""

    id: str
    aligns_to: list[str]
    created: bool = Field(description="False when the link already existed.")


class CheckInIn(Strict):
    """A check-in: a value (metric) or done (milestone), a confidence 0-10 and a note."""

    value: float | None = Field(None, description="The key result's new current value.")
    confidence: int | None = Field(None, ge=0, le=10, description="0 (no chance) to 10 (sure).")
    note: str = Field("", max_length=5000)
    done: bool | None = Field(None, description="For a milestone.")
    date: dt.date | None = Field(None, description="The day of the reading; default today.")


class CheckInPatch(Strict):
    """A correction of a check-in (its author or an admin): the fields sent change."""

    version: int = Field(description="The check-in's version you started from (409 if stale).")
    value: float | None = Field(None, description="The corrected value.")
    confidence: int | None = Field(None, ge=0, le=10, description="0 (no chance) to 10 (sure).")
    note: str | None = Field(None, max_length=5000)
    done: bool | None = Field(None, description="For a milestone.")


class ObjectiveScoreOut(Out):
    """An objective's score after a change."""

    id: str
    progress: float
    grade: float | None
    status: Status | None
    status_reason: str | None = Field(
        description="Why the status is worse than the pace alone (an unhealthy guardrail)."
    )
    version: int


class CheckInCreated(Out):
    """The new check-in, the key result it moved and its objective's new score."""

    check_in: CheckInOut
    key_result: KeyResultOut
    objective: ObjectiveScoreOut


class CheckInCorrected(Out):
    """The corrected check-in, its key result as it now reads and its objective's score."""

    check_in: CheckInOut
    key_result: KeyResultOut
    objective: ObjectiveScoreOut


class LintFile(Out):
    """The findings of one plan: `<org slug>/<period>`."""

    path: str
    findings: list[FindingOut]


class LintOut(Out):
    """The coach's findings, shaped as `okr lint --format json`."""

    files: list[LintFile]


class TokenOut(Out):
    """A personal access token (never its plaintext)."""

    id: int
    name: str
    hint: str = Field(description="The token's last characters, to tell tokens apart.")
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked: bool
    scope: Literal["read", "write"] = Field(
        description="read: GET only; write: acts with the owner's full role."
    )
    expires_at: dt.datetime | None = Field(description="None: lives until revoked.")


class TokenIn(Strict):
    """A new token: a name to recognise it later, its scope and optional lifetime."""

    name: str = Field("", max_length=100)
    scope: Literal["read", "write"] = Field(
        "read", description="read (the default) may only GET; write may change what its owner can."
    )
    expires_in_days: int | None = Field(
        None, ge=1, le=366, description="Days until it stops working; omitted: until revoked."
    )


class TokenCreated(TokenOut):
    """A new token: `token` is shown this once and stored only hashed."""

    token: str
    usage: str


class NotificationOut(Out):
    """One of the caller's notifications."""

    id: int
    kind: Literal[
        "review_request",
        "review_answer",
        "dependency",
        "launch",
        "aligned_change",
        "reminder",
        "other",
    ]
    title: str
    body: str
    url: str = Field(description="A path in the web app, e.g. `/o/acme/objectives/activation/`.")
    actor: str | None = Field(description="Username of who caused it; null for the system.")
    created_at: dt.datetime
    read: bool
    read_at: dt.datetime | None


class NotificationList(Out):
    """A page of the caller's notifications, newest first."""

    count: int = Field(description="How many match the filter, across all pages.")
    unread: int = Field(description="How many of the caller's notifications here are unread.")
    items: list[NotificationOut]


class NotificationsRead(Out):
    """How many notifications were marked read."""

    marked: int
    unread: int = Field(description="How many remain unread (0 after read-all).")
