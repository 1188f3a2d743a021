"""Objectives: list and detail with scores from the core engine, drafts, edits, alignment."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from constellation.core import scoring
from constellation.server.api import lookups, present
from constellation.server.api.auth import api_access
from constellation.server.api.drafting_schemas import ObjectiveIn
from constellation.server.api.errors import FieldError
from constellation.server.api.periods import PERIOD_HELP, choose_period
from constellation.server.api.schemas import (
    MAX_OFFSET,
    AlignIn,
    AlignmentOut,
    ConflictMessage,
    Message,
    ObjectiveDetail,
    ObjectiveList,
    ObjectiveOut,
    ObjectivePatch,
    State,
    ValidationProblems,
)
from constellation.server.errors import ActionError, NotFound
from constellation.server.kpis.access import kpis_by_slug
from constellation.server.okrs import actions
from constellation.server.okrs.access import access_objective, find_objective_with_period
from constellation.server.okrs.drafting import (
    ObjectiveInput,
    do_create_objective,
    do_delete_objective,
)
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access, find_team
from constellation.server.plans.lists import objectives_page
from constellation.server.plans.scores import period_view
from constellation.server.strategy.access import levers_by_slug
from constellation.server.tracking.access import check_ins_of_objective
from constellation.server.tracking.models import CheckIn

router = Router(tags=["objectives"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
AT_HELP = "Score as of this day (YYYY-MM-DD); default today."
TEAM_HELP = "Only the objectives of this team (its slug)."
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
LIMIT_HELP = f"The most objectives a page holds (1 to {MAX_LIMIT})."


def scored(access: Access, objective: Objective, on: dt.date | None = None) -> dict[str, Any]:
    """One objective as the list shows it, scored by the core engine."""
    view = period_view(
        access.organization,
        objective.period,
        objectives=[objective],
        on=on,
        with_findings=False,
        with_check_ins=False,
    )
    links = present.alignment_slugs(access, [objective.pk])
    return present.objective_out(objective, view.scores.get(objective.slug), *links)


@router.get(
    "/orgs/{org}/objectives",
    response={200: ObjectiveList, **READ, 422: ValidationProblems},
    summary="List a period's objectives with their scores, a page at a time",
)
def list_objectives(
    request: HttpRequest,
    org: str,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
    at: Annotated[dt.date | None, Query(description=AT_HELP)] = None,
    team: Annotated[str | None, Query(description=TEAM_HELP)] = None,
    state: Annotated[State | None, Query(description="Only objectives in this state.")] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=LIMIT_HELP)] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="How many matching objectives to skip.")
    ] = 0,
) -> dict[str, Any]:
    """Objectives with progress, grade and status computed by the same engine as `okr score`.

    Scores are stored with the rows and kept current by every write, so a page is a count and
    a few queries on indexed columns whatever the period's size; `at` scores the page's
    objectives on another day.
    """
    access = api_access(request, org)
    chosen = choose_period(access, period)
    body: dict[str, Any] = {"period": chosen.label, "offset": offset, "limit": limit}
    if chosen.period is None and not chosen.everything:
        return {**body, "count": 0, "next": None, "objectives": []}
    found_team = None
    if team is not None:
        found_team = find_team(access, team)
        if found_team is None:
            raise FieldError("team", f"this organisation has no team {team!r}", source="query")
    page = objectives_page(
        access.organization,
        chosen.period,
        team=found_team,
        state=state,
        offset=offset,
        limit=limit,
        with_check_ins=at is not None,
    )
    rows = page.rows
    scores = rows.scores
    if at is not None and at != timezone.localdate():
        kpis = {kpi.id: kpi for kpi in rows.plan.kpis}
        scores = {o.id: scoring.score_objective(o, at, kpis) for o in rows.plan.objectives}
    data = {objective.id: objective for objective in rows.plan.objectives}
    more = offset + limit < page.count
    return {
        **body,
        "count": page.count,
        "next": _page_address(request, offset + limit) if more else None,
        "objectives": [
            present.record_out(
                r, data[r.slug], scores.get(r.slug), rows.aligns_to, rows.aligned_from
            )
            for r in rows.records
        ],
    }


def _page_address(request: HttpRequest, offset: int) -> str:
    """The address of this request with another offset, every other parameter kept."""
    query = request.GET.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


@router.post(
    "/orgs/{org}/objectives",
    response={201: ObjectiveDetail, **WRITE},
    summary="Create a draft objective (the coach's findings come with it)",
)
def create_objective(
    request: HttpRequest, org: str, payload: ObjectiveIn
) -> Status[dict[str, Any]]:
    """A new objective in state `draft`, modelling the levers named; 422 names each bad field."""
    access = api_access(request, org, write=True)
    data = ObjectiveInput(
        title=payload.title,
        team=lookups.body_team(access, payload.team),
        period=lookups.body_period(access, payload.period),
        owner=lookups.body_member(access, payload.owner),
        focus=payload.focus or "",
        commitment=payload.commitment,
        levers=lookups.rows_by_slug(levers_by_slug, access, payload.levers, "levers"),
        guardrails=lookups.rows_by_slug(kpis_by_slug, access, payload.guardrails, "guardrails"),
        slug=payload.id or "",
    )
    created = do_create_objective(access, data, request.user)
    return Status(201, objective_detail(access, access_objective(access, created.slug)))


@router.get(
    "/orgs/{org}/objectives/{objective}",
    response={200: ObjectiveDetail, **READ},
    summary="One objective with check-in history and coach findings",
)
def get_objective(
    request: HttpRequest,
    org: str,
    objective: str,
    at: Annotated[dt.date | None, Query(description=AT_HELP)] = None,
) -> dict[str, Any]:
    """The objective, each key result's check-ins (oldest first) and what the coach says."""
    access = api_access(request, org)
    return objective_detail(access, access_objective(access, objective), at)


