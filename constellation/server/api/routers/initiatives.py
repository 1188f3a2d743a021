"""Initiatives over the API: an objective's initiatives listed, read, added, changed (owner,
status, links to the work that tracks them), pointed at key results and deleted.

The same actions as the web app's initiative drawers (`okrs.initiatives`): the same refusals,
the same history. `{initiative}` is the initiative's id (slug), or its `number` for one
imported without an id.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.initiative_schemas import (
    InitiativeIn,
    InitiativeMovesIn,
    InitiativePatch,
)
from constellation.server.api.lookups import body_member
from constellation.server.api.present import initiative_out
from constellation.server.api.schemas import (
    ConflictMessage,
    InitiativeOut,
    Message,
    ValidationProblems,
)
from constellation.server.errors import ActionError, NotFound
from constellation.server.okrs import initiatives as actions
from constellation.server.okrs.access import (
    access_initiative_named,
    access_initiative_of,
    access_objective_with_key_results,
    initiatives_of_objective,
)
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.orgs.access import Access

router = Router(tags=["initiatives"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
INITIATIVES = "/orgs/{org}/objectives/{objective}/initiatives"
ONE = INITIATIVES + "/{initiative}"


def _moves(objective: Objective, slugs: list[str]) -> list[KeyResult]:
    """The objective's key results named by `slugs`; 422 naming the first unknown one."""
    by_slug = {kr.slug: kr for kr in objective.key_results.all()}
    for slug in slugs:
        if slug not in by_slug:
            known = ", ".join(sorted(by_slug)) or "none yet"
            raise FieldError("moves", f"no key result {slug!r} in this objective (it has {known})")
    return [by_slug[slug] for slug in dict.fromkeys(slugs)]


def _initiative(access: Access, objective: Objective, ref: str) -> Initiative:
    """The objective's initiative with this id, or this number when none has that id."""
    try:
        return access_initiative_named(access, objective, ref)
    except NotFound:
        if not (ref.isascii() and ref.isdigit() and len(ref) <= 18):
            raise
        return access_initiative_of(access, objective, int(ref))


def _out(access: Access, objective: Objective, initiative: Initiative) -> dict[str, Any]:
    """The initiative as saved now, with its owner, links and moves."""
    fresh = access_initiative_of(access, objective, initiative.pk)
    return initiative_out(objective.slug, fresh)


@router.get(
    INITIATIVES,
    operation_id="listInitiatives",
    response={200: list[InitiativeOut], **READ},
    summary="List an objective's initiatives in their order, with owners, statuses and links",
)
def list_initiatives(request: HttpRequest, org: str, objective: str) -> list[dict[str, Any]]:
    """Every initiative of the objective, read in a fixed number of queries."""
    access = api_access(request, org)
    row = access_objective_with_key_results(access, objective)
    return [initiative_out(row.slug, i) for i in initiatives_of_objective(access, row)]


@router.post(
    INITIATIVES,
    operation_id="createInitiative",
    response={201: InitiativeOut, **WRITE},
    summary="Add an initiative: work expected to move some of the objective's key results",
)
def create_initiative(
    request: HttpRequest, org: str, objective: str, payload: InitiativeIn
) -> Status[dict[str, Any]]:
    """The same action as the web app's "Add an initiative" drawer."""
    access = api_access(request, org, write=True)
    row = access_objective_with_key_results(access, objective)
    data = actions.InitiativeInput(
        title=payload.title,
        moves=_moves(row, payload.moves),
        description=payload.description,
        owner=body_member(access, payload.owner),
        status=payload.status,
        links=payload.links,
    )
    created = actions.do_create_initiative(access, row, data, request.user)
    return Status(201, _out(access, row, created))


@router.get(
    ONE,
    operation_id="getInitiative",
    response={200: InitiativeOut, **READ},
    summary="One initiative with its owner, status, links and the key results it moves",
)
def get_initiative(
    request: HttpRequest, org: str, objective: str, initiative: str
) -> dict[str, Any]:
    """The initiative as its objective's page shows it."""
    access = api_access(request, org)
    row = access_objective_with_key_results(access, objective)
    return initiative_out(row.slug, _initiative(access, row, initiative))


def _edit(access: Access, sent: dict[str, Any]) -> actions.InitiativeEdit:
    """The edit a PATCH body asks for: the fields sent, every other one kept."""
    edit = actions.InitiativeEdit()
    for name in ("title", "description", "status", "links"):
        if name in sent:
            if sent[name] is None:
                raise FieldError(name, f"{name} cannot be null")
            setattr(edit, name, sent[name])
    if "owner" in sent:
        edit.owner = body_member(access, sent["owner"])
    return edit


@router.patch(
    ONE,
    operation_id="updateInitiative",
    response={200: InitiativeOut, **WRITE, 409: ConflictMessage},
    summary="Change an initiative: title, description, owner, status or links",
)
def update_initiative(
    request: HttpRequest, org: str, objective: str, initiative: str, payload: InitiativePatch
) -> dict[str, Any]:
    """Apply the changes if `version` is still current; else 409 with `current_version`.
    `links`, when sent, replaces the saved list."""
    access = api_access(request, org, write=True)
    row = access_objective_with_key_results(access, objective)
    found = _initiative(access, row, initiative)
    sent = payload.model_dump(exclude_unset=True)
    actions.do_update_initiative(
        access,
        found,
        _edit(access, sent),
        expected_version=payload.version,
        actor=request.user,
    )
    return _out(access, row, found)


@router.delete(
    ONE,
    operation_id="deleteInitiative",
    response={204: None, **WRITE, 409: ConflictMessage},
    summary="Delete an initiative and its links (the history keeps what it was)",
)
def delete_initiative(
    request: HttpRequest,
    org: str,
    objective: str,
    initiative: str,
    version: int | None = None,
    reason: str = "",
) -> Status[None]:
    """Delete the initiative if `version` (query) is still current; else 409 with
    `current_version`. A launched objective's initiative needs a `reason` (a pivot), as its
    key results do."""
    access = api_access(request, org, write=True)
    row = access_objective_with_key_results(access, objective)
    found = _initiative(access, row, initiative)
    if version is None:  # checked after access, so an outsider learns nothing from a 422
        raise FieldError("version", "send the initiative's current `version`", source="query")
    try:
        actions.do_delete_initiative(
            access, found, expected_version=version, actor=request.user, reason=reason.strip()
        )
    except ActionError as refused:  # the reason is a query parameter here
        raise FieldError(refused.field, refused.message, source="query") from None
    return Status(204, None)


@router.put(
    ONE + "/moves",
    response={200: InitiativeOut, **WRITE},
    summary="Choose the key results an initiative is expected to move",
)
def put_initiative_moves(
    request: HttpRequest, org: str, objective: str, initiative: str, payload: InitiativeMovesIn
) -> dict[str, Any]:
    """Replace what the initiative is expected to move (the web app's same action)."""
    access = api_access(request, org, write=True)
    row = access_objective_with_key_results(access, objective)
    found = _initiative(access, row, initiative)
    actions.do_set_initiative_moves(access, found, _moves(row, payload.moves), request.user)
    return _out(access, row, found)
