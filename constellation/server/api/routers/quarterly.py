"""The quarterly review: objective reviews, team reflections, learnings, initiative results,
finishing a review (closing and carrying over) and reopening a finished one, with the web
app's rules: a finished review takes no write until an admin reopens it.

Its addresses say `quarterly-review`, never plain `review`, which names the review *requests*
of sharing (`/review-requests`). The first addresses said `review` and `reviews`; they answer
308 to the new ones, so clients written against them keep working.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.utils.encoding import escape_uri_path
from ninja import Query, Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.lookups import body_team
from constellation.server.api.present import kr_id
from constellation.server.api.quarterly_schemas import (
    FinishIn,
    FinishOut,
    InitiativeResultIn,
    InitiativeResultList,
    InitiativeResultOut,
    LearningIn,
    LearningList,
    LearningOut,
    QuarterlyReviewIn,
    QuarterlyReviewOut,
    ReflectionIn,
    ReflectionOut,
    ReopenIn,
    ReopenOut,
)
from constellation.server.api.schemas import (
    MAX_OFFSET,
    ConflictMessage,
    Message,
    ValidationProblems,
)
from constellation.server.errors import NotFound
from constellation.server.okrs.access import (
    access_initiative,
    access_objective,
    access_period,
    find_carried_copy,
    find_key_result,
    find_period,
    measured_objective_ids,
)
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access, access_team, find_team
from constellation.server.orgs.models import Team
from constellation.server.quarterly import actions
from constellation.server.quarterly.access import (
    ReviewItem,
    access_initiative_result,
    access_learning,
    find_reflection,
    initiative_results_of,
    learnings_of,
    review_item,
)
from constellation.server.quarterly.models import InitiativeResult, Learning, TeamReflection

router = Router(tags=["quarterly review"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
LIST = {**READ, 422: ValidationProblems}
DEFAULT_LIMIT = 100
MAX_LIMIT = 500
LIMIT_HELP = f"The most rows a page holds (1 to {MAX_LIMIT})."
TEAM_HELP = "Only this team's (its slug)."
PERIOD_HELP = "Only this period's (`2026-Q4`)."


def _username(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def _review_out(item: ReviewItem, carried_to: str | None) -> dict[str, Any]:
    review, objective = item.review, item.objective
    return {
        "objective": objective.slug,
        "team": objective.team.slug,
        "period": objective.period.key,
        "computed_grade": item.computed_grade,
        "grade_override": review.grade_override if review else None,
        "override_reason": review.override_reason if review else "",
        "grade": item.grade,
        "decision": item.decision or None,
        "note": review.note if review else "",
        "reviewer": _username(review.reviewer) if review else None,
        "reviewed_at": review.reviewed_at if review else None,
        "version": item.version,
        "carried_to": carried_to,
    }


def _review_answer(access: Access, objective: Objective) -> dict[str, Any]:
    item = review_item(access, objective)
    copy = find_carried_copy(access, objective)
    return _review_out(item, copy.slug if copy else None)


OBJECTIVE_REVIEW = "/orgs/{org}/objectives/{objective}/quarterly-review"
TEAM_REVIEW = "/orgs/{org}/teams/{team}/quarterly-reviews/{period}"


@router.get(
    OBJECTIVE_REVIEW,
    operation_id="getObjectiveReview",
    response={200: QuarterlyReviewOut, **READ},
    summary="An objective's quarterly review: computed grade, override, decision",
)
def get_review(request: HttpRequest, org: str, objective: str) -> dict[str, Any]:
    """The review as saved; version 0 with the engine's grade while nobody reviewed it."""
    access = api_access(request, org)
    return _review_answer(access, access_objective(access, objective))


@router.put(
    OBJECTIVE_REVIEW,
    operation_id="putObjectiveReview",
    response={200: QuarterlyReviewOut, **WRITE, 409: ConflictMessage},
    summary="Save an objective's quarterly review (a changed grade needs a reason)",
)
def put_review(
    request: HttpRequest, org: str, objective: str, payload: QuarterlyReviewIn
) -> dict[str, Any]:
    """Save grade, reason, decision and note if `version` is still current; else 409."""
    access = api_access(request, org, write=True)
    row = access_objective(access, objective)
    data = actions.ReviewInput(
        grade=payload.grade_override,
        reason=payload.override_reason,
        decision=payload.decision or "",
        note=payload.note,
    )
    actions.do_review_objective(
        access, row, data, expected_version=payload.version, actor=request.user
    )
    return _review_answer(access, row)


