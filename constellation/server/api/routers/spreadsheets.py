"""OKR spreadsheets over HTTP: a period's OKRs as XLSX or CSV, and a file's import.

Imports live under `/spreadsheet-imports` (`/imports` takes OKR files): a multipart upload
whose `dry_run` (true by default) answers what would change; `dry_run=false` applies it.
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router
from ninja.responses import Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.periods import choose_period
from constellation.server.api.problems import problem
from constellation.server.api.schemas import Message, ValidationProblems
from constellation.server.api.spreadsheet_schemas import SheetImportOut, SheetProblemsOut
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, access_team
from constellation.server.plans.sheets import (
    CHECK_IN_COLUMNS,
    CSV_TYPE,
    OKR_COLUMNS,
    XLSX_TYPE,
    export_tables,
    write_csv,
    write_xlsx,
)
from constellation.server.plans.sheets_import import SheetImport, do_import_sheet
from constellation.server.plans.sheets_read import MAX_BYTES, SheetProblems

router = Router(tags=["spreadsheets"])

EXPORTS = "/orgs/{org}/exports"
PERIOD = "A period key (`2026-Q3`, `2026`); default: the current period."
TEAM = "A team's id: only its objectives. Default: every team."
READ = {401: Message, 404: Message, 422: ValidationProblems}


def _file(media_type: str, what: str) -> dict[str, Any]:
    """The OpenAPI answer of a file download."""
    content = {media_type: {"schema": {"type": "string", "format": "binary"}}}
    return {"responses": {"200": {"description": what, "content": content}}}


def _period(access: Access, key: str | None) -> Period:
    """The one period an export or import is about; a 422 naming `period` otherwise."""
    chosen = choose_period(access, key)
    if chosen.period is None:
        raise FieldError("period", "name one period (`2026-Q3`): this has none", source="query")
    return chosen.period


def _download(content: str | bytes, media_type: str, name: str) -> HttpResponse:
    """The file as an attachment named `name`."""
    response = HttpResponse(content, content_type=media_type)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _tables(request: HttpRequest, org: str, period: str | None, team: str | None) -> Any:
    """The tables of the period (and team) asked for, after checking access."""
    access = api_access(request, org)
    chosen = _period(access, period)
    found = access_team(access, team) if team else None
    name = f"{access.organization.slug}-{chosen.key}" + (f"-{found.slug}" if found else "")
    return export_tables(access.organization, chosen, found), name


Period_ = Annotated[str | None, Query(description=PERIOD)]
Team_ = Annotated[str | None, Query(description=TEAM)]


@router.get(
    f"{EXPORTS}/okrs.xlsx",
    operation_id="exportOkrsXlsx",
    response=READ,
    summary="A period's objectives, key results and check-ins as an XLSX workbook",
    description="Three sheets (Objectives, Key results, Check-ins), each with a frozen header "
    "row; numbers, dates and true/false are typed cells, and a text that would start a "
    "formula is a text cell. The Objectives and Key results sheets import back.",
    openapi_extra=_file(XLSX_TYPE, "The workbook."),
)
def export_xlsx(request: HttpRequest, org: str, period: Period_ = None, team: Team_ = None) -> Any:
    """The workbook of a period (or of one team in it)."""
    tables, name = _tables(request, org, period, team)
    return _download(write_xlsx(tables), XLSX_TYPE, f"{name}-okrs.xlsx")


@router.get(
    f"{EXPORTS}/okrs.csv",
    operation_id="exportOkrsCsv",
    response=READ,
    summary="A period's objectives and key results as CSV (the importable table)",
    description="One row per key result with its objective's columns; an objective without "
    "key results has a row of its own. A text starting with `=`, `+`, `-`, `@`, a tab or a "
    "carriage return is written with a leading `'`, which the import takes off.",
    openapi_extra=_file("text/csv", "The CSV table (UTF-8)."),
)
def export_csv(request: HttpRequest, org: str, period: Period_ = None, team: Team_ = None) -> Any:
    """The objectives-and-key-results table of a period (or of one team in it)."""
    tables, name = _tables(request, org, period, team)
    return _download(write_csv(OKR_COLUMNS, tables.okr_rows()), CSV_TYPE, f"{name}-okrs.csv")


@router.get(
    f"{EXPORTS}/check-ins.csv",
    operation_id="exportCheckInsCsv",
    response=READ,
    summary="A period's check-ins as CSV",
    description="One row per check-in: objective, key_result, on, value, confidence, done, "
    "note. Exported only: the import reads objectives and key results.",
    openapi_extra=_file("text/csv", "The CSV table (UTF-8)."),
)
def export_check_ins(
    request: HttpRequest, org: str, period: Period_ = None, team: Team_ = None
) -> Any:
    """The check-ins of a period (or of one team in it)."""
    tables, name = _tables(request, org, period, team)
    content = write_csv(CHECK_IN_COLUMNS, tables.check_ins)
    return _download(content, CSV_TYPE, f"{name}-check-ins.csv")


UPLOAD = {
    "requestBody": {
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        }
    }
}


def import_out(result: SheetImport) -> dict[str, Any]:
    """An import's preview (or outcome) as the API shows it."""
    counts = result.counts()
    return {
        "period": result.period,
        "dry_run": result.dry_run,
        "changed": result.changed,
        "counts": {"objectives": counts["objective"], "key_results": counts["key result"]},
        "changes": result.changes(),
    }


