"""Checks on teams: focus on customers, the number of objectives, and whether OKRs fit."""

from __future__ import annotations

from collections.abc import Iterator

from constellation.core.coach.context import LintContext
from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES
from constellation.core.model import Objective

MAX_OBJECTIVES = 5


def objectives_by_team(ctx: LintContext) -> dict[tuple[str, str], list[Objective]]:
    """The plan's objectives grouped by (team, period), in file order."""
    groups: dict[tuple[str, str], list[Objective]] = {}
    for objective in ctx.plan.objectives:
        groups.setdefault((objective.team, objective.period), []).append(objective)
    return groups


def check_teams(ctx: LintContext) -> Iterator[Finding]:
    """Every team finding: customer-balance, too-many-objectives, okrs-may-not-fit."""
    teams = {team.id: team for team in ctx.plan.teams}
    for (team_id, period), objectives in objectives_by_team(ctx).items():
        team = teams.get(team_id)
        line = team.line if team is not None else None
        yield from _customer_balance(ctx, team_id, period, objectives, line)
        yield from _too_many(ctx, team_id, period, objectives, line)
    with_objectives = {o.team for o in ctx.plan.objectives}
    for team in ctx.plan.teams:
        if team.phase == "exploratory" and team.id in with_objectives:
            yield ctx.finding(
                "okrs-may-not-fit",
                team.id,
                team.line,
                f"{team.name} ({team.id!r}) is marked `phase: exploratory`. "
                + RULES["okrs-may-not-fit"].principle,
                "Consider lighter ways to steer this work: learning goals (what we need to "
                "find out), time-boxed experiments each with a hypothesis and a stop rule, or a "
                "simple roadmap; keep OKRs for the parts whose results can be measured this "
                "period.",
                plain=(
                    f"{team.name or team.id} is marked as exploratory. "
                    + RULES["okrs-may-not-fit"].principle,
                    "Consider lighter ways to steer this work: learning goals (what we need to "
                    "find out), time-boxed experiments each with a hypothesis and a stop rule, "
                    "or a simple roadmap; keep OKRs for the parts whose results can be measured "
                    "this period.",
                ),
            )


def _customer_balance(
    ctx: LintContext, team_id: str, period: str, objectives: list[Objective], line: int | None
) -> Iterator[Finding]:
    if any(ctx.focus(o) in ("customer", "both") for o in objectives):
        return
    principle = RULES["customer-balance"].principle
    yield ctx.finding(
        "customer-balance",
        team_id,
        line,
        _none_for_customers(repr(team_id), period, len(objectives)) + principle,
        "Add or reframe one objective around a change for customers (what they do more, "
        "faster or better) and set `focus: customer` or `focus: both` on it; if one already "
        "is about customers, say so with `focus:`.",
        plain=(
            _none_for_customers(ctx.team_name(team_id), period, len(objectives)) + principle,
            "Add or reframe one objective around a change for customers (what they do more, "
            "faster or better) and set its focus to customers, or both; if one already is "
            "about customers, say so with its focus.",
        ),
    )


def _none_for_customers(team: str, period: str, count: int) -> str:
    if count == 1:
        return f"The only objective of team {team} for {period} is not about customers. "
    return f"None of the {count} objectives of team {team} for {period} is about customers. "


def _too_many(
    ctx: LintContext, team_id: str, period: str, objectives: list[Objective], line: int | None
) -> Iterator[Finding]:
    if len(objectives) <= MAX_OBJECTIVES:
        return
    principle = RULES["too-many-objectives"].principle
    hint = (
        f"Keep the three to five that matter most in {period} (park at least "
        f"{len(objectives) - MAX_OBJECTIVES}); their key results may become KPIs or next "
        "period's objectives."
    )
    yield ctx.finding(
        "too-many-objectives",
        team_id,
        line,
        f"Team {team_id!r} has {len(objectives)} objectives for {period}. " + principle,
        hint,
        plain=(
            f"Team {ctx.team_name(team_id)} has {len(objectives)} objectives for {period}. "
            + principle,
            hint,
        ),
    )
