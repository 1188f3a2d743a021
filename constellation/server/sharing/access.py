"""Permission-checked reads of review requests, dependencies and launches, and who may act."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import F, Prefetch, Q, QuerySet

from constellation.server.errors import NotFound
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership, Team
from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest


def team_people(team: Team) -> list[Any]:
    """Everyone listed as a member of the team, save those whose membership was deactivated.

    Both conditions sit in one `filter()` so they hold for the same membership (a person's
    membership of another organisation must not count).
    """
    return list(
        get_user_model()
        .objects.filter(memberships__teams=team, memberships__deactivated_at__isnull=True)
        .distinct()
    )


def organization_people(access: Access) -> list[Any]:
    """Everyone in the organisation, viewers included, save deactivated memberships."""
    return list(
        get_user_model()
        .objects.filter(
            memberships__organization=access.organization,
            memberships__deactivated_at__isnull=True,
        )
        .distinct()
    )


def reviewer_choices(access: Access) -> QuerySet[Membership]:
    """Members who could review (viewers and deactivated people cannot answer), with users."""
    return (
        Membership.objects.filter(organization=access.organization, deactivated_at__isnull=True)
        .exclude(role=Membership.Role.VIEWER)
        .select_related("user")
        .order_by("user__username")
    )


def reviews_queryset(access: Access) -> QuerySet[ReviewRequest]:
    """The organisation's review requests with their reviewers and objectives, prefetched."""
    return (
        ReviewRequest.objects.filter(organization=access.organization)
        .select_related("team", "period", "requested_by", "launch")
        .prefetch_related(Prefetch("reviewers", queryset=Reviewer.objects.select_related("person")))
        .prefetch_related(
            Prefetch("objectives", queryset=Objective.objects.only("id", "slug", "title", "state"))
        )
    )


def access_review(access: Access, review_id: int) -> ReviewRequest:
    """One of the organisation's review requests, prefetched, else 404."""
    review = reviews_queryset(access).filter(pk=review_id).first()
    if review is None:
        raise NotFound("No such review request")
    return review


def dependencies_queryset(access: Access) -> QuerySet[Dependency]:
    """The organisation's dependencies with their teams, key result and people."""
    return Dependency.objects.filter(organization=access.organization).select_related(
        "from_team",
        "to_team",
        "key_result__objective",
        "requested_by",
        "answered_by",
    )


def access_dependency(access: Access, dependency_id: int) -> Dependency:
    """One of the organisation's dependencies, else 404."""
    dependency = dependencies_queryset(access).filter(pk=dependency_id).first()
    if dependency is None:
        raise NotFound("No such dependency")
    return dependency


def open_dependencies_of_team(access: Access, team: Team) -> list[Dependency]:
    """Open dependencies the team asked for or was asked for, in one query."""
    return list(
        dependencies_queryset(access)
        .filter(Q(from_team=team) | Q(to_team=team), state__in=Dependency.OPEN_STATES)
        .order_by("needed_by", "id")
    )


def dependencies_of_objective(access: Access, objective: Objective) -> list[Dependency]:
    """Every dependency on the objective's key results, open ones first."""
    rows = dependencies_queryset(access).filter(key_result__objective=objective)
    return sorted(rows, key=lambda d: (d.state not in Dependency.OPEN_STATES, d.pk))


def access_launch(access: Access, launch_id: int) -> Launch:
    """One of the organisation's launches, else 404."""
    launch = (
        Launch.objects.filter(organization=access.organization, pk=launch_id)
        .select_related("team", "period", "by", "review")
        .first()
    )
    if launch is None:
        raise NotFound("No such launch")
    return launch


def review_objectives(access: Access, review: ReviewRequest) -> list[Objective]:
    """The objectives a review request is about, with their key results, levers, initiatives."""
    return list(
        Objective.objects.restrict(access)
        .filter(review_requests=review)
        .select_related("owner")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.order_by("position", "id")),
            "levers",
            "initiatives",
        )
    )


def launched_objectives(access: Access, launch: Launch) -> list[Objective]:
    """A launch's objectives with key results, levers, guardrails and what they align to."""
    return list(
        Objective.objects.restrict(access)
        .filter(launches=launch)
        .select_related("owner")
        .prefetch_related(
            Prefetch("key_results", queryset=KeyResult.objects.select_related("owner", "kpi"))
        )
        .prefetch_related("levers", "guardrails")
        .prefetch_related(
            Prefetch(
                "aligns_to",
                queryset=Objective.objects.select_related("team").only(
                    "id", "slug", "title", "team__name", "team__slug"
                ),
            ),
        )
    )


def reviews_awaiting(access: Access, person: Any, limit: int = 30) -> list[Reviewer]:
    """The person's unanswered places on the organisation's open review requests, oldest
    request first, with the request's team, period and sender (one query)."""
    return list(
        Reviewer.objects.restrict(access)
        .filter(
            person=person,
            decision=Reviewer.Decision.PENDING,
            request__state=ReviewRequest.State.OPEN,
        )
        .select_related("request__team", "request__period", "request__requested_by")
        .order_by("request__created_at", "request_id")[:limit]
    )


def dependencies_awaiting(access: Access, teams: list[Team], limit: int = 30) -> list[Dependency]:
    """Requests for support made to these teams and not answered yet, soonest needed first,
    with both teams, the key result and who asked (one query)."""
    return list(
        dependencies_queryset(access)
        .filter(to_team__in=teams, state=Dependency.State.REQUESTED)
        .order_by(F("needed_by").asc(nulls_last=True), "created_at", "id")[:limit]
    )
