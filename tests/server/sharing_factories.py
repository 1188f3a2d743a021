"""Builders of review requests, dependencies and launches for the server's tests."""

from __future__ import annotations

from typing import Any

from constellation.server.orgs.models import Membership, Team
from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest
from tests.server.factories import World, make_user


def make_team(world: World, slug: str = "platform", name: str = "Platform") -> Team:
    """Another team of Acme."""
    return Team.objects.create(organization=world.org, slug=slug, name=name)


def join(world: World, user: Any, team: Team) -> None:
    """List a person as a member of a team."""
    Membership.objects.get(organization=world.org, user=user).teams.add(team)


def make_stakeholder(world: World, team: Team, username: str = "stella") -> Any:
    """A member of Acme in `team`, to be asked as a stakeholder."""
    person = make_user(username)
    membership = Membership.objects.create(organization=world.org, user=person, role="member")
    membership.teams.add(team)
    return person


def make_review(world: World, *, state: str = ReviewRequest.State.OPEN) -> ReviewRequest:
    """A review of the Growth team's objective, asked of the leader."""
    review = ReviewRequest.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        requested_by=world.member,
        message="Please review",
        state=state,
    )
    review.objectives.add(world.objective)
    Reviewer.objects.create(request=review, person=world.leader, kind=Reviewer.Kind.LEADER)
    return review


def make_dependency(world: World, to_team: Team) -> Dependency:
    """Growth asks `to_team` for support on its first key result."""
    return Dependency.objects.create(
        organization=world.org,
        key_result=world.key_result,
        from_team=world.team,
        to_team=to_team,
        need="An onboarding checklist API",
        requested_by=world.member,
    )


def sharing_ids(world: World) -> dict[str, int]:
    """Ids of one review request, dependency and launch of Acme (for walking every URL)."""
    review = make_review(world)
    dependency = make_dependency(world, make_team(world))
    launched = make_review(world, state=ReviewRequest.State.LAUNCHED)
    launch = Launch.objects.create(
        organization=world.org, team=world.team, period=world.period, review=launched, by=None
    )
    launch.objectives.add(world.objective)
    return {"review_request": review.pk, "dependency": dependency.pk, "launch": launch.pk}


def sharing_state(world: World) -> dict[str, Any]:
    """Everything of sharing a request could change in Acme."""
    org = world.org
    return {
        "reviews": list(
            ReviewRequest.objects.filter(organization=org)
            .order_by("pk")
            .values_list("state", "version")
        ),
        "reviewers": list(
            Reviewer.objects.filter(request__organization=org)
            .order_by("pk")
            .values_list("decision", "version")
        ),
        "dependencies": list(
            Dependency.objects.filter(organization=org).order_by("pk").values_list("state")
        ),
        "launches": Launch.objects.filter(organization=org).count(),
    }


def access_of(world: World, user: Any) -> Any:
    """The person's access to Acme."""
    from constellation.server.orgs.access import access_org

    return access_org(user, world.org.slug)


def send_review(
    world: World,
    *,
    objectives: list[Any] | None = None,
    leaders: list[Any] | None = None,
    stakeholders: list[Any] | None = None,
) -> ReviewRequest:
    """The member (joined to Growth) sends Growth's drafts for review through the action."""
    from constellation.server.sharing.actions import do_send_for_review

    join(world, world.member, world.team)
    memberships = {m.user_id: m for m in Membership.objects.filter(organization=world.org)}
    return do_send_for_review(
        access_of(world, world.member),
        world.team,
        world.period,
        objectives=objectives,
        leaders=[memberships[p.pk] for p in (leaders if leaders is not None else [world.leader])],
        stakeholders=[memberships[p.pk] for p in stakeholders or []],
        message="Please look at our Q4 draft",
        actor=world.member,
    )


def answer(world: World, review: ReviewRequest, person: Any, decision: str, **answers: str) -> None:
    """A reviewer answers through the action."""
    from constellation.server.sharing.actions import Answer, do_answer_review

    reviewer = Reviewer.objects.get(request=review, person=person)
    comment = answers.pop("comment", "Looks right" if decision == "approved" else "Change it")
    do_answer_review(
        access_of(world, person),
        ReviewRequest.objects.get(pk=review.pk),
        Answer(decision=decision, comment=comment, answers=answers),
        expected_version=reviewer.version,
        actor=person,
    )
