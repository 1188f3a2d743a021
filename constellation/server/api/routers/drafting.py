"""Drafting over the API: key results added to an objective and changed.

Each answer carries what the coach says about the key result, as the web app's live coach does,
so a client sees a key result that reads as an output flagged the moment it is written.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Router, Status

from constellation.core.language.measure import read_measure
from constellation.server.api.auth import api_access
from constellation.server.api.drafting_schemas import KeyResultIn, KeyResultPatch
from constellation.server.api.errors import FieldError
from constellation.server.api.lookups import body_kpi, body_member
from constellation.server.api.routers.okrs import find_objective, objective_detail
from constellation.server.api.schemas import (
    ConflictMessage,
    KeyResultDetail,
    Message,
    ValidationProblems,
)
from constellation.server.errors import Conflict
from constellation.server.okrs import drafting
from constellation.server.okrs.actions import do_update_key_result
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access

router = Router(tags=["drafting"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
KR_PATH = "/orgs/{org}/key-results/{objective}/{key_result}"
MEASURE = ("baseline", "target", "unit")


def _read_numbers(values: dict[str, Any], missing: set[str]) -> None:
    """Fill the `missing` measure fields of a metric from what its statement states."""
    measure = read_measure(values["title"], values.get("baseline"))
    if measure is None:
        return
    read = {"baseline": measure.baseline, "target": measure.target, "unit": measure.unit}
    for name in missing:
        if read[name] not in (None, ""):
            values[name] = read[name]


def _key_result_out(access: Access, objective_slug: str, kr_slug: str) -> dict[str, Any]:
    """The key result as the objective's detail shows it, with its findings and version."""
    detail = objective_detail(access, find_objective(access, objective_slug))
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
    row = find_objective(access, objective)
    values = payload.model_dump()
    if payload.type == KeyResult.Type.METRIC:
        _read_numbers(values, {name for name in MEASURE if values[name] is None})
    milestone = payload.type == KeyResult.Type.MILESTONE
    data = drafting.KeyResultInput(
        title=payload.title,
        type=payload.type,
        baseline=None if milestone else values["baseline"],
        target=None if milestone else values["target"],
        unit="" if milestone else values["unit"] or "",
        weight=payload.weight,
        owner=body_member(access, payload.owner),
        kpi=body_kpi(access, payload.kpi),
    )
    created = drafting.do_create_key_result(
        access, row, data, request.user, (payload.reason or "").strip()
    )
    return Status(201, _key_result_out(access, row.slug, created.slug))


def _find_key_result(access: Access, objective: str, key_result: str) -> KeyResult:
    row = (
        KeyResult.objects.filter(
            objective__organization=access.organization,
            objective__slug=objective,
            slug=key_result,
        )
        .select_related("objective")
        .first()
    )
    if row is None:
        raise Http404("No such key result")
    return row


def _key_result_changes(access: Access, saved: KeyResult, sent: dict[str, Any]) -> dict[str, Any]:
    """The model changes a PATCH body asks for (only the fields sent)."""
    changes: dict[str, Any] = {}
    for name in ("title", "type", "weight"):
        if name in sent:
            if sent[name] is None:
                raise FieldError(name, f"{name} cannot be null")
            changes[name] = sent[name]
    if "title" in changes:
        changes["title"] = changes["title"].strip()
        if not changes["title"]:
            raise FieldError("title", "a key result needs a statement")
    for name in MEASURE:
        if name in sent:
            changes[name] = sent[name] if name != "unit" else sent[name] or ""
    if "owner" in sent:
        changes["owner_id"] = getattr(body_member(access, sent["owner"]), "pk", None)
    if "kpi" in sent:
        changes["kpi_id"] = getattr(body_kpi(access, sent["kpi"]), "pk", None)
    changes.update(_measure_changes(saved, sent, changes))
    return {name: value for name, value in changes.items() if getattr(saved, name) != value}


def _measure_changes(
    saved: KeyResult, sent: dict[str, Any], changes: dict[str, Any]
) -> dict[str, Any]:
    """A milestone has no numbers; a metric's new statement fills those neither sent nor saved."""
    kind = changes.get("type", saved.type)
    if kind == KeyResult.Type.MILESTONE:
        return {"baseline": None, "target": None, "unit": ""}
    if "title" not in changes or kind != KeyResult.Type.METRIC:
        return {}
    values = {name: changes.get(name, getattr(saved, name)) for name in ("title", *MEASURE)}
    # As in the web form: numbers the person gave, now or before, are never overwritten.
    missing = {n for n in MEASURE if n not in sent and getattr(saved, n) in (None, "")}
    _read_numbers(values, missing)
    return {name: values[name] for name in missing if values[name] is not None}


@router.patch(
    KR_PATH,
    response={200: KeyResultDetail, **WRITE, 409: ConflictMessage},
    summary="Change a key result (the coach's findings on it come with it)",
)
def patch_key_result(
    request: HttpRequest, org: str, objective: str, key_result: str, payload: KeyResultPatch
) -> dict[str, Any]:
    """Apply the changes if `version` is still current; else 409 with `current_version`."""
    access = api_access(request, org, write=True)
    saved = _find_key_result(access, objective, key_result)
    sent = payload.model_dump(exclude_unset=True)
    reason = (sent.pop("reason", None) or "").strip()
    changes = _key_result_changes(access, saved, sent)
    if changes:
        do_update_key_result(
            access,
            saved,
            changes,
            expected_version=payload.version,
            actor=request.user,
            reason=reason,
        )
    elif saved.version != payload.version:
        # Nothing changes, but a stale version is still told, never silently accepted.
        raise _stale(saved, payload.version)
    return _key_result_out(access, objective, saved.slug)


def _stale(saved: KeyResult, expected: int) -> Conflict:
    """The refusal of a change begun on an older version of the key result."""
    return Conflict(
        saved.version,
        f"This key result is at version {saved.version}, yours was {expected}: "
        "read it again, then send your change.",
    )
