"""Reading an OKR spreadsheet (CSV or XLSX) into records, every problem named by row and column.

A CSV is the objectives-and-key-results table (`sheets.OKR_COLUMNS`). An XLSX is either that
table on its first sheet, or the export's workbook: an Objectives sheet and a Key results
sheet (its Check-ins sheet is not read). Cells are checked one by one and every problem is
kept (up to MAX_PROBLEMS), so a person fixes the whole file at once.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import load_workbook

from constellation.core import model
from constellation.core.okrfile.schema import is_id
from constellation.server.plans.sheets import (
    KEY_RESULT_COLUMNS,
    KR_SHEET_COLUMNS,
    OBJECTIVE_COLUMNS,
    OKR_COLUMNS,
    csv_unescape,
)

# An upload larger than this is refused before it is read (docs/spreadsheets.md).
MAX_BYTES = 5_000_000
MAX_ROWS = 20_000
MAX_PROBLEMS = 100
FOCUS = ("customer", "business", "both")
COMMITMENT = ("committed", "aspirational")
TYPES = ("metric", "milestone", "range")
TRUE = ("true", "yes", "1", "done")
FALSE = ("false", "no", "0")
# The sheets of the export's workbook that an import reads.
IMPORTED_SHEETS = ("Objectives", "Key results")


@dataclass(frozen=True, slots=True)
class Problem:
    """One problem of a file: where (sheet, row, column) and what."""

    row: int
    column: str | None
    message: str
    sheet: str | None = None

    def where(self) -> str:
        """`row 7, column target` (after the sheet's name in a workbook)."""
        sheet = f"{self.sheet}, " if self.sheet else ""
        column = f", column {self.column}" if self.column else ""
        return f"{sheet}row {self.row}{column}"

    def __str__(self) -> str:
        return f"{self.where()}: {self.message}"


class SheetProblems(ValueError):
    """A file refused as a whole, with every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("; ".join(str(p) for p in problems[:3]))
        self.problems = problems


@dataclass(slots=True)
class ObjectiveRecord:
    """An objective as a file's row gives it."""

    row: int
    sheet: str | None
    id: str
    team: str
    title: str
    focus: model.Focus | None
    commitment: model.Commitment
    owner: str | None


@dataclass(slots=True)
class KeyResultRecord:
    """A key result as a file's row gives it (its id None when the row gives none)."""

    row: int
    sheet: str | None
    objective: str
    id: str | None
    title: str
    type: model.KrType
    baseline: float | None
    target: float | None
    unit: str | None
    current: float | None
    done: bool | None
    confidence: int | None
    weight: float
    healthy: model.HealthyRange | None
    owner: str | None


@dataclass
class Records:
    """Everything a file gives, in file order, and what is wrong with it."""

    objectives: list[ObjectiveRecord] = field(default_factory=list)
    key_results: list[KeyResultRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class Cells:
    """One row's cells by column name, each read as its column's type (problems noted)."""

    def __init__(self, values: dict[str, Any], row: int, sheet: str | None, out: Records) -> None:
        """Read the row `row` of `sheet`; problems go to `out`."""
        self.values = values
        self.row = row
        self.sheet = sheet
        self.out = out

    def bad(self, column: str, message: str) -> None:
        """Note a problem of one cell."""
        self.out.problems.append(Problem(self.row, column, message, self.sheet))

    def text(self, column: str, *, exact: bool = False) -> str | None:
        """A text cell, stripped (`exact`: as written, so a title round-trips); blank is None."""
        value = self.values.get(column)
        if value is None:
            return None
        if isinstance(value, float | int) and not isinstance(value, bool):
            value = _number_text(value)
        text = str(value)
        if not text.strip():
            return None
        return text if exact else text.strip()

    def identifier(self, column: str) -> str | None:
        """An id: letters, digits, '_', '.', '-'."""
        text = self.text(column)
        if text is not None and not is_id(text):
            self.bad(column, f"{text!r} is not an id: letters, digits, '_', '.' and '-'")
            return None
        return text

    def choice(self, column: str, allowed: Sequence[str]) -> str | None:
        """One of a few words (any case)."""
        text = self.text(column)
        if text is not None and text.lower() not in allowed:
            self.bad(column, f"{text!r} is not one of {', '.join(allowed)}")
            return None
        return text.lower() if text else None

    def number(self, column: str) -> float | None:
        """A finite number; blank is None."""
        value = self.values.get(column)
        if isinstance(value, bool):
            self.bad(column, f"{value!r} is not a number")
            return None
        if isinstance(value, int | float):
            number = float(value)
        else:
            text = self.text(column)
            if text is None:
                return None
            try:
                # Python reads 1_000 and nan; a spreadsheet's number has neither.
                if "_" in text or text.lower().strip("+-") in ("nan", "inf", "infinity"):
                    raise ValueError(text)
                number = float(text)
            except ValueError:
                self.bad(column, f"{text!r} is not a number (digits, '.' for decimals)")
                return None
        if not math.isfinite(number):
            self.bad(column, "is not a finite number")
            return None
        return number

    def whole(self, column: str, low: int, high: int) -> int | None:
        """A whole number from `low` to `high`."""
        number = self.number(column)
        if number is None:
            return None
        if not number.is_integer() or not low <= number <= high:
            self.bad(column, f"{_number_text(number)} is not a whole number from {low} to {high}")
            return None
        return int(number)

    def flag(self, column: str) -> bool | None:
        """true/false (yes/no, 1/0); blank is None."""
        value = self.values.get(column)
        if isinstance(value, bool):
            return value
        text = self.text(column)
        if text is None:
            return None
        if text.lower() in TRUE:
            return True
        if text.lower() in FALSE:
            return False
        self.bad(column, f"{text!r} is not true or false")
        return None

    def healthy(self, column: str) -> model.HealthyRange | None:
        """A healthy range in the file's syntax."""
        text = self.text(column)
        if text is None:
            return None
        try:
            return model.parse_healthy(text)
        except ValueError as error:
            self.bad(column, str(error))
            return None


def _number_text(number: float) -> str:
    """A number as a person writes it (10, not 10.0)."""
    return str(int(number)) if float(number).is_integer() else repr(float(number))


def objective_record(cells: Cells) -> ObjectiveRecord | None:
    """The objective a row names (None, with problems noted, when it cannot be read).

    Team and title may be blank on a later row of the same objective (`Reader.objective`).
    """
    before = len(cells.out.problems)
    slug = cells.identifier("objective")
    if slug is None and len(cells.out.problems) == before:
        cells.bad("objective", "is empty: every row names its objective's id")
    team = cells.identifier("team")
    title = cells.text("objective_title", exact=True)
    focus = cells.choice("focus", FOCUS)
    commitment = cells.choice("commitment", COMMITMENT)
    owner = cells.text("objective_owner")
    if len(cells.out.problems) > before or slug is None:
        return None
    return ObjectiveRecord(
        cells.row,
        cells.sheet,
        slug,
        team or "",
        title or "",
        focus,  # type: ignore[arg-type]
        commitment or "committed",  # type: ignore[arg-type]
        owner,
    )


def key_result_record(cells: Cells, objective: str) -> KeyResultRecord | None:
    """The key result a row gives, or None when its key result columns are all blank."""
    if all(cells.text(name) is None for name in KEY_RESULT_COLUMNS):
        return None
    before = len(cells.out.problems)
    slug = cells.identifier("key_result")
    title = cells.text("key_result_title", exact=True)
    if title is None:
        cells.bad("key_result_title", "is empty: a key result needs a title")
    kind = cells.choice("type", TYPES) or "metric"
    values = {
        "baseline": cells.number("baseline"),
        "target": cells.number("target"),
        "current": cells.number("current"),
    }
    done = cells.flag("done")
    confidence = cells.whole("confidence", 0, 10)
    weight = cells.number("weight")
    if weight is not None and weight <= 0:
        cells.bad("weight", f"{_number_text(weight)} is not above 0")
    healthy = cells.healthy("healthy")
    if len(cells.out.problems) > before:
        return None
    return KeyResultRecord(
        row=cells.row,
        sheet=cells.sheet,
        objective=objective,
        id=slug,
        title=title or "",
        type=kind,  # type: ignore[arg-type]
        unit=cells.text("unit", exact=True),
        done=done,
        confidence=confidence,
        weight=1.0 if weight is None else weight,
        healthy=healthy,
        owner=cells.text("key_result_owner"),
        **values,
    )


def _csv_rows(data: bytes) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header and the numbered rows of a CSV file (UTF-8, with or without a BOM)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SheetProblems(
            [Problem(1, None, f"the file is not UTF-8 text (byte {error.start + 1})")]
        ) from error
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, [])
        body = [(number, row) for number, row in enumerate(reader, start=2)]
    except csv.Error as error:
        raise SheetProblems([Problem(reader.line_num, None, f"not CSV: {error}")]) from error
    unescaped = ((n, [csv_unescape(cell) for cell in row]) for n, row in body)
    return [cell.strip() for cell in header], unescaped


def _xlsx_sheets(data: bytes) -> dict[str, list[tuple[int, list[Any]]]]:
    """The numbered rows of the sheets an import reads: Objectives and Key results when the
    workbook has both (its Check-ins are not read), else the first sheet."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise SheetProblems([Problem(1, None, "the file is not an XLSX workbook")]) from error
    problems: list[Problem] = []
    try:
        names = book.sheetnames
        wanted = IMPORTED_SHEETS if set(IMPORTED_SHEETS) <= set(names) else names[:1]
        sheets = {name: _sheet_rows(book[name], problems) for name in wanted}
    finally:
        book.close()
    if problems:
        raise SheetProblems(problems[:MAX_PROBLEMS])
    return sheets


def _sheet_rows(sheet: Any, problems: list[Problem]) -> list[tuple[int, list[Any]]]:
    """One sheet's rows of cell values; a formula cell is a problem named by its column."""
    rows: list[tuple[int, list[Any]]] = []
    header: list[Any] = []
    for number, cells in enumerate(sheet.iter_rows(), start=1):
        if number > MAX_ROWS + 1:
            problems.append(Problem(number, None, f"more than {MAX_ROWS} rows", sheet.title))
            break
        values = [getattr(cell, "value", None) for cell in cells]
        for index, cell in enumerate(cells):
            if getattr(cell, "data_type", None) == "f":
                column = str(header[index]) if index < len(header) and header[index] else None
                message = "a formula: type its value instead"
                problems.append(Problem(number, column, message, sheet.title))
        header = header or values
        rows.append((number, values))
    return rows


def _cell_value(value: Any) -> Any:
    """A cell's value as the records read it: dates as dates, texts as texts."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return value


class Reader:
    """Turns the rows of one or two tables into records, noting every problem."""

    def __init__(self) -> None:
        """Start with no records."""
        self.out = Records()
        self.seen: dict[str, ObjectiveRecord] = {}

    def header(self, sheet: str | None, header: list[Any], columns: Sequence[str]) -> list[str]:
        """The column names, checked: every expected column, no unknown or repeated one."""
        names = [str(name).strip() if name is not None else "" for name in header]
        for index, name in enumerate(names, start=1):
            if name and name not in columns:
                self.out.problems.append(
                    Problem(1, name, f"is not a column of the OKR sheet (column {index})", sheet)
                )
            elif name and names.count(name) > 1 and names.index(name) == index - 1:
                self.out.problems.append(Problem(1, name, "appears twice", sheet))
        for name in columns:
            if name not in names:
                self.out.problems.append(Problem(1, name, "is missing from the header", sheet))
        return names

    def rows(
        self, sheet: str | None, names: list[str], rows: Iterator[tuple[int, list[Any]]] | list
    ) -> Iterator[Cells]:
        """Each non-blank row as cells by column name."""
        for count, (number, row) in enumerate(rows, start=1):
            if count > MAX_ROWS:
                self.out.problems.append(Problem(number, None, f"more than {MAX_ROWS} rows", sheet))
                return
            values = {
                name: _cell_value(value)
                for name, value in zip(names, row, strict=False)
                if name and value is not None and value != ""
            }
            if values:
                yield Cells(values, number, sheet, self.out)

    def objective(self, cells: Cells) -> ObjectiveRecord | None:
        """The row's objective; a later row of the same objective must agree with the first."""
        record = objective_record(cells)
        if record is None:
            return None
        first = self.seen.get(record.id)
        if first is None:
            if not record.team:
                cells.bad("team", "is empty: name the objective's team by its id")
            if not record.title:
                cells.bad("objective_title", "is empty: an objective needs a title")
            self.seen[record.id] = record
            self.out.objectives.append(record)
            return record
        for name, mine, theirs in _differences(first, record, cells):
            cells.bad(name, f"{mine!r} differs from row {first.row} ({theirs!r}) of {first.id}")
        return first

    def table(self, sheet: str | None, header: list[Any], rows: Any) -> None:
        """The objectives-and-key-results table."""
        names = self.header(sheet, header, OKR_COLUMNS)
        if self.out.problems:
            return
        for cells in self.rows(sheet, names, rows):
            objective = self.objective(cells)
            if objective is not None:
                self.key_result(cells, objective.id)

    def key_result(self, cells: Cells, objective: str) -> None:
        """The row's key result, if it has one."""
        record = key_result_record(cells, objective)
        if record is not None:
            self.out.key_results.append(record)

    def workbook(self, sheets: dict[str, list[tuple[int, list[Any]]]]) -> None:
        """The export's workbook (Objectives and Key results), or one table on the first sheet."""
        if "Objectives" not in sheets or "Key results" not in sheets:
            name, rows = next(iter(sheets.items()), ("", []))
            self.table(name, rows[0][1] if rows else [], rows[1:])
            return
        objectives, key_results = sheets["Objectives"], sheets["Key results"]
        names = self.header("Objectives", objectives[0][1] if objectives else [], OBJECTIVE_COLUMNS)
        kr_names = self.header(
            "Key results", key_results[0][1] if key_results else [], KR_SHEET_COLUMNS
        )
        if self.out.problems:
            return
        for cells in self.rows("Objectives", names, objectives[1:]):
            self.objective(cells)
        for cells in self.rows("Key results", kr_names, key_results[1:]):
            slug = cells.text("objective")
            if slug is None:
                cells.bad("objective", "is empty: name the key result's objective by its id")
            elif slug not in self.seen:
                cells.bad("objective", f"{slug!r} is not on the Objectives sheet")
            else:
                self.key_result(cells, slug)


def _differences(
    first: ObjectiveRecord, other: ObjectiveRecord, cells: Cells
) -> Iterator[tuple[str, Any, Any]]:
    """The objective columns a later row of an objective fills in differently (blank: same)."""
    pairs = {
        "team": (other.team, first.team),
        "objective_title": (other.title, first.title),
        "focus": (other.focus, first.focus),
        "commitment": (other.commitment, first.commitment),
        "objective_owner": (other.owner, first.owner),
    }
    for name, (mine, theirs) in pairs.items():
        if cells.text(name) is not None and mine != theirs:
            yield name, mine, theirs


def read_records(data: bytes, filename: str) -> Records:
    """The file's records; SheetProblems when it cannot be read at all or has bad cells."""
    if len(data) > MAX_BYTES:
        raise SheetProblems([Problem(1, None, f"the file is larger than {MAX_BYTES:,} bytes")])
    reader = Reader()
    if filename.lower().endswith(".xlsx") or data[:4] == b"PK\x03\x04":
        reader.workbook(_xlsx_sheets(data))
    else:
        header, rows = _csv_rows(data)
        reader.table(None, header, rows)
    if reader.out.problems:
        raise SheetProblems(reader.out.problems[:MAX_PROBLEMS])
    return reader.out