def _reflection_out(team: Team, period: Period, saved: TeamReflection | None) -> dict[str, Any]:
    return {
        "team": team.slug,
        "period": period.key,
        "learned": saved.learned if saved else "",
        "surprised": saved.surprised if saved else "",
        "differently": saved.differently if saved else "",
        "author": _username(saved.author) if saved else None,
        "updated_at": saved.updated_at if saved else None,
        "version": saved.version if saved else 0,
    }


def _team_period(access: Access, team: str, period: str) -> tuple[Team, Period]:
    return access_team(access, team), access_period(access, period)


@router.get(
    f"{TEAM_REVIEW}/reflection",
    operation_id="getTeamReflection",
    response={200: ReflectionOut, **READ},
    summary="A team's reflection on a period",
)
def get_reflection(request: HttpRequest, org: str, team: str, period: str) -> dict[str, Any]:
    """The three prompts' answers; empty with version 0 while nothing is saved."""
    access = api_access(request, org)
    found_team, found_period = _team_period(access, team, period)
    saved = find_reflection(access, found_team, found_period)
    return _reflection_out(found_team, found_period, saved)


@router.put(
    f"{TEAM_REVIEW}/reflection",
    operation_id="putTeamReflection",
    response={200: ReflectionOut, **WRITE, 409: ConflictMessage},
    summary="Save a team's reflection on a period",
)
def put_reflection(
    request: HttpRequest, org: str, team: str, period: str, payload: ReflectionIn
) -> dict[str, Any]:
    """Replace the answers if `version` is still current; else 409 with `current_version`."""
    access = api_access(request, org, write=True)
    found_team, found_period = _team_period(access, team, period)
    data = actions.ReflectionInput(payload.learned, payload.surprised, payload.differently)
    saved = actions.do_save_reflection(
        access,
        found_team,
        found_period,
        data,
        expected_version=payload.version,
        actor=request.user,
    )
    return _reflection_out(found_team, found_period, saved)


def _page_address(request: HttpRequest, offset: int) -> str:
    """The address of this request with another offset, every other parameter kept."""
    query = request.GET.copy()
    query["offset"] = str(offset)
    return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")


def _filters(access: Access, team: str | None, period: str | None) -> dict[str, Any]:
    """The team and period a list is filtered by, or a 422 naming the query parameter."""
    found: dict[str, Any] = {}
    if team is not None:
        found["team"] = find_team(access, team)
        if found["team"] is None:
            raise FieldError("team", f"this organisation has no team {team!r}", source="query")
    if period is not None:
        found["period"] = find_period(access, period)
        if found["period"] is None:
            raise FieldError("period", f"this organisation has no period {period}", source="query")
    return found


def _page(request: HttpRequest, rows: QuerySet, limit: int, offset: int) -> dict[str, Any]:
    """One page of `rows` with the count and the next page's address (two queries)."""
    count = rows.count()
    more = offset + limit < count
    return {
        "count": count,
        "offset": offset,
        "limit": limit,
        "next": _page_address(request, offset + limit) if more else None,
        "rows": list(rows[offset : offset + limit]),
    }


def _learning_out(learning: Learning) -> dict[str, Any]:
    key_result = learning.key_result
    objective = learning.objective
    return {
        "id": learning.pk,
        "team": learning.team.slug,
        "period": learning.period.key,
        "text": learning.text,
        "tags": list(learning.tags or []),
        "objective": objective.slug if objective else None,
        "key_result": kr_id(objective.slug, key_result.slug) if key_result and objective else None,
        "initiative": learning.initiative_id,
        "initiative_title": learning.initiative.title if learning.initiative else None,
        "author": _username(learning.author),
        "created_at": learning.created_at,
    }


@router.get(
    "/orgs/{org}/learnings",
    response={200: LearningList, **LIST},
    summary="List learnings, newest first, a page at a time",
)
def list_learnings(
    request: HttpRequest,
    org: str,
    team: Annotated[str | None, Query(description=TEAM_HELP)] = None,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=LIMIT_HELP)] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="How many matching rows to skip.")
    ] = 0,
) -> dict[str, Any]:
    """The organisation's learnings, filtered by team and period; the same few queries per page."""
    access = api_access(request, org)
    page = _page(request, learnings_of(access, **_filters(access, team, period)), limit, offset)
    rows = page.pop("rows")
    return {**page, "learnings": [_learning_out(row) for row in rows]}


