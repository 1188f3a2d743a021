"""Checks on one objective: its title, its key results as a set, its levers and guardrails."""

from __future__ import annotations

from collections.abc import Iterator

from constellation.core.coach.context import LintContext
from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES
from constellation.core.coach.wording import deliverable, number, quoted, titled
from constellation.core.model import Objective

MIN_KEY_RESULTS = 2
MAX_KEY_RESULTS = 4


def check_objective(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    """Every objective-level finding about one objective."""
    yield from _objective_is_output(ctx, objective)
    yield from _only_outputs(ctx, objective)
    yield from _kr_count(ctx, objective)
    yield from _no_strategy_link(ctx, objective)
    yield from check_guardrails(ctx, objective)


def _objective_is_output(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    if not ctx.objective_is_output(objective.title):
        return
    thing = deliverable(objective.title)
    yield ctx.finding(
        "objective-is-output",
        objective.id,
        objective.line,
        f"The objective {quoted(objective.title)} is a deliverable, not an outcome. "
        + RULES["objective-is-output"].principle,
        f"Write the objective as the change {thing} should bring, for whom and why it "
        "matters (a title such as 'Members find what they need in a minute', not a "
        f"deliverable); keep {quoted(objective.title)} as an initiative under `initiatives:`.",
        plain=(
            f"The objective {titled(objective.title)} is a deliverable, not an outcome. "
            + RULES["objective-is-output"].principle,
            f"Write the objective as the change {thing} should bring, for whom and why it "
            "matters (a title such as 'Members find what they need in a minute', not a "
            f"deliverable); keep {titled(objective.title)} as one of its initiatives.",
        ),
        fix="rewrite-objective",
    )


def _only_outputs(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    krs = objective.key_results
    if not krs or not all(ctx.is_output(kr) for kr in krs):
        return
    yield ctx.finding(
        "only-outputs",
        objective.id,
        objective.line,
        f"Every key result of {objective.id!r} is work to deliver ({len(krs)} of {len(krs)}). "
        + RULES["only-outputs"].principle,
        "Rewrite at least one key result as the change that the work should cause, from A to "
        "B (who does what more, faster or better), and move the deliverables to `initiatives:`.",
        plain=(
            f"Every key result of {titled(objective.title)} is work to deliver "
            f"({len(krs)} of {len(krs)}). " + RULES["only-outputs"].principle,
            "Add or rewrite at least one key result as the change that the work should cause, "
            "from A to B (who does what more, faster or better), and move the deliverables to "
            "initiatives.",
        ),
        fix="add-key-result",
    )


def _kr_count(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    count = len(objective.key_results)
    if MIN_KEY_RESULTS <= count <= MAX_KEY_RESULTS:
        return
    if count == 0:
        said = "has no key results"
        hint = "Add two to four key results that show, in numbers, that the objective is met."
        plain_hint = hint
    elif count < MIN_KEY_RESULTS:
        said = "has only 1 key result"
        hint = (
            "Add one to three key results (two to four in all) that show the outcome from "
            "another side, such as its quality or a counter-measure, so one number cannot be "
            "met while the outcome is missed."
        )
        plain_hint = hint
    else:
        said = f"has {count} key results"
        hint = (
            f"Keep the two to four that best show the outcome (drop at least {count - 4}): "
            "move levels to keep to `kpis:`, work to `initiatives:`, the rest to a later period."
        )
        plain_hint = (
            f"Keep the two to four that best show the outcome (drop at least {count - 4}): "
            "make levels to keep KPIs, move work to initiatives, the rest to a later period."
        )
    yield ctx.finding(
        "kr-count",
        objective.id,
        objective.line,
        f"{objective.id!r} {said}. " + RULES["kr-count"].principle,
        hint,
        plain=(f"{titled(objective.title)} {said}. " + RULES["kr-count"].principle, plain_hint),
        fix="add-key-result" if count < MIN_KEY_RESULTS else None,
    )


def _no_strategy_link(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    # Without any levers in the plan the single no-strategy finding says it all.
    if objective.levers or not ctx.plan.levers:
        return
    choices = ", ".join(lever.id for lever in ctx.plan.levers[:5])
    titles = [titled(lever.title or lever.id) for lever in ctx.plan.levers[:5]]
    named = titles[0] if len(titles) == 1 else f"{', '.join(titles[:-1])} or {titles[-1]}"
    yield ctx.finding(
        "no-strategy-link",
        objective.id,
        objective.line,
        f"{objective.id!r} models no strategy lever. " + RULES["no-strategy-link"].principle,
        f"Add `levers: [...]` with the bet it moves (one of: {choices}), or ask whether it "
        "belongs in this period.",
        plain=(
            f"{titled(objective.title)} models no strategy lever. "
            + RULES["no-strategy-link"].principle,
            f"Tick the lever it moves among the levers it models ({named}), or ask whether it "
            "belongs in this period.",
        ),
        fix="pick-lever",
    )


def check_guardrails(ctx: LintContext, objective: Objective) -> Iterator[Finding]:
    """unhealthy-guardrail for each of the objective's guardrail KPIs out of its range (the
    only objective finding a KPI's reading changes)."""
    for kpi_id in objective.guardrails:
        kpi = ctx.kpis.get(kpi_id)
        if kpi is None or kpi.is_healthy() is not False or kpi.healthy is None:
            continue
        unit = kpi.unit or ""
        value = f"{number(kpi.current)}{unit}" if kpi.current is not None else "unknown"
        yield ctx.finding(
            "unhealthy-guardrail",
            objective.id,
            objective.line,
            f"Guardrail KPI {kpi.id!r} ({kpi.title}) is at {value}, outside its healthy range "
            f"{kpi.healthy.text()}. " + RULES["unhealthy-guardrail"].principle,
            f"Look at {kpi.title!r} before pushing {objective.id!r} further: bring it back to "
            f"{kpi.healthy.text()} first, or make restoring it a key result of this period.",
            plain=(
                f"The guardrail KPI {titled(kpi.title or kpi.id)} is at {value}, outside its "
                f"healthy range {kpi.healthy.text()}. " + RULES["unhealthy-guardrail"].principle,
                f"Look at {titled(kpi.title or kpi.id)} before pushing "
                f"{titled(objective.title)} further: bring it back to {kpi.healthy.text()} "
                "first, or make restoring it a key result of this period.",
            ),
        )
