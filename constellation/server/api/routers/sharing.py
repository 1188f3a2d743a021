"""Review requests with their answers, launches and dependencies between teams."""

from __future__ import annotations

from typing import Annotated, Any

from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Status
from ninja.errors import ValidationError

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError, error_item
from constellation.server.api.lookups import body_period, rows_by_slug
from constellation.server.api.schemas import ConflictMessage, Message, ValidationProblems
from constellation.server.api.sharing_schemas import (
    DependencyAnswerIn,
    DependencyIn,
    DependencyOut,
    LaunchOut,
    ReviewAnswerIn,
    ReviewRequestIn,
    ReviewRequestOut,
    ReviewStateChangeIn,
)
from constellation.server.errors import ActionError
from constellation.server.okrs.access import find_key_result, objectives_by_slug
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access, find_team, memberships_of_usernames
from constellation.server.orgs.models import Membership, Team
from constellation.server.sharing import actions
from constellation.server.sharing.access import (
    access_dependency,
    access_launch,
    access_review,
    dependencies_queryset,
    reviews_queryset,
)
from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest

router = Router(tags=["review and launch"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
STALE = {409: ConflictMessage}
TEAM_HELP = "Only this team's (its slug)."


def _reviewer(reviewer: Reviewer) -> dict[str, Any]:
    questions = (
        actions.LEADER_QUESTIONS
        if reviewer.kind == Reviewer.Kind.LEADER
        else actions.STAKEHOLDER_QUESTIONS
    )
    return {
        "person": reviewer.person.username,
        "kind": reviewer.kind,
        "decision": reviewer.decision,
        "comment": reviewer.comment,
        "answers": {name: getattr(reviewer, name) for name in questions},
        "answered_at": reviewer.answered_at,
        "version": reviewer.version,
    }


def review_out(review: ReviewRequest) -> dict[str, Any]:
    """A review request as the API shows it (from prefetched rows)."""
    readiness = actions.launch_readiness(review)
    launch = getattr(review, "launch", None)
    return {
        "id": review.pk,
        "team": review.team.slug,
        "period": review.period.key,
        "state": review.state,
        "round": review.round,
        "version": review.version,
        "requested_by": review.requested_by.username if review.requested_by else None,
        "message": review.message,
        "created_at": review.created_at,
        "objectives": [
            {"id": o.slug, "title": o.title, "state": o.state} for o in review.objectives.all()
        ],
        "reviewers": [_reviewer(r) for r in review.reviewers.all()],
        "readiness": {
            "ready": readiness.ready,
            "reasons": readiness.reasons,
            "approved": readiness.approved,
            "changes_requested": readiness.changes_requested,
            "pending": readiness.pending,
        },
        "launch": launch.pk if launch is not None else None,
    }


def _team(access: Access, slug: str, field: str, source: str = "body") -> Team:
    team = find_team(access, slug)
    if team is None:
        raise FieldError(field, f"no team {slug!r} in this organisation", source=source)
    return team


@router.get(
    "/orgs/{org}/review-requests",
    response={200: list[ReviewRequestOut], **READ, 422: ValidationProblems},
    summary="Review requests with every reviewer's answers",
)
def list_review_requests(
    request: HttpRequest,
    org: str,
    team: Annotated[str | None, Query(description=TEAM_HELP)] = None,
    state: Annotated[str | None, Query(description="open, launched or withdrawn")] = None,
) -> list[dict[str, Any]]:
    """Newest first; each with its objectives, reviewers, answers and launch readiness."""
    access = api_access(request, org)
    rows: QuerySet[ReviewRequest] = reviews_queryset(access)
    if team:
        rows = rows.filter(team=_team(access, team, "team", source="query"))
    if state:
        if state not in ReviewRequest.State.values:
            raise FieldError("state", "use open, launched or withdrawn", source="query")
        rows = rows.filter(state=state)
    return [review_out(review) for review in rows]


@router.get(
    "/orgs/{org}/review-requests/{review_request}",
    response={200: ReviewRequestOut, **READ},
    summary="One review request with every reviewer's answers",
)
def get_review_request(request: HttpRequest, org: str, review_request: int) -> dict[str, Any]:
    """The request, its answers and whether it can launch (and why not)."""
    access = api_access(request, org)
    return review_out(access_review(access, review_request))


def _people(access: Access, usernames: list[str], field: str) -> list[Membership]:
    """The memberships of these usernames, or a 422 naming the unknown one's index."""
    found = {m.user.username: m for m in memberships_of_usernames(access, usernames)}
    problems = [
        error_item(["body", field, i], f"no member of this organisation is called {name!r}")
        for i, name in enumerate(usernames)
        if name not in found
    ]
    if problems:
        raise ValidationError(problems)
    return [found[name] for name in dict.fromkeys(usernames)]


def _objectives(access: Access, slugs: list[str] | None) -> list[Objective] | None:
    if slugs is None:
        return None
    return rows_by_slug(objectives_by_slug, access, slugs, "objectives")


@router.post(
    "/orgs/{org}/review-requests",
    response={201: ReviewRequestOut, **WRITE},
    summary="Send a team's draft for review (its objectives move to in_review)",
)
def create_review_request(
    request: HttpRequest, org: str, payload: ReviewRequestIn
) -> Status[dict[str, Any]]:
    """Every reviewer is notified, in the app and by email."""
    access = api_access(request, org, write=True)
    period = body_period(access, payload.period)
    review = actions.do_send_for_review(
        access,
        _team(access, payload.team, "team"),
        period,
        objectives=_objectives(access, payload.objectives),
        leaders=_people(access, payload.leaders, "leaders"),
        stakeholders=_people(access, payload.stakeholders, "stakeholders"),
        message=payload.message,
        actor=request.user,
    )
    return Status(201, review_out(access_review(access, review.pk)))


@router.post(
    "/orgs/{org}/review-requests/{review_request}/answers",
    response={200: ReviewRequestOut, **WRITE, **STALE},
    summary="Answer a review request as one of its reviewers",
)
def answer_review_request(
    request: HttpRequest, org: str, review_request: int, payload: ReviewAnswerIn
) -> dict[str, Any]:
    """Answers the caller's kind of questions; the team is notified. Answering again replaces."""
    access = api_access(request, org, write=True)
    review = access_review(access, review_request)
    sent = payload.model_dump(exclude_unset=True)
    questions = {
        name: value
        for name, value in sent.items()
        if name not in {"version", "decision", "comment"} and value is not None
    }
    answer = actions.Answer(decision=payload.decision, comment=payload.comment, answers=questions)
    actions.do_answer_review(
        access, review, answer, expected_version=payload.version, actor=request.user
    )
    return review_out(access_review(access, review_request))


def _on_review(error: ActionError) -> FieldError:
    """A refusal about the review request itself names the path parameter."""
    if error.field == "review":
        return FieldError("review_request", error.message, source="path")
    return FieldError(error.field, error.message)


@router.post(
    "/orgs/{org}/review-requests/{review_request}/resubmit",
    response={200: ReviewRequestOut, **WRITE, **STALE},
    summary="After changes, ask again the reviewers who asked for them",
)
def resubmit_review_request(
    request: HttpRequest, org: str, review_request: int, payload: ReviewStateChangeIn
) -> dict[str, Any]:
    """Their decisions go back to pending and they are notified; `round` goes up by one."""
    access = api_access(request, org, write=True)
    review = access_review(access, review_request)
    try:
        actions.do_resubmit(
            access,
            review,
            expected_version=payload.version,
            message=payload.message,
            actor=request.user,
        )
    except ActionError as error:
        raise _on_review(error) from error
    return review_out(access_review(access, review_request))


def launch_out(access: Access, launch: Launch) -> dict[str, Any]:
    """A launch as the API shows it."""
    return {
        "id": launch.pk,
        "team": launch.team.slug,
        "period": launch.period.key,
        "review_request": launch.review_id,
        "objectives": [o.slug for o in launch.objectives.all()],
        "by": launch.by.username if launch.by else None,
        "at": launch.at,
        "message": launch.message,
        "url": reverse("launch", kwargs={"org": access.organization.slug, "launch": launch.pk}),
    }


@router.post(
    "/orgs/{org}/review-requests/{review_request}/launch",
    response={201: LaunchOut, **WRITE, **STALE},
    summary="Launch the reviewed objectives (they become launched; everyone is told)",
)
def launch_review_request(
    request: HttpRequest, org: str, review_request: int, payload: ReviewStateChangeIn
) -> Status[dict[str, Any]]:
    """Needs one approval at least and nobody asking for changes; 422 says what is missing."""
    access = api_access(request, org, write=True)
    review = access_review(access, review_request)
    try:
        launch = actions.do_launch(
            access,
            review,
            expected_version=payload.version,
            message=payload.message,
            actor=request.user,
        )
    except ActionError as error:
        raise _on_review(error) from error
    return Status(201, launch_out(access, access_launch(access, launch.pk)))


@router.get(
    "/orgs/{org}/launches/{launch}",
    response={200: LaunchOut, **READ},
    summary="One launch",
)
def get_launch(request: HttpRequest, org: str, launch: int) -> dict[str, Any]:
    """Who launched which objectives, when, with what message."""
    access = api_access(request, org)
    return launch_out(access, access_launch(access, launch))


def dependency_out(dependency: Dependency) -> dict[str, Any]:
    """A dependency as the API shows it."""
    kr = dependency.key_result
    return {
        "id": dependency.pk,
        "key_result": f"{kr.objective.slug}/{kr.slug}",
        "from_team": dependency.from_team.slug,
        "to_team": dependency.to_team.slug,
        "need": dependency.need,
        "needed_by": dependency.needed_by,
        "state": dependency.state,
        "note": dependency.note,
        "requested_by": dependency.requested_by.username if dependency.requested_by else None,
        "answered_by": dependency.answered_by.username if dependency.answered_by else None,
        "created_at": dependency.created_at,
        "answered_at": dependency.answered_at,
        "version": dependency.version,
    }


@router.get(
    "/orgs/{org}/dependencies",
    response={200: list[DependencyOut], **READ, 422: ValidationProblems},
    summary="Dependencies between teams",
)
def list_dependencies(
    request: HttpRequest,
    org: str,
    team: Annotated[str | None, Query(description="Asked by or of this team (slug).")] = None,
    state: Annotated[str | None, Query(description="requested, accepted, declined or open")] = None,
) -> list[dict[str, Any]]:
    """Newest first; `state=open` means requested or accepted."""
    access = api_access(request, org)
    rows = dependencies_queryset(access)
    if team:
        found = _team(access, team, "team", source="query")
        rows = rows.filter(from_team=found) | rows.filter(to_team=found)
    if state == "open":
        rows = rows.filter(state__in=Dependency.OPEN_STATES)
    elif state:
        if state not in Dependency.State.values:
            raise FieldError("state", "use requested, accepted, declined or open", source="query")
        rows = rows.filter(state=state)
    return [dependency_out(d) for d in rows]


@router.post(
    "/orgs/{org}/dependencies",
    response={201: DependencyOut, **WRITE},
    summary="Ask another team for support on a key result",
)
def create_dependency(
    request: HttpRequest, org: str, payload: DependencyIn
) -> Status[dict[str, Any]]:
    """The other team's members are notified (its leaders and admins when it lists none)."""
    access = api_access(request, org, write=True)
    key_result = find_key_result(access, payload.key_result)
    if key_result is None:
        raise FieldError("key_result", f"no key result {payload.key_result!r} here")
    dependency = actions.do_ask_dependency(
        access,
        key_result,
        _team(access, payload.team, "team"),
        need=payload.need,
        needed_by=payload.needed_by,
        actor=request.user,
    )
    return Status(201, dependency_out(access_dependency(access, dependency.pk)))


@router.post(
    "/orgs/{org}/dependencies/{dependency}/answer",
    response={200: DependencyOut, **WRITE, **STALE},
    summary="Accept or decline a request for support (the asked team)",
)
def answer_dependency(
    request: HttpRequest, org: str, dependency: int, payload: DependencyAnswerIn
) -> dict[str, Any]:
    """A decline needs a note; the asking team is notified."""
    access = api_access(request, org, write=True)
    found = access_dependency(access, dependency)
    actions.do_answer_dependency(
        access,
        found,
        accept=payload.decision == "accept",
        note=payload.note,
        expected_version=payload.version,
        actor=request.user,
    )
    return dependency_out(access_dependency(access, dependency))
