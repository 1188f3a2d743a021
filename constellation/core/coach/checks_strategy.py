"""Checks on the plan as a whole: strategy levers and alignment loops."""

from __future__ import annotations

from collections.abc import Iterator

from constellation.core.coach.context import LintContext
from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES
from constellation.core.coach.wording import titled


def check_strategy(ctx: LintContext) -> Iterator[Finding]:
    """no-strategy for a plan without levers, else unmodelled-lever for each idle lever."""
    plan = ctx.plan
    if not plan.levers:
        yield ctx.finding(
            "no-strategy",
            None,
            None,
            "The plan lists no strategy levers. " + RULES["no-strategy"].principle,
            "Add `strategy:` with `levers:` (two or three bets, each with `id` and `title`), "
            "then list under each objective's `levers:` the bets it moves.",
            plain=(
                "The strategy has no levers. " + RULES["no-strategy"].principle,
                "Add two or three levers, the strategic bets, to the strategy; then tick on "
                "each objective the levers it moves.",
            ),
            fix="add-lever",
        )
        return
    modelled = {lever_id for o in plan.objectives for lever_id in o.levers}
    for lever in plan.levers:
        if lever.id in modelled:
            continue
        yield ctx.finding(
            "unmodelled-lever",
            lever.id,
            lever.line,
            f"No objective models the lever {lever.id!r} ({lever.title}). "
            + RULES["unmodelled-lever"].principle,
            f"Add an objective that moves {lever.title!r} and list `{lever.id}` under its "
            "`levers:`, or take the lever out of the strategy while it is parked.",
            plain=(
                f"No objective models the lever {titled(lever.title or lever.id)}. "
                + RULES["unmodelled-lever"].principle,
                f"Draft an objective that moves {titled(lever.title or lever.id)} and tick the "
                "lever on it, or take the lever out of the strategy while it is parked.",
            ),
            fix="new-objective",
        )


def check_cycles(ctx: LintContext, only: str | None = None) -> Iterator[Finding]:
    """One alignment-cycle finding per loop (only loops through `only`, when given)."""
    for loop in ctx.cycles:
        if only is not None and only not in loop:
            continue
        first = ctx.objectives.get(loop[0])
        shown = " → ".join(loop)
        titles = " → ".join(titled(ctx.objective_title(o)) for o in loop)
        yield ctx.finding(
            "alignment-cycle",
            loop[0],
            first.line if first is not None else None,
            f"Alignment loop: {shown}. " + RULES["alignment-cycle"].principle,
            f"Remove one link of {shown} (the one that points back toward the narrower "
            "objective) from its `aligns_to:`.",
            plain=(
                f"These objectives align to each other in a loop, {titles}. "
                + RULES["alignment-cycle"].principle,
                "Remove one alignment of the loop (the one that points back toward the "
                "narrower objective) on that objective's page.",
            ),
        )
