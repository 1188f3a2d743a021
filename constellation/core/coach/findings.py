"""What the coach says: a finding names a rule, its severity, what it is about and a hint."""

from __future__ import annotations

import builtins
from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning", "info"]
SEVERITIES: tuple[Severity, ...] = ("error", "warning", "info")


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing the coach noticed, with the principle behind it and a concrete hint."""

    rule: str
    severity: Severity
    object: str | None
    line: int | None
    message: str
    hint: str

    # builtins.object: inside the class body "object" names the field above.
    def as_dict(self) -> dict[str, builtins.object]:
        """The finding as the spec's JSON object (rule, severity, object, line, message, hint)."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "object": self.object,
            "line": self.line,
            "message": self.message,
            "hint": self.hint,
        }
