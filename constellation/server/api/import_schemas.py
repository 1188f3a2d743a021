"""Schemas of OKR file imports: what an import did (or would do) and what the coach says."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from constellation.server.api.schemas import FindingOut, Message, Out


class ImportCounts(Out):
    """How many things of one kind the import creates, updates, leaves and keeps."""

    created: int
    updated: int
    unchanged: int
    kept: int = Field(description="In the organisation but not in the file: kept as they are.")


class ImportChangeOut(Out):
    """One thing the import creates or updates, with each changed field's old and new value."""

    kind: str = Field(description="`objective`, `key result`, `check-in`, `team`…")
    key: str = Field(description="Its id: `activation`, `activation/week1-activation`…")
    action: Literal["created", "updated"]
    fields: dict[str, list[Any]] = Field(description="`{field: [old, new]}` of an update.")


class ImportOut(Out):
    """What the import did, or with `dry_run` would do (nothing written)."""

    organization: str
    dry_run: bool
    changed: bool = Field(description="Whether anything changes.")
    counts: dict[str, ImportCounts] = Field(description="By kind, in the order they are written.")
    changes: list[ImportChangeOut] = Field(description="The first 1,000 changes.")
    more_changes: int = Field(description="How many further changes were not listed.")
    kept: dict[str, list[str]]
    findings: list[FindingOut] = Field(
        description="What the coach says of the file, as `okr lint --format json` (with lines)."
    )


class FileProblemOut(Out):
    """One problem of a refused OKR file, where it is."""

    loc: list[str | int] = Field(description='`["body", "line", 12, "column", 7]`.')
    path: str = Field(description="`line 12, column 7`.")
    line: int | None
    column: int | None
    msg: str = Field(description="`okrs.yaml:12:7: key_results must be a list`.")
    type: str = Field(description="`okr_file` (YAML or the format) or `import` (the data).")


class FileProblemsOut(Message):
    """The file was refused as a whole and nothing was written; every problem is listed."""

    errors: list[FileProblemOut]
