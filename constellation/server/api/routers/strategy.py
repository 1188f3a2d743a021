"""The strategy over HTTP: vision and mission per year, levers, roadmap items, team readiness.

Everyone in the organisation reads; leaders and admins change the strategy; members (not
viewers) take their team's readiness check. Edits carry the `version` they read: a stale one
gets a 409 with the current version.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Status

from constellation.core.readiness import QUESTIONS, Answers
from constellation.server.api.auth import api_access
from constellation.server.api.schemas import (
    ConflictMessage,
    Message,
    Out,
    Strict,
    ValidationProblems,
)
from constellation.server.errors import NotFound
from constellation.server.orgs.access import access_team, latest_readiness
from constellation.server.orgs.actions import do_record_readiness
from constellation.server.orgs.models import Team, TeamReadiness
from constellation.server.orgs.readiness import advice_of
from constellation.server.strategy import actions
from constellation.server.strategy.access import (
    access_lever,
    access_roadmap_item,
    levers_of,
    roadmap_of,
    roadmap_of_year,
    strategy_in_force,
)
from constellation.server.strategy.models import Lever, RoadmapItem

router = Router(tags=["strategy"])
READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 409: ConflictMessage, 422: ValidationProblems}
Focus = Literal["customer", "business", "both"]
ItemStatus = Literal["planned", "in_progress", "done", "dropped"]
VERSION = "The version you read; 0 when there was none. A stale version gets a 409."


class StrategyOut(Out):
    """A year's vision and mission."""

    year: int
    vision: str
    mission: str
    version: int = Field(description="Send it back with PUT; 0: not written for this year.")
    carried_from: int | None = Field(
        description="When the year has none of its own: the earlier year whose text applies."
    )


class StrategyIn(Strict):
    """A year's new vision and mission."""

    vision: str = Field("", max_length=5000)
    mission: str = Field("", max_length=5000)
    version: int = Field(ge=0, description=VERSION)


class LeverDetail(Out):
    """A strategic bet, with where it stands."""

    id: str = Field(description="The lever's slug, as objectives' `levers` name it.")
    title: str
    description: str
    focus: Focus | None
    retired: bool
    retired_at: str | None
    version: int


class LeverIn(Strict):
    """A new lever; its id is made from the title."""

    title: str = Field(min_length=1, max_length=300)
    description: str = Field("", max_length=5000)
    focus: Focus | None = None


class LeverPatch(Strict):
    """Change a lever; `retired: true` takes it out of the strategy, `false` brings it back."""

    version: int = Field(ge=1, description=VERSION)
    title: str | None = Field(None, min_length=1, max_length=300)
    description: str | None = Field(None, max_length=5000)
    focus: Focus | Literal[""] | None = Field(None, description='`""`: no focus.')
    retired: bool | None = None


class RoadmapItemOut(Out):
    """A piece of planned work under the lever it serves."""

    id: int
    title: str
    lever: str | None = Field(description="The lever's id.")
    period: str | None = Field(description="The target quarter (`2026-Q3`) or year.")
    status: ItemStatus
    version: int


class RoadmapItemIn(Strict):
    """A new roadmap item."""

    title: str = Field(min_length=1, max_length=300)
    lever: str | None = Field(None, description="A lever's id; null: none.")
    period: str | None = Field(None, description="`YYYY-Qn` or `YYYY`; null: not scheduled.")
    status: ItemStatus = "planned"


class RoadmapItemPatch(Strict):
    """Change a roadmap item; send `lever` or `period` as null to clear it."""

    version: int = Field(ge=1, description=VERSION)
    title: str | None = Field(None, min_length=1, max_length=300)
    lever: str | None = None
    period: str | None = None
    status: ItemStatus | None = None


class ReadinessAnswers(Out):
    """A team's answers to the readiness questions."""

    exploratory: bool
    measurable_quarterly: bool
    stable_mission: bool
    outcome_metrics: bool