def body_key_result(access: Access, value: str | None) -> KeyResult | None:
    """The key result `objective/kr` of this organisation (None for None), else a 422."""
    if value is None:
        return None
    found = find_key_result(access, value)
    if found is None:
        raise FieldError("key_result", f"no key result {value!r} in this organisation")
    return found


def body_initiative(access: Access, value: int) -> Initiative:
    """The initiative with this id in this organisation, else a 422."""
    try:
        return access_initiative(access, value)
    except NotFound:
        # The body names it, the address was found: a bad field, not a missing page.
        raise FieldError("initiative", f"no initiative {value} in this organisation") from None


def _body_period(access: Access, key: str) -> Period:
    found = find_period(access, key)
    if found is None:
        raise FieldError("period", f"this organisation has no period {key}")
    return found


@router.post(
    "/orgs/{org}/learnings",
    response={201: LearningOut, **WRITE},
    summary="Record a learning of a team's period",
)
def create_learning(request: HttpRequest, org: str, payload: LearningIn) -> Status[dict[str, Any]]:
    """Keep one thing a team learnt, about a key result and/or an initiative if named."""
    access = api_access(request, org, write=True)
    learning = actions.do_record_learning(
        access,
        body_team(access, payload.team),
        _body_period(access, payload.period),
        payload.text,
        request.user,
        tags=payload.tags,
        key_result=body_key_result(access, payload.key_result),
        initiative=(
            body_initiative(access, payload.initiative) if payload.initiative is not None else None
        ),
    )
    return Status(201, _learning_out(access_learning(access, learning.pk)))


def _result_out(result: InitiativeResult) -> dict[str, Any]:
    key_result = result.key_result
    return {
        "id": result.pk,
        "team": result.team.slug,
        "period": result.period.key,
        "initiative": result.initiative_id,
        "initiative_title": result.initiative_title,
        "key_result": kr_id(key_result.objective.slug, key_result.slug) if key_result else None,
        "key_result_title": result.key_result_title,
        "expected_effect": result.expected_effect,
        "expected_value": result.expected_value,
        "observed_effect": result.observed_effect,
        "observed_value": result.observed_value,
        "outcome": result.outcome,
        "note": result.note,
        "author": _username(result.author),
        "created_at": result.created_at,
    }


@router.get(
    "/orgs/{org}/initiative-results",
    operation_id="listInitiativeResults",
    response={200: InitiativeResultList, **LIST},
    summary="List initiative results, newest first, a page at a time",
)
def list_results(
    request: HttpRequest,
    org: str,
    team: Annotated[str | None, Query(description=TEAM_HELP)] = None,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description=LIMIT_HELP)] = DEFAULT_LIMIT,
    offset: Annotated[
        int, Query(ge=0, le=MAX_OFFSET, description="How many matching rows to skip.")
    ] = 0,
) -> dict[str, Any]:
    """The organisation's initiative results, filtered by team and period."""
    access = api_access(request, org)
    rows = initiative_results_of(access, **_filters(access, team, period)).select_related(
        "key_result__objective"
    )
    page = _page(request, rows, limit, offset)
    return {**page, "results": [_result_out(row) for row in page.pop("rows")]}


@router.post(
    "/orgs/{org}/initiative-results",
    operation_id="createInitiativeResult",
    response={201: InitiativeResultOut, **WRITE},
    summary="Record what an initiative did to a key result",
)
def create_result(
    request: HttpRequest, org: str, payload: InitiativeResultIn
) -> Status[dict[str, Any]]:
    """Keep the expected and observed effect of one of the team's initiatives of the period."""
    access = api_access(request, org, write=True)
    data = actions.ResultInput(
        initiative=body_initiative(access, payload.initiative),
        key_result=body_key_result(access, payload.key_result),
        expected_effect=payload.expected_effect,
        expected_value=payload.expected_value,
        observed_effect=payload.observed_effect,
        observed_value=payload.observed_value,
        outcome=payload.outcome,
        note=payload.note,
    )
    result = actions.do_record_initiative_result(
        access,
        body_team(access, payload.team),
        _body_period(access, payload.period),
        data,
        request.user,
    )
    return Status(201, _result_out(access_initiative_result(access, result.pk)))


