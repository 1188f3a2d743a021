"""Deactivated memberships hear nothing: no notification, email, reminder, digest or alert.

Each "people to tell" query leaves them out, with the organisation or team condition and the
deactivation condition on the same membership (one `filter()` call).
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.utils import timezone

from constellation.server.kpis.alerts import watchers
from constellation.server.okrs.models import Alignment, Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team
from constellation.server.sharing.access import (
    organization_people,
    reviewer_choices,
    team_people,
)
from constellation.server.sharing.actions import _leaders
from constellation.server.tracking.reminders import due_reminders
from constellation.server.worker.digests import _members
from tests.server.factories import World, make_org

SLOT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # a Monday, 09:00 UTC: Acme's default cadence


def deactivate(world: World, person: User) -> None:
    """Deactivate the person's membership of Acme (the account itself stays active)."""
    Membership.objects.filter(organization=world.org, user=person).update(
        deactivated_at=timezone.now()
    )


def in_growth(world: World, *people: User) -> None:
    """List the people as members of Growth."""
    for person in people:
        Membership.objects.get(organization=world.org, user=person).teams.add(world.team)


def names(people: list[User]) -> list[str]:
    return sorted(person.username for person in people)


def test_team_people_leave_out_a_deactivated_member(world: World) -> None:
    in_growth(world, world.member, world.leader)
    deactivate(world, world.leader)
    assert names(team_people(world.team)) == ["member"]


def test_another_organisations_active_membership_does_not_bring_them_back(world: World) -> None:
    in_growth(world, world.leader)
    deactivate(world, world.leader)
    # Active elsewhere: the conditions must hold for the same membership.
    Membership.objects.create(organization=make_org("initech", "Initech"), user=world.leader)
    assert team_people(world.team) == []
    assert "leader" not in names(organization_people(access_org(world.admin, "acme")))


def test_organisation_people_leaders_and_reviewers_leave_out_deactivated(world: World) -> None:
    deactivate(world, world.leader)
    access = access_org(world.admin, "acme")
    assert names(organization_people(access)) == ["admin", "member", "viewer"]
    assert names(_leaders(access)) == ["admin"]
    assert "leader" not in [m.user.username for m in reviewer_choices(access)]


def test_kpi_alerts_skip_deactivated_leaders_and_owners(world: World) -> None:
    deactivate(world, world.leader)
    deactivate(world, world.member)  # the owner of the objective the KPI guards
    assert names(watchers(world.kpi)) == ["admin"]


def test_reminders_skip_a_deactivated_owner(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    assert [due.person for due in due_reminders(world.org, SLOT)] == [world.member]
    deactivate(world, world.member)
    assert due_reminders(world.org, SLOT) == []


def test_digests_skip_deactivated_members(world: World) -> None:
    in_growth(world, world.member, world.leader)
    deactivate(world, world.leader)
    teams, people = _members(world.org)
    assert [team.pk for team in teams] == [world.team.pk]
    assert names(people[world.team.pk]) == ["member"]


def test_alignment_notices_skip_deactivated_team_leaders(world: World) -> None:
    from constellation.server.okrs.notices import _recipients

    company = Team.objects.get(organization=world.org, slug="company")
    ownerless = Objective.objects.create(
        organization=world.org, team=world.team, period=world.period, slug="x", title="X"
    )
    link = Alignment.objects.create(
        source=ownerless, target=Objective.objects.get(team=company, slug="retention")
    )
    in_growth(world, world.leader)
    assert names(_recipients(world.org.pk, [link])) == ["leader"]
    deactivate(world, world.leader)
    assert _recipients(world.org.pk, [link]) == []
