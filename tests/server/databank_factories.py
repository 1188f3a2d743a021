"""Learnings and initiative results for the data bank's tests, written through the actions."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constellation.server.okrs.models import Initiative, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership, Team
from constellation.server.quarterly.actions import (
    ResultInput,
    do_record_initiative_result,
    do_record_learning,
)
from constellation.server.quarterly.models import InitiativeResult, Learning
from tests.server.factories import World, make_objective, make_period

# A phrase of Acme's that must never reach someone outside Acme.
ACME_LEARNING = "Guided setup emails doubled week-1 activation for small teams"


@dataclass
class Bank:
    """Acme's and Globex's records, by what the tests call them."""

    learning: Learning
    pricing: Learning
    other_team: Learning
    result: InitiativeResult
    failed: InitiativeResult
    globex: Learning
    sales: Team
    last_quarter: Period


def access_of(world: World, user: Any = None, org: Any = None) -> Access:
    """The Access a person has to an organisation (Acme's admin by default)."""
    user = user or world.admin
    org = org or world.org
    return Access(org, Membership.objects.get(user=user, organization=org))


def make_bank(world: World) -> Bank:
    """A few learnings and results in Acme, across two teams and two periods, and Globex's."""
    acme = access_of(world)
    sales = Team.objects.create(organization=world.org, slug="sales", name="Sales")
    last = make_period(world.org, "2026-Q3")
    guided = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup checklist"
    )
    learning = do_record_learning(
        acme,
        world.team,
        world.period,
        ACME_LEARNING,
        world.admin,
        tags=["Onboarding", "email"],
        key_result=world.key_result,
    )
    pricing = do_record_learning(
        acme,
        world.team,
        last,
        "Annual pricing page confused small teams",
        world.admin,
        tags=["pricing"],
    )
    sales_objective = make_objective(world.org, sales, world.period, "pipeline", "Fill the pipe")
    other_team = do_record_learning(
        acme,
        sales,
        world.period,
        "Cold emails to small teams rarely answered",
        world.admin,
        objective=sales_objective,
    )
    result = do_record_initiative_result(
        acme,
        world.team,
        world.period,
        ResultInput(
            initiative=guided,
            key_result=world.key_result,
            expected_effect="Week-1 activation up by ten points",
            observed_effect="Activation rose by six points",
            outcome="partly",
            note="Setup checklist helped larger teams most",
        ),
        world.admin,
    )
    failed = do_record_initiative_result(
        acme,
        world.team,
        world.period,
        ResultInput(
            initiative=guided,
            expected_effect="Fewer support tickets about setup",
            observed_effect="Tickets unchanged",
            outcome="did_not_work",
        ),
        world.admin,
    )
    globex = do_record_learning(
        access_of(world, world.outsider, world.other_org),
        Team.objects.get(organization=world.other_org, slug="growth"),
        world.other_objective.period,
        "Globex secret: guided setup emails doubled activation for small teams",
        world.outsider,
        tags=["onboarding"],
    )
    return Bank(learning, pricing, other_team, result, failed, globex, sales, last)


def add_learnings(world: World, count: int, bank: Bank) -> None:
    """`count` more learnings in Acme (bulk, the index filled by the database), spread over
    two teams, two periods, with and without a key result, and as many results."""
    teams, periods = [world.team, bank.sales], [world.period, bank.last_quarter]
    guided = bank.result.initiative
    Learning.objects.bulk_create(
        Learning(
            organization=world.org,
            team=teams[n % 2],
            period=periods[n % 2],
            text=f"Learning {n}: onboarding calls helped small teams in segment {n}",
            tags=["onboarding", f"batch-{n % 3}"],
            objective=world.objective if n % 2 == 0 else None,
            key_result=world.key_result if n % 4 == 0 else None,
        )
        for n in range(count)
    )
    InitiativeResult.objects.bulk_create(
        InitiativeResult(
            organization=world.org,
            team=world.team,
            period=world.period,
            initiative=guided,
            initiative_title=f"Onboarding experiment {n}",
            key_result=world.key_result if n % 2 else None,
            observed_effect=f"Small teams in segment {n} activated faster",
            outcome="worked" if n % 2 else "partly",
        )
        for n in range(count)
    )


def add_secret_learning(world: World) -> Learning:
    """An Acme learning the isolation walk must never show outside Acme (ACME_LEARNING)."""
    return Learning.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        text=ACME_LEARNING,
        tags=["onboarding"],
        objective=world.objective,
        key_result=world.key_result,
    )
