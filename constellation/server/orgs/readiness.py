"""Reads of the readiness check: a team's latest answers and what they recommend."""

from __future__ import annotations

from constellation.core.readiness import Answers, Recommendation, recommend
from constellation.server.orgs.models import TeamReadiness


def answers_of(check: TeamReadiness) -> Answers:
    """The stored answers of a check."""
    return Answers(
        exploratory=check.exploratory,
        measurable_quarterly=check.measurable_quarterly,
        stable_mission=check.stable_mission,
        outcome_metrics=check.outcome_metrics,
    )


def advice_of(check: TeamReadiness | None) -> Recommendation | None:
    """What a stored check recommends, with its reasons (worded by the core, never stored)."""
    return recommend(answers_of(check)) if check is not None else None