class ReadinessAdvice(Out):
    """What the answers recommend, and why."""

    kind: Literal["okrs", "experiments", "kpis"]
    headline: str
    reasons: list[str]
    next_steps: list[str]


class ReadinessOut(Out):
    """A team's latest readiness check (none: `version` 0 and nulls)."""

    team: str
    phase: str | None = Field(description="The team's phase, set by the latest check.")
    version: int = Field(description="Send it back with PUT; 0: the team never took the check.")
    questions: dict[str, str]
    answers: ReadinessAnswers | None
    recommendation: ReadinessAdvice | None
    answered_by: str | None
    answered_at: str | None


class ReadinessIn(Strict):
    """Answers to the readiness questions (see `questions` in the GET)."""

    exploratory: bool
    measurable_quarterly: bool
    stable_mission: bool
    outcome_metrics: bool
    version: int = Field(ge=0, description=VERSION)


def _lever_out(lever: Lever) -> dict[str, Any]:
    return {
        "id": lever.slug,
        "title": lever.title,
        "description": lever.description,
        "focus": lever.focus or None,
        "retired": lever.retired_at is not None,
        "retired_at": lever.retired_at.isoformat() if lever.retired_at else None,
        "version": lever.version,
    }


def _item_out(item: RoadmapItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "title": item.title,
        "lever": item.lever.slug if item.lever else None,
        "period": item.period.key if item.period else None,
        "status": item.status,
        "version": item.version,
    }


def _year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise NotFound("No strategy for that year")
    return year


@router.get("/orgs/{org}/strategy/{int:year}", response={200: StrategyOut, **READ})
def get_strategy(request: HttpRequest, org: str, year: int) -> dict[str, Any]:
    """The vision and mission of `year` (or of the latest earlier year, which still applies)."""
    access = api_access(request, org)
    found = strategy_in_force(access.organization, _year(year))
    own = found is not None and found.year == year
    return {
        "year": year,
        "vision": found.vision if found else "",
        "mission": found.mission if found else "",
        "version": found.version if own and found else 0,
        "carried_from": found.year if found and not own else None,
    }


@router.put("/orgs/{org}/strategy/{int:year}", response={200: StrategyOut, **WRITE})
def put_strategy(request: HttpRequest, org: str, year: int, payload: StrategyIn) -> dict[str, Any]:
    """Write the vision and mission of `year` (leaders and admins)."""
    access = api_access(request, org, write=True)
    row = actions.do_save_strategy(
        access,
        _year(year),
        vision=payload.vision,
        mission=payload.mission,
        expected_version=payload.version,
        actor=request.user,
    )
    return {
        "year": row.year,
        "vision": row.vision,
        "mission": row.mission,
        "version": row.version,
        "carried_from": None,
    }


