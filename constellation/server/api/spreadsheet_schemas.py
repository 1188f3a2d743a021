"""Schemas of the OKR spreadsheets over the API: the import's preview and its refusals."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from constellation.server.api.schemas import Message, Out


class CountsOut(Out):
    """How many of one kind the file creates, changes and leaves as they are."""

    created: int
    updated: int
    unchanged: int = Field(description="Rows of the file whose values are already the server's.")


class ImportCountsOut(Out):
    """The counts of objectives and of key results."""

    objectives: CountsOut
    key_results: CountsOut


class FieldChangeOut(Out):
    """One changed field: its value before and after (owners by email, as in the file)."""

    field: str
    before: Any = None
    after: Any = None


class SheetChangeOut(Out):
    """An objective or key result the file creates or changes."""

    kind: Literal["objective", "key result"]
    key: str = Field(description="The objective's id, or `<objective id>/<key result id>`.")
    action: Literal["created", "updated"]
    fields: list[FieldChangeOut] = Field(description="Changed fields; empty when created.")


class SheetImportOut(Out):
    """What the file changes (`dry_run` true: would change; nothing was written)."""

    period: str
    dry_run: bool
    changed: bool = Field(description="Whether anything is (or would be) created or changed.")
    counts: ImportCountsOut
    changes: list[SheetChangeOut]


class SheetProblemOut(Out):
    """One problem of a refused file, by sheet, row and column."""

    loc: list[str | int] = Field(description='Where: `["body", "file", 7, "target"]`.')
    path: str = Field(description="`row 7, column target` (`Key results, row 7, …` in XLSX).")
    sheet: str | None = Field(description="The XLSX sheet; null in a CSV.")
    row: int = Field(description="The row number as the spreadsheet shows it (header: 1).")
    column: str | None
    msg: str = Field(description="`row 7, column target: 'abc' is not a number`.")
    type: str


class SheetProblemsOut(Message):
    """The file was refused as a whole and nothing was written; every problem is listed."""

    errors: list[SheetProblemOut]
