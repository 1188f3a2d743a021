"""The coach: reads a plan and says, rule by rule, what would make its OKRs better.

`lint(plan)` returns every finding; `lint_objective(plan, id)` the ones about one objective;
`RULES` is the catalogue of rules with their principles and examples.
"""

from __future__ import annotations

from constellation.core.coach.engine import lint, lint_objective, sort_findings
from constellation.core.coach.findings import FIXES, SEVERITIES, Finding, Fix, Severity
from constellation.core.coach.rules import RULES, Rule

__all__ = [
    "FIXES",
    "RULES",
    "SEVERITIES",
    "Finding",
    "Fix",
    "Rule",
    "Severity",
    "lint",
    "lint_objective",
    "sort_findings",
]
