"""A period's OKRs as spreadsheets: the tables, their columns, XLSX and CSV files.

The columns use the OKR file's words (docs/spreadsheets.md). One table holds objectives with
their key results (one row per key result, an objective without any on a row of its own):
it is the CSV that `sheets_import` reads back. The XLSX workbook splits it into an
Objectives sheet and a Key results sheet (also importable), plus the check-ins.

No cell ever starts a formula: a text beginning with `=`, `+`, `-`, `@`, a tab or a carriage
return is an XLSX string cell (quote-prefixed, as Excel stores typed text) and,
in a CSV, is prefixed with one `'` (OWASP's advice), which the import takes off again.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from constellation.core import model
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.models import Organization, Team
from constellation.server.plans.transfer_export import read_org

OBJECTIVE_COLUMNS = (
    "team",
    "objective",
    "objective_title",
    "focus",
    "commitment",
    "objective_owner",
)
KEY_RESULT_COLUMNS = (
    "key_result",
    "key_result_title",
    "type",
    "baseline",
    "target",
    "unit",
    "current",
    "done",
    "confidence",
    "weight",
    "healthy",
    "key_result_owner",
)
# The importable table: objective columns then key result columns, one row per key result.
OKR_COLUMNS = (*OBJECTIVE_COLUMNS, *KEY_RESULT_COLUMNS)
# The Key results sheet names its objective by id only.
KR_SHEET_COLUMNS = ("objective", *KEY_RESULT_COLUMNS)
CHECK_IN_COLUMNS = ("objective", "key_result", "on", "value", "confidence", "done", "note")
SHEETS = {
    "Objectives": OBJECTIVE_COLUMNS,
    "Key results": KR_SHEET_COLUMNS,
    "Check-ins": CHECK_IN_COLUMNS,
}
# What a spreadsheet would run as a formula (or DDE command) if a cell began with it.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"
MAX_WIDTH = 60

Row = dict[str, Any]


def csv_escape(text: str) -> str:
    """A text as a CSV cell that no spreadsheet runs: `'` before a formula's first character.

    A text already starting with `'` gets one more, so the import's `csv_unescape` gives
    every text back exactly.
    """
    if text.startswith(FORMULA_STARTS) or text.startswith("'"):
        return "'" + text
    return text


def csv_unescape(text: str) -> str:
    """The text a CSV cell written by `csv_escape` holds."""
    if len(text) > 1 and text[0] == "'" and text[1:].startswith((*FORMULA_STARTS, "'")):
        return text[1:]
    return text


@dataclass
class OkrTables:
    """A period's objectives, key results and check-ins as rows of plain values."""

    objectives: list[Row]
    key_results: list[Row]
    check_ins: list[Row]

    def okr_rows(self) -> Iterator[Row]:
        """The importable table: each key result with its objective's columns, in order."""
        by_objective: dict[str, list[Row]] = {}
        for kr in self.key_results:
            by_objective.setdefault(kr["objective"], []).append(kr)
        for objective in self.objectives:
            krs = by_objective.get(objective["objective"]) or [{}]
            for kr in krs:
                yield {**objective, **{name: kr.get(name) for name in KEY_RESULT_COLUMNS}}


def _number(value: float | None) -> float | int | None:
    """A whole number as an int (a spreadsheet shows 10, not 10.0), else the value."""
    if value is not None and float(value).is_integer() and abs(value) < 2**53:
        return int(value)
    return value


def objective_row(objective: model.Objective, emails: dict[str, str]) -> Row:
    """One objective's columns."""
    return {
        "team": objective.team,
        "objective": objective.id,
        "objective_title": objective.title,
        "focus": objective.focus,
        "commitment": objective.commitment,
        "objective_owner": emails.get(objective.owner or "", objective.owner),
    }


def key_result_row(objective: model.Objective, kr: model.KeyResult, emails: dict[str, str]) -> Row:
    """One key result's columns, named by its objective."""
    return {
        "objective": objective.id,
        "key_result": kr.id,
        "key_result_title": kr.title,
        "type": kr.type,
        "baseline": _number(kr.baseline),
        "target": _number(kr.target),
        "unit": kr.unit,
        "current": _number(kr.current),
        "done": kr.done,
        "confidence": kr.confidence,
        "weight": _number(kr.weight),
        "healthy": kr.healthy.text() if kr.healthy else None,
        "key_result_owner": emails.get(kr.owner or "", kr.owner),
    }


