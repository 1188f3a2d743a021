"""Reading KPI readings from a CSV file: every problem named by line and column, or none.

A file is `date,value` (one KPI, known from where it is uploaded) or `kpi,date,value`
(several KPIs, named by their id). It is checked row by row, and a file with any problem is
refused as a whole: the caller gets the list of problems and saves nothing.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from constellation.server.kpis.actions import FIRST_DAY, LAST_DAY, ReadingRow
from constellation.server.kpis.models import Kpi

MAX_BYTES = 2_000_000
MAX_ROWS = 20_000
# Listing thousands of problems helps nobody; the count of the rest is given.
MAX_PROBLEMS = 50
COLUMNS = ("kpi", "date", "value")


@dataclass(frozen=True, slots=True)
class CsvProblem:
    """One problem of a file: where (line, column) and what."""

    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class CsvProblems(ValueError):
    """A file refused as a whole, with every problem found (up to MAX_PROBLEMS)."""

    def __init__(self, problems: list[CsvProblem], more: int = 0) -> None:
        self.problems = problems
        self.more = more
        summary = "; ".join(str(p) for p in problems[:3])
        super().__init__(f"The file was refused and nothing was saved: {summary}")

    @property
    def lines(self) -> list[str]:
        """Every problem as a sentence, and how many more were not listed."""
        out = [str(problem) for problem in self.problems]
        if self.more:
            out.append(f"…and {self.more} more problem{'s' if self.more != 1 else ''}")
        return out


def decode(data: bytes) -> str:
    """The file's text (UTF-8, with or without a byte-order mark), else CsvProblems."""
    if len(data) > MAX_BYTES:
        raise CsvProblems(
            [CsvProblem(1, None, f"the file is larger than {MAX_BYTES:,} bytes: split it")]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise CsvProblems(
            [CsvProblem(line, None, "the file is not UTF-8 text (save it as CSV UTF-8)")]
        ) from error


def _header(row: list[str], kpi: Kpi | None) -> list[str]:
    """The columns named by the header line, else CsvProblems naming line 1."""
    names = [cell.strip().lower() for cell in row]
    expected = "date,value" if kpi is not None else "kpi,date,value"
    unknown = [name for name in names if name not in COLUMNS]
    problems = [
        CsvProblem(1, name, f"unknown column '{name}' (expected {expected})") for name in unknown
    ]
    for name in ("date", "value") if kpi is not None else COLUMNS:
        if name not in names:
            problems.append(
                CsvProblem(1, name, f"the header has no '{name}' column (expected {expected})")
            )
    duplicates = {name for name in names if names.count(name) > 1}
    problems += [CsvProblem(1, name, f"the column '{name}' appears twice") for name in duplicates]
    if problems:
        raise CsvProblems(problems)
    return names


def _date(text: str) -> date | None:
    """An ISO day (YYYY-MM-DD only: `date.fromisoformat` also takes week dates)."""
    if len(text) != 10:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _value(text: str) -> float | None:
    try:
        number = float(text)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


class _Reader:
    """The state of one pass over a file's rows."""

    def __init__(self, kpi: Kpi | None, kpis: Mapping[str, Kpi]) -> None:
        self.kpi = kpi
        self.kpis = kpis
        self.problems: list[CsvProblem] = []
        self.rows: list[ReadingRow] = []
        self.first_line: dict[tuple[int, date], int] = {}

    def problem(self, line: int, column: str | None, message: str) -> None:
        self.problems.append(CsvProblem(line, column, message))

    def which_kpi(self, line: int, cells: dict[str, str]) -> Kpi | None:
        if "kpi" not in cells:
            return self.kpi
        slug = cells["kpi"]
        found = self.kpis.get(slug)
        if found is None:
            what = f"unknown KPI '{slug}'" if slug else "the KPI is empty"
            self.problem(line, "kpi", f"{what} (use a KPI's id, e.g. '{self._example()}')")
        elif self.kpi is not None and found.pk != self.kpi.pk:
            self.problem(
                line,
                "kpi",
                f"KPI '{slug}' is not this page's KPI ('{self.kpi.slug}'): upload files for "
                "several KPIs on the KPIs page",
            )
            return None
        return found

    def _example(self) -> str:
        return self.kpi.slug if self.kpi is not None else next(iter(self.kpis), "kpi-id")

    def read(self, line: int, names: list[str], row: list[str]) -> None:
        if len(row) != len(names):
            self.problem(
                line,
                None,
                f"expected {len(names)} columns ({', '.join(names)}), found {len(row)}",
            )
            return
        cells = {name: cell.strip() for name, cell in zip(names, row, strict=True)}
        kpi = self.which_kpi(line, cells)
        taken_on, value = _date(cells["date"]), _value(cells["value"])
        if taken_on is None:
            self.problem(
                line, "date", f"date '{cells['date']}' is not a date (write it as YYYY-MM-DD)"
            )
        elif not FIRST_DAY <= taken_on <= LAST_DAY:
            self.problem(line, "date", f"date {taken_on} is not between {FIRST_DAY} and {LAST_DAY}")
            taken_on = None
        if value is None:
            self.problem(line, "value", f"value '{cells['value']}' is not a number")
        if kpi is None or taken_on is None or value is None:
            return
        first = self.first_line.setdefault((kpi.pk, taken_on), line)
        if first != line:
            self.problem(
                line, "date", f"a second value for {kpi.slug} on {taken_on} (first on line {first})"
            )
            return
        self.rows.append(ReadingRow(kpi, taken_on, value, line))


def _records(text: str) -> list[tuple[int, list[str]]]:
    """The file's records with the line each ends on, else CsvProblems at the broken line."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    try:
        for row in reader:
            records.append((reader.line_num, row))
    except csv.Error as error:
        raise CsvProblems(
            [CsvProblem(reader.line_num, None, f"the file is not valid CSV: {error}")]
        ) from error
    return records


def parse_readings(text: str, *, kpi: Kpi | None, kpis: Mapping[str, Kpi]) -> list[ReadingRow]:
    """The file's readings; CsvProblems (nothing kept) when any line is wrong.

    `kpi` is the KPI the file is uploaded for (its `kpi` column, if any, must name it);
    without it the file needs a `kpi` column naming one of `kpis` (by slug) on every row.
    """
    numbered = [(n, row) for n, row in _records(text) if any(cell.strip() for cell in row)]
    if not numbered:
        expected = "date,value" if kpi is not None else "kpi,date,value"
        raise CsvProblems([CsvProblem(1, None, f"the file is empty: expected a header {expected}")])
    (_, header), body = numbered[0], numbered[1:]
    names = _header(header, kpi)
    if len(body) > MAX_ROWS:
        raise CsvProblems([CsvProblem(MAX_ROWS + 2, None, f"more than {MAX_ROWS:,} readings")])
    if not body:
        raise CsvProblems([CsvProblem(2, None, "the file has a header but no readings")])
    reader = _Reader(kpi, kpis)
    for line, row in body:
        reader.read(line, names, row)
    if reader.problems:
        shown = reader.problems[:MAX_PROBLEMS]
        raise CsvProblems(shown, more=len(reader.problems) - len(shown))
    return reader.rows


def readings_from_upload(
    data: bytes, *, kpi: Kpi | None, kpis: Mapping[str, Kpi]
) -> list[ReadingRow]:
    """Decode and parse an uploaded file (see `parse_readings`)."""
    return parse_readings(decode(data), kpi=kpi, kpis=kpis)