@router.post(
    f"{TEAM_REVIEW}/finish",
    operation_id="finishQuarterlyReview",
    response={200: FinishOut, **WRITE, 409: ConflictMessage},
    summary="Finish a team's quarterly review: close, and carry over into the next period",
)
def finish(
    request: HttpRequest, org: str, team: str, period: str, payload: FinishIn
) -> dict[str, Any]:
    """Close the objectives with a decision; "carry_over" and "rethink" become next period's
    drafts linked to their history ("rethink" without key results)."""
    access = api_access(request, org, write=True)
    found_team, found_period = _team_period(access, team, period)
    done = actions.do_finish_review(
        access, found_team, found_period, request.user, expected_versions=payload.versions
    )
    measured = measured_objective_ids(access, done.carried)
    return {
        "team": found_team.slug,
        "period": found_period.key,
        "next_period": done.next_period.key if done.next_period else None,
        "closed": [o.slug for o in done.closed],
        "carried": [
            {"id": c.slug, "carried_from": c.carried_from.slug, "key_results": c.pk in measured}
            for c in done.carried
            if c.carried_from is not None  # always: a carried copy names its source
        ],
    }


@router.post(
    f"{TEAM_REVIEW}/reopen",
    operation_id="reopenQuarterlyReview",
    response={200: ReopenOut, **WRITE},
    summary="Reopen a finished quarterly review, with a reason (admins only)",
)
def reopen(
    request: HttpRequest, org: str, team: str, period: str, payload: ReopenIn
) -> dict[str, Any]:
    """Let a finished review take changes again until it is finished again; 403 for anyone
    but an admin, 422 without a reason or when the review is not finished."""
    access = api_access(request, org, write=True)
    found_team, found_period = _team_period(access, team, period)
    row = actions.do_reopen_review(access, found_team, found_period, payload.reason, request.user)
    return {
        "team": found_team.slug,
        "period": found_period.key,
        "open": row.open,
        "reason": row.reason,
        "reopened_by": _username(row.reopened_by),
        "reopened_at": row.reopened_at,
    }


def moved(request: HttpRequest, segment: int, name: str) -> HttpResponse:
    """A 308 to this address with its `segment` (counted from the end, -1 last) now `name`.

    308, not 301: the method and the body go along, so a PUT or POST sent to the old address
    is saved at the new one as sent. Nothing is read first: the answer is the same for every
    caller and every id, so it tells nobody what exists.
    """
    parts = escape_uri_path(request.path).split("/")
    parts[segment] = name
    location = "/".join(parts)
    query = request.META.get("QUERY_STRING", "")
    if query:
        location = f"{location}?{query}"
    return HttpResponsePermanentRedirect(location, preserve_request=True)


# The first addresses, kept for clients written against them; not in the OpenAPI document.
@router.api_operation(
    ["GET", "PUT"], "/orgs/{org}/objectives/{objective}/review", auth=None, include_in_schema=False
)
def moved_objective_review(request: HttpRequest, org: str, objective: str) -> HttpResponse:
    """`…/objectives/{objective}/review` is now `…/objectives/{objective}/quarterly-review`."""
    return moved(request, -1, "quarterly-review")


@router.api_operation(
    ["GET", "PUT"],
    "/orgs/{org}/teams/{team}/reviews/{period}/reflection",
    auth=None,
    include_in_schema=False,
)
def moved_reflection(request: HttpRequest, org: str, team: str, period: str) -> HttpResponse:
    """`…/teams/{team}/reviews/{period}/reflection` is now `…/quarterly-reviews/…`."""
    return moved(request, -3, "quarterly-reviews")


@router.api_operation(
    ["POST"], "/orgs/{org}/teams/{team}/reviews/{period}/finish", auth=None, include_in_schema=False
)
def moved_finish(request: HttpRequest, org: str, team: str, period: str) -> HttpResponse:
    """`…/teams/{team}/reviews/{period}/finish` is now `…/quarterly-reviews/{period}/finish`."""
    return moved(request, -3, "quarterly-reviews")