def tables_of(objectives: Iterable[model.Objective], emails: dict[str, str]) -> OkrTables:
    """The rows of these objectives, their key results and check-ins."""
    tables = OkrTables([], [], [])
    for objective in objectives:
        tables.objectives.append(objective_row(objective, emails))
        for kr in objective.key_results:
            tables.key_results.append(key_result_row(objective, kr, emails))
            tables.check_ins += [
                {
                    "objective": objective.id,
                    "key_result": kr.id,
                    "on": check_in.on,
                    "value": _number(check_in.value),
                    "confidence": check_in.confidence,
                    "done": check_in.done,
                    "note": check_in.note or None,
                }
                for check_in in kr.check_ins
            ]
    return tables


def owner_emails(usernames: Iterable[str]) -> dict[str, str]:
    """Username → email of these people (one query); a person with no email is left out."""
    names = {name for name in usernames if name}
    if not names:
        return {}
    rows = get_user_model().objects.filter(username__in=names).values_list("username", "email")
    return {username: email for username, email in rows if email}


def period_objectives(
    organization: Organization, period: Period, team: Team | None = None, *, lock: bool = False
) -> list[model.Objective]:
    """A period's objectives (one team's, if given) with their key results and check-ins.

    `lock` takes row locks (PostgreSQL) for an import that lays a file over them; it reads no
    check-in: the import leaves them as they are, and comparing them would only take time.
    """
    objectives = Objective.objects.filter(organization=organization, period=period)
    if team is not None:
        objectives = objectives.filter(team=team)
    rows = read_org(organization, objectives, lock=lock, check_ins=not lock)
    return [rows.objective_data(row) for row in rows.objectives]


def export_tables(organization: Organization, period: Period, team: Team | None) -> OkrTables:
    """The tables of a period (or of one team in it), in a fixed number of queries."""
    objectives = period_objectives(organization, period, team)
    owners = [o.owner or "" for o in objectives]
    owners += [kr.owner or "" for o in objectives for kr in o.key_results]
    return tables_of(objectives, owner_emails(owners))


def _width(values: Iterable[Any], header: str) -> float:
    """A column wide enough for its header and most of its values, within reason."""
    longest = max((len(str(v)) for v in values if v is not None), default=0)
    return min(MAX_WIDTH, max(len(header), longest, 6) + 2)


def _add_sheet(book: Workbook, title: str, columns: Sequence[str], rows: list[Row]) -> None:
    """One sheet: sized columns, a bold frozen header row and a row per item."""
    sheet: WriteOnlyWorksheet = book.create_sheet(title)
    # The stubs leave out the write-only sheet's column dimensions, which openpyxl gives it.
    dimensions = sheet.column_dimensions  # type: ignore[attr-defined]
    for index, name in enumerate(columns, start=1):
        dimensions[get_column_letter(index)].width = _width((row.get(name) for row in rows), name)
    sheet.freeze_panes = "A2"
    # openpyxl writes a sheet's <dimension> when the sheet can say it, which a write-only one
    # cannot by itself: without it, reading the workbook back parses every sheet whole to size
    # it, the 96,000 check-ins of a large period included, before the import reads a row.
    last = f"{get_column_letter(len(columns))}{len(rows) + 1}"
    sheet.calculate_dimension = lambda: f"A1:{last}"  # type: ignore[attr-defined]
    bold = Font(bold=True)
    header = []
    for name in columns:
        cell = WriteOnlyCell(sheet, value=name)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([_xlsx_value(sheet, row.get(name)) for name in columns])


def _xlsx_value(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    """A value as openpyxl should write it: a text that would start a formula becomes a
    quote-prefixed string cell (as Excel stores typed text), never a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # openpyxl would otherwise take "=…" for a formula
        cell.quotePrefix = True
        return cell
    return value


def write_xlsx(tables: OkrTables) -> bytes:
    """The workbook: Objectives, Key results and Check-ins sheets (openpyxl's write-only mode,
    which streams rows instead of keeping a cell object for each)."""
    book = Workbook(write_only=True)
    _add_sheet(book, "Objectives", OBJECTIVE_COLUMNS, tables.objectives)
    _add_sheet(book, "Key results", KR_SHEET_COLUMNS, tables.key_results)
    _add_sheet(book, "Check-ins", CHECK_IN_COLUMNS, tables.check_ins)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_value(value: Any) -> str:
    """A value as a CSV cell: numbers as written, booleans as true/false, texts escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, int | float):
        return repr(value) if isinstance(value, float) else str(value)
    return csv_escape(str(value))


def write_csv(columns: Sequence[str], rows: Iterable[Row]) -> str:
    """A CSV table with a header line (UTF-8 text; the caller adds no byte-order mark)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([csv_value(row.get(name)) for name in columns])
    return out.getvalue()