@router.get("/orgs/{org}/strategy/levers", response={200: list[LeverDetail], **READ})
def list_strategy_levers(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """Every lever of the organisation, retired ones included, in their order."""
    access = api_access(request, org)
    return [_lever_out(lever) for lever in levers_of(access)]


@router.post("/orgs/{org}/strategy/levers", response={201: LeverDetail, **WRITE})
def create_lever(request: HttpRequest, org: str, payload: LeverIn) -> Any:
    """Add a lever (leaders and admins)."""
    access = api_access(request, org, write=True)
    lever = actions.do_create_lever(
        access,
        title=payload.title,
        description=payload.description,
        focus=payload.focus or "",
        actor=request.user,
    )
    return Status(201, _lever_out(lever))


@router.patch("/orgs/{org}/strategy/levers/{lever}", response={200: LeverDetail, **WRITE})
def update_lever(request: HttpRequest, org: str, lever: str, payload: LeverPatch) -> Any:
    """Edit, retire or bring back a lever (leaders and admins)."""
    access = api_access(request, org, write=True)
    row = access_lever(access, lever)
    changes = payload.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("focus") is None and "focus" in changes:
        changes["focus"] = ""
    updated = actions.do_update_lever(
        access, row, changes, expected_version=payload.version, actor=request.user
    )
    return _lever_out(updated)


@router.get("/orgs/{org}/strategy/roadmap", response={200: list[RoadmapItemOut], **READ})
def list_roadmap(
    request: HttpRequest,
    org: str,
    year: Annotated[int | None, Query(ge=2000, le=2100, description="Only this year's.")] = None,
) -> list[dict[str, Any]]:
    """Roadmap items: all of them, or those of `year` and the unscheduled ones."""
    access = api_access(request, org)
    if year is not None:
        items = roadmap_of_year(access.organization, year)
    else:
        items = list(roadmap_of(access))
    return [_item_out(item) for item in items]


def _item_changes(access: Any, payload: Strict, fields: set[str]) -> dict[str, Any]:
    """The sent fields as the actions take them: the lever as a row of this organisation."""
    changes = payload.model_dump(include=fields, exclude_unset=True)
    if changes.get("lever") is not None:
        try:
            changes["lever"] = access_lever(access, changes["lever"])
        except Http404:
            raise actions.ActionError("lever", "no such lever in this organisation") from None
    return changes


@router.post("/orgs/{org}/strategy/roadmap", response={201: RoadmapItemOut, **WRITE})
def create_roadmap_item(request: HttpRequest, org: str, payload: RoadmapItemIn) -> Any:
    """Put a piece of work on the roadmap (leaders and admins)."""
    access = api_access(request, org, write=True)
    payload_fields = {"title", "lever", "period", "status"}
    changes: dict[str, Any] = {"lever": None, "period": None, "status": payload.status}
    changes.update(_item_changes(access, payload, payload_fields))
    item = actions.do_create_roadmap_item(access, **changes, actor=request.user)
    return Status(201, _item_out(item))


@router.patch("/orgs/{org}/strategy/roadmap/{int:item}", response={200: RoadmapItemOut, **WRITE})
def update_roadmap_item(
    request: HttpRequest, org: str, item: int, payload: RoadmapItemPatch
) -> dict[str, Any]:
    """Edit a roadmap item: move it to another lever or period, change its status."""
    access = api_access(request, org, write=True)
    row = access_roadmap_item(access, item)
    changes = _item_changes(access, payload, {"title", "lever", "period", "status"})
    updated = actions.do_update_roadmap_item(
        access, row, changes, expected_version=payload.version, actor=request.user
    )
    return _item_out(updated)


def _readiness_out(team: Team, check: TeamReadiness | None) -> dict[str, Any]:
    advice = advice_of(check)
    answers = None
    if check is not None:
        answers = {name: getattr(check, name) for name in QUESTIONS}
    return {
        "team": team.slug,
        "phase": team.phase or None,
        "version": check.version if check else 0,
        "questions": QUESTIONS,
        "answers": answers,
        "recommendation": (
            {
                "kind": advice.kind,
                "headline": advice.headline,
                "reasons": advice.reasons,
                "next_steps": advice.next_steps,
            }
            if advice
            else None
        ),
        "answered_by": check.answered_by.username if check and check.answered_by else None,
        "answered_at": check.answered_at.isoformat() if check else None,
    }


@router.get("/orgs/{org}/teams/{team}/readiness", response={200: ReadinessOut, **READ})
def get_readiness(request: HttpRequest, org: str, team: str) -> dict[str, Any]:
    """The team's latest readiness check and what it recommends, with the questions."""
    access = api_access(request, org)
    found = access_team(access, team)
    return _readiness_out(found, latest_readiness(access, found))


@router.put("/orgs/{org}/teams/{team}/readiness", response={200: ReadinessOut, **WRITE})
def put_readiness(
    request: HttpRequest, org: str, team: str, payload: ReadinessIn
) -> dict[str, Any]:
    """Answer the readiness check: it is stored and sets the team's phase."""
    access = api_access(request, org, write=True)
    found = access_team(access, team)
    answers = Answers(**payload.model_dump(exclude={"version"}))
    check = do_record_readiness(
        access, found, answers, expected_version=payload.version, actor=request.user
    )
    return _readiness_out(found, check)
