"""Rows of the strategy workspace and the readiness check for tests that walk every URL."""

from __future__ import annotations

from typing import Any

from constellation.server.orgs.models import Team, TeamReadiness
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from tests.server.factories import World


def strategy_ids(world: World) -> dict[str, Any]:
    """URL parameter values naming Acme's strategy rows: a year, a lever, a roadmap item."""
    item = RoadmapItem.objects.create(
        organization=world.org, lever=world.lever, title="Guided setup", period=world.period
    )
    return {
        "year": world.period.start.year,
        "lever": world.lever.slug,
        "item": item.pk,
        "period": world.period.key,
    }


def strategy_state(world: World) -> dict[str, Any]:
    """Everything of Acme's strategy and readiness checks that a request could change."""
    org = world.org
    return {
        "strategies": list(
            Strategy.objects.filter(organization=org).values_list("year", "vision", "version")
        ),
        "levers": list(
            Lever.objects.filter(organization=org).values_list("slug", "title", "version")
        ),
        "roadmap": list(
            RoadmapItem.objects.filter(organization=org).values_list("title", "lever", "version")
        ),
        "readiness": TeamReadiness.objects.filter(organization=org).count(),
        "phases": list(Team.objects.filter(organization=org).values_list("slug", "phase")),
    }
