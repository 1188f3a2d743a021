"""Builders of organisations, people and OKRs for the server's tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import User

from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.strategy.models import Lever, Strategy

PASSWORD = "correct horse battery"


@dataclass
class World:
    """An organisation with an admin, a leader, a member, a viewer and an outsider."""

    org: Organization
    other_org: Organization
    admin: User
    leader: User
    member: User
    viewer: User
    outsider: User
    period: Period
    team: Team
    lever: Lever
    kpi: Kpi
    objective: Objective
    key_result: KeyResult
    second_key_result: KeyResult
    other_objective: Objective
    other_key_result: KeyResult


def make_user(username: str) -> User:
    """A person who can log in with PASSWORD."""
    return User.objects.create_user(username, f"{username}@example.com", PASSWORD)


def make_org(slug: str, name: str) -> Organization:
    """An organisation with its strategy."""
    org = Organization.objects.create(slug=slug, name=name)
    # The year of the standard period (make_period), not the year the tests happen to run in.
    Strategy.objects.create(
        organization=org, year=2026, vision="Every team decides with live data."
    )
    return org


def make_period(org: Organization, key: str = "2026-Q4") -> Period:
    """A quarter of the organisation's calendar."""
    from constellation.core.periods import parse_period

    calendar = parse_period(key)
    return Period.objects.create(organization=org, key=key, start=calendar.start, end=calendar.end)


def make_objective(
    org: Organization, team: Team, period: Period, slug: str, title: str, **extra: object
) -> Objective:
    """An objective with no key results."""
    return Objective.objects.create(
        organization=org, team=team, period=period, slug=slug, title=title, **extra
    )


def make_key_result(objective: Objective, slug: str, title: str, **extra: object) -> KeyResult:
    """A key result on an objective."""
    return KeyResult.objects.create(objective=objective, slug=slug, title=title, **extra)


def make_world() -> World:
    """The standard cast every server test starts from."""
    org = make_org("acme", "Acme Analytics")
    other = make_org("globex", "Globex")
    people = {name: make_user(name) for name in ("admin", "leader", "member", "viewer", "outsider")}
    for name, role in (("admin", "admin"), ("leader", "leader"), ("member", "member")):
        Membership.objects.create(organization=org, user=people[name], role=role)
    Membership.objects.create(organization=org, user=people["viewer"], role="viewer")
    Membership.objects.create(organization=other, user=people["outsider"], role="admin")
    period = make_period(org)
    company = Team.objects.create(organization=org, slug="company", name="Acme")
    team = Team.objects.create(organization=org, slug="growth", name="Growth", parent=company)
    lever = Lever.objects.create(organization=org, slug="self-serve", title="Win self-serve")
    kpi = Kpi.objects.create(
        organization=org,
        slug="logo-churn",
        title="Monthly logo churn",
        unit="%",
        direction="decrease",
        healthy_high=2.5,
        current=2.1,
    )
    parent = make_objective(org, company, period, "retention", "Customers stay with us")
    objective = make_objective(
        org,
        team,
        period,
        "activation",
        "New teams get to value in their first week",
        focus="customer",
        owner=people["member"],
    )
    objective.levers.add(lever)
    parent.levers.add(lever)
    objective.guardrails.add(kpi)
    Alignment.objects.create(source=objective, target=parent)
    key_result = make_key_result(
        objective,
        "week1-activation",
        "Raise week-1 activation from 34% to 50%",
        baseline=34,
        target=50,
        current=41,
        unit="%",
        owner=people["member"],
    )
    second = make_key_result(
        objective,
        "time-to-value",
        "Cut median time to first dashboard from 3 days to 1 day",
        baseline=3,
        target=1,
        current=2,
        unit="days",
        position=1,
    )
    other_period = make_period(other)
    other_team = Team.objects.create(organization=other, slug="growth", name="Globex Growth")
    other_objective = make_objective(other, other_team, other_period, "secret", "Globex secret")
    other_kr = make_key_result(
        other_objective, "secret-kr", "Raise secret from 1 to 2", baseline=1, target=2
    )
    return World(
        org=org,
        other_org=other,
        admin=people["admin"],
        leader=people["leader"],
        member=people["member"],
        viewer=people["viewer"],
        outsider=people["outsider"],
        period=period,
        team=team,
        lever=lever,
        kpi=kpi,
        objective=objective,
        key_result=key_result,
        second_key_result=second,
        other_objective=other_objective,
        other_key_result=other_kr,
    )


def today() -> date:
    """A fixed day inside the standard period, for deterministic scoring."""
    return date(2026, 11, 15)


def launch(objective: Objective, on: date | None = None) -> None:
    """`objective` launched on `on` (its period's start when None), scores stored again."""
    from constellation.server.plans.stored import rescore_organization

    Objective.objects.filter(pk=objective.pk).update(
        state="launched", state_given=True, launched_on=on
    )
    rescore_organization(objective.organization)