def _refused(refused: SheetProblems) -> Status[dict[str, Any]]:
    """A 422 listing the file's problems by sheet, row and column."""
    detail = [
        {
            "loc": ["body", "file", p.row, *([p.column] if p.column else [])],
            "path": p.where(),
            "sheet": p.sheet,
            "row": p.row,
            "column": p.column,
            "msg": str(p),
            "type": "sheet_error",
        }
        for p in refused.problems
    ]
    return Status(422, problem(422, detail))


def _upload(request: HttpRequest) -> tuple[bytes, str]:
    """The uploaded file (size checked before it is read) and its name."""
    upload = request.FILES.get("file")
    if upload is None:
        raise FieldError("file", "send the CSV or XLSX file in the multipart form field `file`")
    if upload.size is not None and upload.size > MAX_BYTES:
        raise FieldError("file", f"the file is larger than {MAX_BYTES:,} bytes")
    return upload.read(), upload.name or "upload.csv"


@router.post(
    "/orgs/{org}/spreadsheet-imports",
    operation_id="importOkrSpreadsheet",
    response={
        200: SheetImportOut,
        401: Message,
        403: Message,
        404: Message,
        422: SheetProblemsOut | ValidationProblems,
    },
    summary="Import objectives and key results from a CSV or XLSX file",
    description="The file has the columns of `exportOkrsCsv` (or the Objectives and Key "
    "results sheets of `exportOkrsXlsx`). With `dry_run` (the default) nothing is written and "
    "the answer says what would change: new objectives and key results, changed fields as "
    "before and after, unchanged rows counted. `dry_run=false` applies it in one transaction. "
    "A file with any bad cell is refused (422) with each problem by sheet, row and column.",
    openapi_extra=UPLOAD,
)
def import_spreadsheet(
    request: HttpRequest,
    org: str,
    period: Period_ = None,
    dry_run: Annotated[bool, Query(description="Only say what would change.")] = True,
) -> Status[dict[str, Any]]:
    """Preview or apply a spreadsheet's objectives and key results in a period."""
    access = api_access(request, org, write=True)
    chosen = _period(access, period)
    data, name = _upload(request)
    try:
        result = do_import_sheet(access, chosen, data, name, request.user, dry_run=dry_run)
    except SheetProblems as refused:
        return _refused(refused)
    return Status(200, import_out(result))
