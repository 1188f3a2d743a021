"""What an import did (or would do): created, updated field by field, unchanged, kept."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Literal

from constellation.core import model

# The kinds of things an OKR file holds, in the order an import writes them.
KINDS = (
    "organization",
    "strategy",
    "lever",
    "team",
    "kpi",
    "period",
    "person",
    "objective",
    "key result",
    "initiative",
    "check-in",
)


class ImportRefused(Exception):
    """The file cannot be imported as it is; `problems` says why, one line each."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


def jsonable(value: Any) -> Any:
    """A value as the audit history and JSON output store it."""
    if isinstance(value, model.HealthyRange):
        return value.text()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field of one object: its value before and after."""

    field: str
    old: Any
    new: Any


@dataclass(slots=True)
class ObjectChange:
    """One object created or updated by an import."""

    kind: str
    key: str
    action: Literal["created", "updated"]
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class ImportReport:
    """The outcome of one import: every change, the unchanged and the kept-but-absent."""

    organization: str
    dry_run: bool = False
    changes: list[ObjectChange] = field(default_factory=list)
    unchanged: Counter[str] = field(default_factory=Counter)
    kept: dict[str, list[str]] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        """Whether the import changed (or would change) anything."""
        return bool(self.changes)

    def counts(self) -> dict[str, dict[str, int]]:
        """Created, updated, unchanged and kept counts of every kind that occurs."""
        counts = {kind: {"created": 0, "updated": 0, "unchanged": 0, "kept": 0} for kind in KINDS}
        for change in self.changes:
            counts[change.kind][change.action] += 1
        for kind, number in self.unchanged.items():
            counts[kind]["unchanged"] += number
        for kind, keys in self.kept.items():
            counts[kind]["kept"] += len(keys)
        return {kind: row for kind, row in counts.items() if any(row.values())}

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {
            "organization": self.organization,
            "dry_run": self.dry_run,
            "counts": self.counts(),
            "changes": [
                {
                    "kind": c.kind,
                    "key": c.key,
                    "action": c.action,
                    "fields": {f.field: [jsonable(f.old), jsonable(f.new)] for f in c.fields},
                }
                for c in self.changes
            ],
            "kept": self.kept,
        }
