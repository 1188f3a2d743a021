"""What the coach says: a finding names a rule, its severity, what it is about and a hint.

Each finding says it twice: in the words of the OKR file (`message`, `hint`: keys, ids, as
`okr lint` prints them and the file contract keeps them) and in the words of a page
(`plain_message`, `plain_hint`: titles rather than ids, no file keys, as the web app shows
them), with the kind of one-step `fix` a page may offer (see `FIXES`).
"""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")

# The one-step fixes a finding may point to; a face decides how to offer each (a link, a form).
Fix = Literal[
    "move-to-initiatives",  # the key result becomes an initiative of its objective
    "add-key-result",  # the objective needs another key result
    "pick-lever",  # the objective should model one of the strategy's levers
    "make-guardrail",  # the kept level becomes a KPI, a guardrail of the objective
    "set-measure",  # the key result needs its baseline and target
    "rewrite-key-result",  # the key result's statement needs rewriting
    "rewrite-objective",  # the objective's title needs rewriting
    "add-lever",  # the strategy needs levers
    "new-objective",  # a lever needs an objective that models it
]
FIXES: tuple[Fix, ...] = (
    "move-to-initiatives",
    "add-key-result",
    "pick-lever",
    "make-guardrail",
    "set-measure",
    "rewrite-key-result",
    "rewrite-objective",
    "add-lever",
    "new-objective",
)


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the coach noticed, with the principle behind it and a concrete hint."""

    rule: str
    severity: Severity
    object: str | None
    line: int | None
    message: str
    hint: str
    plain_message: str = ""
    plain_hint: str = ""
    fix: Fix | None = None

    # builtins.object: inside the class body "object" names the field above.
    def as_dict(self) -> dict[str, builtins.object]:
        """The finding as the spec's JSON object (rule, severity, object, line, message, hint):
        the file's words only, as `okr lint` and the API give them."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "object": self.object,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
        }