def objective_detail(access: Access, row: Objective, on: dt.date | None = None) -> dict[str, Any]:
    """One prefetched objective with its scores, check-ins and what the coach says."""
    view = period_view(
        access.organization, row.period, objectives=[row], on=on, with_check_ins=False
    )
    findings = view.findings_by_objective.get(row.slug, [])
    history = _history(access, row)
    links = present.alignment_slugs(access, [row.pk])
    return present.objective_detail(row, view.scores.get(row.slug), links, history, findings)


def _history(access: Access, objective: Objective) -> dict[int, list[CheckIn]]:
    """Check-ins of the objective's key results with their authors, oldest first."""
    grouped: dict[int, list[CheckIn]] = defaultdict(list)
    rows = check_ins_of_objective(access, objective)
    # Oldest first, whatever order the access function lists them in (the page's is newest).
    for check_in in sorted(rows, key=lambda c: (c.checked_on, c.pk)):
        grouped[check_in.key_result_id].append(check_in)
    return grouped


@router.patch(
    "/orgs/{org}/objectives/{objective}",
    response={200: ObjectiveOut, **WRITE, 409: ConflictMessage},
    summary="Change an objective (title, focus, commitment, owner)",
)
def patch_objective(
    request: HttpRequest, org: str, objective: str, payload: ObjectivePatch
) -> dict[str, Any]:
    """Apply the changes if `version` is still current; else 409 with `current_version`.

    The same action as the web app's forms: the same refusals, the same history. The state
    is not edited (only the current one is accepted): the lifecycle moves it.
    """
    access = api_access(request, org, write=True)
    row = access_objective(access, objective)
    actions.do_edit_objective(
        access,
        row,
        _edit(access, payload),
        expected_version=payload.version,
        actor=request.user,
        reason=(payload.reason or "").strip(),
    )
    return scored(access, access_objective(access, objective))


def _edit(access: Access, payload: ObjectivePatch) -> actions.ObjectiveEdit:
    """The edit a PATCH body asks for: the fields sent, every other one kept."""
    sent = payload.model_dump(exclude_unset=True)
    edit = actions.ObjectiveEdit()
    for name in ("state", "commitment", "title"):
        if name in sent:
            if sent[name] is None:
                raise FieldError(name, f"{name} cannot be null")
            setattr(edit, name, sent[name])
    if "focus" in sent:
        edit.focus = sent["focus"] or ""
    if "owner" in sent:
        edit.owner = lookups.body_member(access, sent["owner"])
    return edit


@router.delete(
    "/orgs/{org}/objectives/{objective}",
    response={204: None, **WRITE, 409: ConflictMessage},
    summary="Delete an objective (a draft; a launched one with a reason; never a closed one)",
)
def delete_objective(
    request: HttpRequest,
    org: str,
    objective: str,
    version: Annotated[int | None, Query(description="The objective's current version.")] = None,
    reason: Annotated[str, Query(description="Why (needed when it is launched).")] = "",
) -> Status[None]:
    """Delete the objective with its key results, check-ins, initiatives and alignment links if
    `version` is still current; else 409 with `current_version`. A launched objective needs a
    `reason` (a pivot, kept in the history); a closed one is the record of its quarter and is
    refused (422 on `state`). The web app's delete button is the same action."""
    access = api_access(request, org, write=True)
    row = access_objective(access, objective)
    if version is None:  # checked after access, so an outsider learns nothing from a 422
        raise FieldError("version", "send the objective's current `version`", source="query")
    try:
        do_delete_objective(
            access, row, expected_version=version, actor=request.user, reason=reason.strip()
        )
    except ActionError as refused:  # the reason is a query parameter, the state the path's
        if refused.field == "reason":
            raise FieldError("reason", refused.message, source="query") from None
        raise FieldError("objective", refused.message, source="path") from None
    return Status(204, None)


@router.post(
    "/orgs/{org}/objectives/{objective}/aligns-to",
    operation_id="createAlignment",
    response={201: AlignmentOut, 200: AlignmentOut, **WRITE},
    summary="Align an objective to another (a link, never a copy)",
)
def align(
    request: HttpRequest, org: str, objective: str, payload: AlignIn
) -> Status[dict[str, Any]]:
    """Link; 201 when new, 200 when it existed, 422 naming the loop if it would close one."""
    access = api_access(request, org, write=True)
    source = access_objective(access, objective)
    target = find_objective_with_period(access, payload.target)
    if target is None:
        raise FieldError("target", f"no objective {payload.target!r} in this organisation")
    try:
        created = actions.do_align(access, source, target, request.user)
    except actions.ActionError as error:
        raise FieldError("target", error.message) from error
    aligns_to, _ = present.alignment_slugs(access, [source.pk])
    body = {"id": source.slug, "aligns_to": aligns_to.get(source.pk, []), "created": created}
    return Status(201 if created else 200, body)


@router.delete(
    "/orgs/{org}/objectives/{objective}/aligns-to/{target}",
    operation_id="deleteAlignment",
    response={204: None, **READ, 403: Message},
    summary="Remove an alignment link",
)
def unalign(request: HttpRequest, org: str, objective: str, target: str) -> Status[None]:
    """Remove the link objective → target; 404 when there is no such link."""
    access = api_access(request, org, write=True)
    source = access_objective(access, objective)
    other = find_objective_with_period(access, target)
    if other is None or not actions.do_unalign(access, source, other, request.user):
        raise NotFound("No such link")
    return Status(204, None)
