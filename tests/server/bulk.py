"""Builders of many objectives and check-ins, for query-count tests of the web pages."""

from __future__ import annotations

from datetime import timedelta

from constellation.server.audit.actions import record
from constellation.server.okrs.models import Alignment, KeyResult, Objective
from constellation.server.orgs.models import Team
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World


def add_objectives(world: World, count: int, *, start: int = 0) -> list[Objective]:
    """`count` more objectives in the world's period, each with levers, a guardrail, two KRs,
    a check-in and an alignment, spread over two teams so every prefetch is exercised."""
    teams = [world.team, Team.objects.get(organization=world.org, slug="company")]
    objectives = Objective.objects.bulk_create(
        Objective(
            organization=world.org,
            team=teams[number % 2],
            period=world.period,
            slug=f"bulk-{number}",
            title=f"Customers in segment {number} renew without a call",
            focus="customer",
            owner=world.member,
            position=100 + number,
        )
        for number in range(start, start + count)
    )
    key_results = KeyResult.objects.bulk_create(
        KeyResult(
            objective=objective,
            slug=f"kr-{index}",
            title=f"Raise renewal rate of segment {objective.slug} from {20 + index}% to 60%",
            baseline=20 + index,
            target=60,
            current=30 + index,
            unit="%",
            position=index,
        )
        for objective in objectives
        for index in range(2)
    )
    CheckIn.objects.bulk_create(
        CheckIn(key_result=kr, value=kr.current, confidence=6, checked_on=world.period.start)
        for kr in key_results
    )
    Alignment.objects.bulk_create(
        Alignment(source=objective, target=world.objective) for objective in objectives
    )
    lever_links = Objective.levers.through
    lever_links.objects.bulk_create(
        lever_links(objective_id=o.pk, lever_id=world.lever.pk) for o in objectives
    )
    guardrail_links = Objective.guardrails.through
    guardrail_links.objects.bulk_create(
        guardrail_links(objective_id=o.pk, kpi_id=world.kpi.pk) for o in objectives
    )
    # Written in bulk like an import, and audited like one: cached views see the change.
    record(world.org.pk, None, "import", reason=f"{count} objectives added in bulk")
    return objectives


def add_check_ins(key_result: KeyResult, count: int, *, author: object = None) -> None:
    """`count` weekly check-ins on a key result, from the start of its period."""
    start = key_result.objective.period.start
    CheckIn.objects.bulk_create(
        CheckIn(
            key_result=key_result,
            value=35 + number % 10,
            confidence=number % 11,
            note=f"week {number}",
            author=author,
            checked_on=start + timedelta(days=number % 90),
        )
        for number in range(count)
    )
    organization_id = key_result.objective.organization_id
    record(organization_id, author, "import", reason=f"{count} check-ins added in bulk")
