"""Drafting over the API: key results added to an objective, changed and deleted (initiatives
are `routers/initiatives.py`').

Each answer carries what the coach says about the key result, as the web app's live coach does,
so a client sees a key result that reads as an output flagged the moment it is written.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.drafting_schemas import KeyResultIn, KeyResultPatch
from constellation.server.api.errors import FieldError
from constellation.server.api.lookups import body_kpi, body_member
from constellation.server.api.present import kr_id
from constellation.server.api.routers.okrs import objective_detail
from constellation.server.api.schemas import (
    ConflictMessage,
    KeyResultDetail,
    Message,
    ValidationProblems,
)
from constellation.server.errors import ActionError
from constellation.server.okrs import drafting
from constellation.server.okrs.access import access_key_result, access_objective
from constellation.server.okrs.actions import KEEP, KeyResultEdit, do_edit_key_result
from constellation.server.okrs.models import KeyResult
from constellation.server.okrs.statements import MEASURE, fill_measure
from constellation.server.orgs.access import Access

router = Router(tags=["drafting"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
KR_PATH = "/orgs/{org}/key-results/{objective}/{key_result}"


def _key_result_out(access: Access, objective_slug: str, kr_slug: str) -> dict[str, Any]:
    """The key result as the objective's detail shows it, with its findings and version."""
    detail = objective_detail(access, access_objective(access, objective_slug))
    return next(item for item in detail["key_results"] if item["slug"] == kr_slug)


@router.post(
    "/orgs/{org}/objectives/{objective}/key-results",
    response={201: KeyResultDetail, **WRITE},
    summary="Add a key result to an objective (the coach's findings on it come with it)",
)
def create_key_result(
    request: HttpRequest, org: str, objective: str, payload: KeyResultIn
) -> Status[dict[str, Any]]:
    """A metric's baseline, target and unit left out are read from the statement."""
    access = api_access(request, org, write=True)
    row = access_objective(access, objective)
    values = payload.model_dump()
    if payload.type == KeyResult.Type.METRIC:
        fill_measure(values, names=[name for name in MEASURE if values[name] is None])
    data = drafting.KeyResultInput(
        title=payload.title,
        type=payload.type,
        baseline=values["baseline"],
        target=values["target"],
        unit=values["unit"] or "",
        weight=payload.weight,
        owner=body_member(access, payload.owner),
        kpi=body_kpi(access, payload.kpi),
        healthy_low=payload.healthy_low,
        healthy_high=payload.healthy_high,
    )
    created = drafting.do_create_key_result(
        access, row, data, request.user, (payload.reason or "").strip()
    )
    return Status(201, _key_result_out(access, row.slug, created.slug))


def _edit(access: Access, saved: KeyResult, sent: dict[str, Any]) -> KeyResultEdit:
    """The edit a PATCH body asks for: the fields sent, every other one kept."""
    edit = KeyResultEdit()
    for name in ("title", "type", "weight"):
        if name in sent:
            if sent[name] is None:
                raise FieldError(name, f"{name} cannot be null")
            setattr(edit, name, sent[name])
    for name in MEASURE:
        if name in sent:
            setattr(edit, name, sent[name] if name != "unit" else sent[name] or "")
    for name in ("healthy_low", "healthy_high"):
        if name in sent:
            setattr(edit, name, sent[name])
    if "owner" in sent:
        edit.owner = body_member(access, sent["owner"])
    if "kpi" in sent:
        edit.kpi = body_kpi(access, sent["kpi"])
    if "title" in sent and (sent.get("type") or saved.type) == KeyResult.Type.METRIC:
        _read_statement(saved, sent, edit)
    return edit


def _read_statement(saved: KeyResult, sent: dict[str, Any], edit: KeyResultEdit) -> None:
    """A metric's new statement fills the numbers neither sent nor saved, as the web form does:
    numbers the person gave, now or before, are never overwritten."""
    values = {
        name: getattr(saved, name) if getattr(edit, name) is KEEP else getattr(edit, name)
        for name in ("title", *MEASURE)
    }
    missing = [name for name in MEASURE if name not in sent and values[name] in (None, "")]
    fill_measure(values, names=missing)
    for name in missing:
        if values[name] not in (None, ""):
            setattr(edit, name, values[name])


@router.get(
    KR_PATH,
    operation_id="getKeyResult",
    response={200: KeyResultDetail, **READ},
    summary="One key result with its score, check-ins and the coach's findings on it",
)
def get_key_result(
    request: HttpRequest, org: str, objective: str, key_result: str
) -> dict[str, Any]:
    """The key result as its objective's detail shows it, with the `version` to edit it by."""
    access = api_access(request, org)
    saved = access_key_result(access, kr_id(objective, key_result))
    return _key_result_out(access, saved.objective.slug, saved.slug)


@router.patch(
    KR_PATH,
    response={200: KeyResultDetail, **WRITE, 409: ConflictMessage},
    summary="Change a key result (the coach's findings on it come with it)",
)
def patch_key_result(
    request: HttpRequest, org: str, objective: str, key_result: str, payload: KeyResultPatch
) -> dict[str, Any]:
    """Apply the changes if `version` is still current; else 409 with `current_version`.

    The same action as the web app's key-result form: the same refusals, the same history.
    """
    access = api_access(request, org, write=True)
    saved = access_key_result(access, kr_id(objective, key_result))
    sent = payload.model_dump(exclude_unset=True)
    reason = (sent.pop("reason", None) or "").strip()
    do_edit_key_result(
        access,
        saved,
        _edit(access, saved, sent),
        expected_version=payload.version,
        actor=request.user,
        reason=reason,
    )
    return _key_result_out(access, objective, saved.slug)


@router.delete(
    KR_PATH,
    response={204: None, **WRITE, 409: ConflictMessage},
    summary="Delete a key result (its check-ins go with it; the history keeps what it was)",
)
def delete_key_result(
    request: HttpRequest,
    org: str,
    objective: str,
    key_result: str,
    version: int | None = None,
    reason: str = "",
) -> Status[None]:
    """Delete the key result if `version` (query) is still current; else 409 with
    `current_version`. A launched objective's key result needs a `reason` (a pivot), as in the
    web app, whose delete button is the same action."""
    access = api_access(request, org, write=True)
    saved = access_key_result(access, kr_id(objective, key_result))
    if version is None:  # checked after access, so an outsider learns nothing from a 422
        raise FieldError("version", "send the key result's current `version`", source="query")
    try:
        drafting.do_delete_key_result(
            access, saved, expected_version=version, actor=request.user, reason=reason.strip()
        )
    except ActionError as refused:  # the reason is a query parameter here
        raise FieldError(refused.field, refused.message, source="query") from None
    return Status(204, None)
