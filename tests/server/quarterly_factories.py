"""Quarterly review rows of Acme for the isolation walk, and a fingerprint of them."""

from __future__ import annotations

from typing import Any

from constellation.server.okrs.models import Initiative
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)
from tests.server.factories import World


def reviews_state(world: World) -> dict[str, Any]:
    """Everything of Acme's quarterly reviews a request could change."""
    org = world.org
    return {
        "reviews": list(
            ObjectiveReview.objects.filter(organization=org)
            .order_by("pk")
            .values_list("decision", "grade_override", "version")
        ),
        "reflections": list(
            TeamReflection.objects.filter(organization=org)
            .order_by("pk")
            .values_list("learned", "version")
        ),
        "learnings": Learning.objects.filter(organization=org).count(),
        "initiative_results": InitiativeResult.objects.filter(organization=org).count(),
    }


def make_review_rows(world: World) -> None:
    """A saved review, reflection, learning and initiative result of Acme's growth team."""
    ObjectiveReview.objects.get_or_create(
        organization=world.org,
        objective=world.objective,
        defaults={"computed_grade": 0.5, "decision": "carry_over"},
    )
    TeamReflection.objects.get_or_create(
        organization=world.org,
        team=world.team,
        period=world.period,
        defaults={"learned": "Setup is the bottleneck"},
    )
    Learning.objects.create(
        organization=world.org, team=world.team, period=world.period, text="A wizard helps"
    )
    initiative, _ = Initiative.objects.get_or_create(
        objective=world.objective, slug="guided-setup", title="Guided setup"
    )
    InitiativeResult.objects.create(
        organization=world.org,
        team=world.team,
        period=world.period,
        initiative=initiative,
        initiative_title=initiative.title,
    )
