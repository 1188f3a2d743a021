"""The coach: runs every check over a plan and returns its findings in a stable order."""

from __future__ import annotations

import gc
from collections.abc import Callable

from constellation.core.coach.checks_key_results import check_key_results
from constellation.core.coach.checks_objectives import check_objective
from constellation.core.coach.checks_strategy import check_cycles, check_strategy
from constellation.core.coach.checks_teams import check_teams
from constellation.core.coach.context import LintContext
from constellation.core.coach.findings import Finding
from constellation.core.coach.rules import RULES
from constellation.core.model import Plan


def lint(plan: Plan, progress: Callable[[int], object] | None = None) -> list[Finding]:
    """Every finding of the coach about a plan, ordered by line, then rule.

    `progress`, when given, is called with 1 after each objective (for a progress bar).
    """
    # The checks allocate many small objects and create no reference cycles; pausing the
    # cyclic collector spares it walking a big plan over and over (about a tenth of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        ctx = LintContext(plan)
        findings: list[Finding] = []
        findings.extend(check_strategy(ctx))
        findings.extend(check_teams(ctx))
        findings.extend(check_cycles(ctx))
        for objective in plan.objectives:
            findings.extend(check_objective(ctx, objective))
            findings.extend(check_key_results(ctx, objective))
            if progress is not None:
                progress(1)
        return sort_findings(plan, findings)
    finally:
        if collecting:
            gc.enable()


def lint_objective(plan: Plan, objective_id: str) -> list[Finding]:
    """The findings about one objective and its key results (live coaching while editing)."""
    ctx = LintContext(plan)
    objective = ctx.objectives.get(objective_id)
    if objective is None:
        return []
    findings: list[Finding] = []
    findings.extend(check_cycles(ctx, only=objective_id))
    findings.extend(check_objective(ctx, objective))
    findings.extend(check_key_results(ctx, objective))
    return sort_findings(plan, findings)


def sort_findings(plan: Plan, findings: list[Finding]) -> list[Finding]:
    """Findings by line, then rule; without lines (plans built in code) by plan order."""
    objectives = {o.id: i for i, o in reversed(list(enumerate(plan.objectives)))}
    teams = {t.id: i for i, t in enumerate(plan.teams)}
    levers = {lever.id: i for i, lever in enumerate(plan.levers)}
    offset = len(objectives) + 1

    def rank(finding: Finding) -> int:
        subject = RULES[finding.rule].subject
        key = finding.object or ""
        if subject == "file":
            return -1
        if subject == "lever":
            return offset + levers.get(key, 0)
        if subject == "team":
            return offset + len(levers) + teams.get(key, 0)
        return objectives.get(key.split("/", 1)[0], offset - 1)

    def order(finding: Finding) -> tuple[int, int, str, str]:
        line = finding.line if finding.line is not None else 0
        return (line, rank(finding), finding.rule, finding.object or "")

    return sorted(findings, key=order)
