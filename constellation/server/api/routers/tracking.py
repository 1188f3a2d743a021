"""Check-ins: the history of a key result, and a new reading that moves it."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api import present
from constellation.server.api.auth import api_access
from constellation.server.api.schemas import (
    KR_ID,
    CheckInCreated,
    CheckInIn,
    CheckInOut,
    Message,
    ValidationProblems,
)
from constellation.server.okrs.access import access_key_result, access_objective
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.plans.scores import period_view
from constellation.server.tracking.access import check_ins_of_key_result
from constellation.server.tracking.actions import CheckInInput, do_check_in

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
    check_in = do_check_in(access, kr, data, request.user)
    check_in.author = request.user if request.user.is_authenticated else None
    # Read again, with everything the answer shows: the check-in changed its key result.
    row = access_objective(access, kr.objective.slug)
    view = period_view(
        access.organization, row.period, objectives=[row], with_findings=False, with_check_ins=False
    )
    score = view.scores.get(row.slug)
    kr_scores = {k.id: k for k in score.key_results} if score is not None else {}
    fresh = next(k for k in row.key_results.all() if k.pk == kr.pk)
    body = {
        "check_in": present.check_in_out(row.slug, fresh.slug, check_in),
        "key_result": present.key_result_out(row, fresh, kr_scores.get(fresh.slug)),
        "objective": present.objective_score_out(row, score),
    }
    return Status(201, body)
