"""Check-ins: the history of a key result, a new reading that moves it, and corrections of a
reading (its author or an admin) that the key result follows when it was its latest."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api import present
from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.schemas import (
    KR_ID,
    CheckInCorrected,
    CheckInCreated,
    CheckInIn,
    CheckInOut,
    CheckInPatch,
    ConflictMessage,
    Message,
    ValidationProblems,
)
from constellation.server.okrs.access import access_key_result, access_objective
from constellation.server.okrs.actions import KEEP
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.plans.scores import period_view
from constellation.server.tracking.access import access_check_in, check_ins_of_key_result
from constellation.server.tracking.actions import (
    CheckInEdit,
    CheckInError,
    CheckInInput,
    do_check_in,
    do_delete_check_in,
    do_edit_check_in,
)
from constellation.server.tracking.models import CheckIn

router = Router(tags=["check-ins"])

PATH = "/orgs/{org}/key-results/{objective}/{key_result}/check-ins"
PATH_HELP = f"`{{objective}}/{{key_result}}` together are the key result's id. {KR_ID}"


def _key_result(access: Access, objective: str, key_result: str) -> KeyResult:
    """The key result the path names, `{objective}/{key_result}`, else NotFound."""
    return access_key_result(access, present.kr_id(objective, key_result))


@router.get(
    PATH,
    response={200: list[CheckInOut], 401: Message, 404: Message},
    summary="A key result's check-ins, oldest first",
    description=PATH_HELP,
)
def list_check_ins(
    request: HttpRequest, org: str, objective: str, key_result: str
) -> list[dict[str, Any]]:
    """Every check-in of the key result, with its author."""
    access = api_access(request, org)
    kr = _key_result(access, objective, key_result)
    rows = check_ins_of_key_result(access, kr)
    return [present.check_in_out(objective, kr.slug, c) for c in rows]


@router.post(
    PATH,
    response={
        201: CheckInCreated,
        401: Message,
        403: Message,
        404: Message,
        422: ValidationProblems,
    },
    summary="Check in on a key result",
    description=PATH_HELP
    + " A metric needs `value`; a milestone `done` (or a value). The key result's current "
    "value follows the latest check-in by date.",
)
def create_check_in(
    request: HttpRequest, org: str, objective: str, key_result: str, payload: CheckInIn
) -> Status[dict[str, Any]]:
    """Record the check-in; answer with it, the key result's new score and the objective's."""
    access = api_access(request, org, write=True)
    kr = _key_result(access, objective, key_result)
    data = CheckInInput(
        value=payload.value,
        confidence=payload.confidence,
        note=payload.note,
        done=payload.done,
        checked_on=payload.date,
    )
    try:
        check_in = do_check_in(access, kr, data, request.user)
    except CheckInError as refused:
        # The body calls the day `date`; the domain, `checked_on`.
        field = "date" if refused.field == "checked_on" else refused.field
        raise FieldError(field, str(refused)) from None
    check_in.author = request.user if request.user.is_authenticated else None
    return Status(201, _moved(access, kr, check_in))


def _moved(access: Access, kr: KeyResult, check_in: CheckIn) -> dict[str, Any]:
    """The check-in, its key result as it now reads and its objective's new score."""
    # Read again, with everything the answer shows: the check-in changed its key result.
    row = access_objective(access, kr.objective.slug)
    view = period_view(
        access.organization, row.period, objectives=[row], with_findings=False, with_check_ins=False
    )
    score = view.scores.get(row.slug)
    kr_scores = {k.id: k for k in score.key_results} if score is not None else {}
    fresh = next(k for k in row.key_results.all() if k.pk == kr.pk)
    return {
        "check_in": present.check_in_out(row.slug, fresh.slug, check_in),
        "key_result": present.key_result_out(row, fresh, kr_scores.get(fresh.slug)),
        "objective": present.objective_score_out(row, score),
    }


ONE = PATH + "/{int:check_in}"
CORRECT_HELP = (
    PATH_HELP + " Only the check-in's author or an admin corrects or deletes it; send its "
    "`version` (409 when someone changed it since). When it was the key result's latest "
    "reading, the key result follows: its current value becomes the corrected value, or after a "
    "delete its latest remaining check-in's (none left: what it held before its first "
    "check-in, else empty, read from the baseline). A value set since by an OKR file's "
    "`current` does not follow a check-in and is kept."
)


def _edit(payload: CheckInPatch) -> CheckInEdit:
    """The correction a PATCH body asks for: the fields sent, every other one kept."""
    sent = payload.model_dump(exclude_unset=True)
    edit = CheckInEdit()
    for name in ("value", "confidence", "done"):
        setattr(edit, name, sent.get(name, KEEP))
    edit.note = (sent["note"] or "") if "note" in sent else KEEP
    return edit


@router.patch(
    ONE,
    operation_id="updateCheckIn",
    response={
        200: CheckInCorrected,
        401: Message,
        403: Message,
        404: Message,
        409: ConflictMessage,
        422: ValidationProblems,
    },
    summary="Correct a check-in (value, confidence, note)",
    description=CORRECT_HELP,
)
def patch_check_in(
    request: HttpRequest,
    org: str,
    objective: str,
    key_result: str,
    check_in: int,
    payload: CheckInPatch,
) -> dict[str, Any]:
    """Apply the correction if `version` is still current; audited with before and after."""
    access = api_access(request, org, write=True)
    kr = _key_result(access, objective, key_result)
    found = access_check_in(access, kr, check_in)
    try:
        do_edit_check_in(
            access, found, _edit(payload), expected_version=payload.version, actor=request.user
        )
    except CheckInError as refused:
        raise FieldError(refused.field, str(refused)) from None
    return _moved(access, kr, access_check_in(access, kr, check_in))


@router.delete(
    ONE,
    operation_id="deleteCheckIn",
    response={
        204: None,
        401: Message,
        403: Message,
        404: Message,
        409: ConflictMessage,
        422: ValidationProblems,
    },
    summary="Delete a check-in",
    description=CORRECT_HELP,
)
def delete_check_in(
    request: HttpRequest,
    org: str,
    objective: str,
    key_result: str,
    check_in: int,
    version: int | None = None,
) -> Status[None]:
    """Delete the check-in if `version` (query) is still current; the history keeps it."""
    access = api_access(request, org, write=True)
    found = access_check_in(access, _key_result(access, objective, key_result), check_in)
    if version is None:  # checked after access, so an outsider learns nothing from a 422
        raise FieldError("version", "send the check-in's current `version`", source="query")
    do_delete_check_in(access, found, expected_version=version, actor=request.user)
    return Status(204, None)
