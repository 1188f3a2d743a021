"""OKR files over HTTP: what `okr import` does, for CI publishing what `okr lint` checked.

A dry run first (the default): what would change and what the coach says, nothing written.
Then `dry_run=false` applies the file in one transaction through the same import as the CLI,
audited. Only the organisation's admins import, with a token that may write.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.errors import HttpError

from constellation.core import coach
from constellation.core.okrfile import OkrFileError, load_text
from constellation.core.okrfile.loader import decode
from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.import_schemas import FileProblemsOut, ImportOut
from constellation.server.api.problems import problem
from constellation.server.api.schemas import Message, ValidationProblems
from constellation.server.plans.transfer import ImportRefused, ImportReport, do_import_file

router = Router(tags=["imports"])

# Where the import's checks place a problem: `okrs.yaml:12:1: …`.
PLACE = re.compile(r"^.*?:(?P<line>\d+):(?P<column>\d+): ")
CHANGES_LIMIT = 1000
PROBLEMS_LIMIT = 200
YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/plain")
FILE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            **{kind: {"schema": {"type": "string"}} for kind in YAML_TYPES},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        },
    }
}
DESCRIPTION = (
    "The body is an OKR file (YAML, as `okr lint` and `okr import` read it; see the OKR file "
    "format), sent as `application/yaml` (or `text/yaml`, `text/plain`) or as the `file` "
    "field of a form. With `dry_run=true` (the default) nothing is written: the answer says "
    "what would be created, updated, left unchanged and kept, and what the coach says of the "
    "file, with its line numbers. With `dry_run=false` the file is applied in one transaction "
    "(all of it or nothing), audited, and the answer says what changed. A file that is not "
    "YAML or not an OKR file is a 422 whose `errors` name each problem's line and column. "
    "Only the organisation's admins import (403 otherwise), with a `write` token; send an "
    "`Idempotency-Key` so that a retried apply is applied once."
)


def _file_text(request: HttpRequest, name: str) -> str:
    """The file sent: the body, or a form's `file` field, as text (OkrFileError if binary)."""
    if request.content_type == "multipart/form-data":
        try:
            upload = request.FILES.get("file")
        except RequestDataTooBig as refused:
            # Refused while reading (UPLOAD_MAX_BYTES), before the rest of the body arrived.
            raise HttpError(413, str(refused)) from None
        if upload is None:
            raise FieldError("file", "send the OKR file in the form field `file`")
        return decode(upload.read(), name)
    if not request.body:
        raise FieldError("body", "send the OKR file (YAML) as the request body")
    return decode(request.body, name)


def _refused(problems: list[tuple[int | None, int | None, str, str]]) -> Status[dict[str, Any]]:
    """A 422 listing the file's problems, each where it is."""
    errors = []
    for line, column, message, kind in problems[:PROBLEMS_LIMIT]:
        where = [*(["line", line] if line else []), *(["column", column] if column else [])]
        errors.append(
            {
                "loc": ["body", *where],
                "path": ", ".join(f"{a} {b}" for a, b in zip(where[::2], where[1::2], strict=True))
                or "$",
                "line": line,
                "column": column,
                "msg": message,
                "type": kind,
            }
        )
    more = max(0, len(problems) - PROBLEMS_LIMIT)
    return Status(422, problem(422, errors, more=more) if more else problem(422, errors))


def _placed(message: str) -> tuple[int | None, int | None, str, str]:
    """A problem of the import's checks (`FILE:LINE:COL: message`) with its line and column."""
    found = PLACE.match(message)
    if found is None:
        return None, None, message, "import"
    return int(found["line"]), int(found["column"]), message, "import"


def _answer(report: ImportReport, findings: list[dict[str, Any]]) -> dict[str, Any]:
    body = report.as_dict()
    changes = body["changes"]
    return {
        **body,
        "changed": report.changed,
        "changes": changes[:CHANGES_LIMIT],
        "more_changes": max(0, len(changes) - CHANGES_LIMIT),
        "findings": findings,
    }


@router.post(
    "/orgs/{org}/imports",
    operation_id="importOkrFile",
    response={
        200: ImportOut,
        401: Message,
        403: Message,
        404: Message,
        422: FileProblemsOut | ValidationProblems,
    },
    summary="Import an OKR file: a dry run first, then apply it",
    description=DESCRIPTION,
    openapi_extra=FILE_BODY,
)
def create_import(
    request: HttpRequest,
    org: str,
    dry_run: Annotated[
        bool, Query(description="Only say what would change (the default); false applies it.")
    ] = True,
    name: Annotated[
        str, Query(max_length=200, description="The file's name, in problems and the history.")
    ] = "okrs.yaml",
) -> Status[dict[str, Any]]:
    """Check the file, import it (or not, in a dry run) and say what changes."""
    access = api_access(request, org, write=True)
    try:
        plan = load_text(_file_text(request, name), path=name)
    except OkrFileError as error:
        return _refused([(p.line, p.column, str(p), "okr_file") for p in error.problems])
    # The coach reads the file as `okr lint` does, before the import reads it.
    findings = [finding.as_dict() for finding in coach.lint(plan)]
    try:
        report = do_import_file(access, plan, actor=request.user, dry_run=dry_run)
    except ImportRefused as refused:
        return _refused([_placed(message) for message in refused.problems])
    return Status(200, _answer(report, findings))
