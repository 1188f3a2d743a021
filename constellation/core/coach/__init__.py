"""The coach: reads a plan and says, rule by rule, what would make its OKRs better.

`lint(plan)` returns every finding; `lint_objective(plan, id)` the ones about one objective;
`RULES` is the catalogue of rules with their principles and examples.
"""

from __future__ import annotations

from constellation.core.coach.engine import lint, lint_objective, sort_findings
from constellation.core.coach.findings import SEVERITIES, Finding, Severity
from constellation.core.coach.rules import RULES, Rule

__all__ = [
    "RULES",
    "SEVERITIES",
    "Finding",
    "Rule",
    "Severity",
    "lint",
    "lint_objective",
    "sort_findings",
]
