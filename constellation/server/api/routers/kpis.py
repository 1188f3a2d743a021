"""KPIs over HTTP: define them, record readings (JSON or CSV) and promote one into a key result.

The same rules as the web app: anyone in the organisation reads, leaders and admins define
and promote KPIs, everyone but viewers records readings.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.kpi_schemas import (
    CSV_HELP,
    CsvProblemsOut,
    KpiDetailOut,
    KpiIn,
    KpiPatch,
    PromotedOut,
    PromoteIn,
    ReadingIn,
    ReadingOut,
    ReadingsSaved,
)
from constellation.server.api.problems import problem
from constellation.server.api.schemas import ConflictMessage, Message, ValidationProblems
from constellation.server.errors import ActionError
from constellation.server.kpis.access import (
    access_kpi,
    kpis_of,
    latest_reading_days,
    readings_of,
)
from constellation.server.kpis.actions import (
    KpiInput,
    ReadingRow,
    ReadingsResult,
    do_create_kpi,
    do_delete_kpi,
    do_promote_kpi,
    do_record_readings,
    do_update_kpi,
)
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.kpis.readings_csv import CsvProblems, readings_from_upload
from constellation.server.okrs.access import find_objective_with_period
from constellation.server.orgs.access import Access, find_team
from constellation.server.orgs.models import Team

router = Router(tags=["KPIs"])

READ = {401: Message, 404: Message}
WRITE = {401: Message, 403: Message, 404: Message, 422: ValidationProblems}
KPIS = "/orgs/{org}/kpis"
KPI = "/orgs/{org}/kpis/{kpi}"
CSV_BODY = {
    "requestBody": {
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
        }
    }
}


def kpi_out(kpi: Kpi, latest_on: dt.date | None) -> dict[str, Any]:
    """A KPI as the API shows it."""
    return {
        "id": kpi.slug,
        "title": kpi.title,
        "unit": kpi.unit or None,
        "direction": kpi.direction,
        "healthy_low": kpi.healthy_low,
        "healthy_high": kpi.healthy_high,
        "current": kpi.current,
        "healthy": kpi.is_healthy(),
        "team": kpi.team.slug if kpi.team_id and kpi.team else None,
        "latest_on": latest_on,
        "version": kpi.version,
    }


def _with_latest(access: Access, kpis: list[Kpi]) -> list[dict[str, Any]]:
    days = latest_reading_days(access, kpis)
    return [kpi_out(kpi, days.get(kpi.pk)) for kpi in kpis]


def _team(access: Access, slug: str | None) -> Team | None:
    if not slug:
        return None
    team = find_team(access, slug)
    if team is None:
        raise FieldError("team", f"no team '{slug}' in this organisation")
    return team


@router.get(KPIS, response={200: list[KpiDetailOut], **READ}, summary="The organisation's KPIs")
def list_kpis(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """Every KPI with its healthy range, current value, health and latest reading's day."""
    access = api_access(request, org)
    return _with_latest(access, list(kpis_of(access)))


@router.post(KPIS, response={201: KpiDetailOut, **WRITE}, summary="Define a KPI")
def create_kpi(request: HttpRequest, org: str, payload: KpiIn) -> Status[dict[str, Any]]:
    """A new KPI (leaders and admins); its id is made from the title."""
    access = api_access(request, org, write=True)
    data = KpiInput(
        title=payload.title,
        unit=payload.unit,
        direction=payload.direction,
        healthy_low=payload.healthy_low,
        healthy_high=payload.healthy_high,
        team=_team(access, payload.team),
    )
    kpi = do_create_kpi(access, data, request.user)
    return Status(201, kpi_out(kpi, None))


@router.get(KPI, response={200: KpiDetailOut, **READ}, summary="One KPI")
def get_kpi(request: HttpRequest, org: str, kpi: str) -> dict[str, Any]:
    """The KPI with its latest reading's day and its version."""
    access = api_access(request, org)
    return _with_latest(access, [access_kpi(access, kpi)])[0]


@router.patch(
    KPI,
    response={200: KpiDetailOut, 409: ConflictMessage, **WRITE},
    summary="Change a KPI's definition",
)
def update_kpi(request: HttpRequest, org: str, kpi: str, payload: KpiPatch) -> dict[str, Any]:
    """Change the fields sent (leaders and admins); a stale `version` gets a 409."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    sent = payload.model_fields_set
    data = KpiInput(
        title=payload.title if "title" in sent and payload.title else found.title,
        unit=payload.unit if "unit" in sent and payload.unit is not None else found.unit,
        direction=payload.direction or found.direction,
        healthy_low=payload.healthy_low if "healthy_low" in sent else found.healthy_low,
        healthy_high=payload.healthy_high if "healthy_high" in sent else found.healthy_high,
        team=_team(access, payload.team) if "team" in sent else found.team,
    )
    do_update_kpi(access, found, data, expected_version=payload.version, actor=request.user)
    return _with_latest(access, [access_kpi(access, kpi)])[0]


@router.delete(
    KPI,
    response={204: None, 409: ConflictMessage, **WRITE},
    summary="Delete a KPI and its readings",
)
def delete_kpi(
    request: HttpRequest,
    org: str,
    kpi: str,
    version: Annotated[int | None, Query(description="The KPI's current version.")] = None,
    reason: Annotated[
        str, Query(description="Why (needed when it guards or feeds a launched objective).")
    ] = "",
) -> Status[None]:
    """Delete the KPI (leaders and admins) if `version` is still current, else 409.

    The objectives it guards lose the guardrail and the key results promoted from it keep their
    numbers and check-ins but are no longer fed; each one's history says so. When any of them
    is launched, a `reason` is needed (422 without). The web app's delete is the same action.
    """
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    if version is None:  # checked after access, so an outsider learns nothing from a 422
        raise FieldError("version", "send the KPI's current `version`", source="query")
    try:
        do_delete_kpi(
            access, found, expected_version=version, actor=request.user, reason=reason.strip()
        )
    except ActionError as refused:  # the reason is a query parameter here
        raise FieldError(refused.field, refused.message, source="query") from None
    return Status(204, None)


@router.get(
    f"{KPI}/readings",
    operation_id="listKpiReadings",
    response={200: list[ReadingOut], **READ},
    summary="A KPI's readings",
)
def list_readings(
    request: HttpRequest,
    org: str,
    kpi: str,
    since: Annotated[dt.date | None, Query(description="Only readings on or after it.")] = None,
) -> list[dict[str, Any]]:
    """The KPI's readings, oldest first (one per day)."""
    access = api_access(request, org)
    found = access_kpi(access, kpi)
    rows = readings_of(access, found).select_related("author")
    if since is not None:
        rows = rows.filter(taken_on__gte=since)
    return [reading_out(found, reading) for reading in rows]


def reading_out(kpi: Kpi, reading: KpiReading) -> dict[str, Any]:
    """A reading as the API shows it."""
    return {
        "kpi": kpi.slug,
        "date": reading.taken_on,
        "value": reading.value,
        "author": reading.author.username if reading.author else None,
        "created_at": reading.created_at,
    }


def saved_out(access: Access, result: ReadingsResult) -> dict[str, Any]:
    """What saving readings did, with the KPIs' new state."""
    return {
        "added": result.added,
        "replaced": [
            {"kpi": r.kpi.slug, "date": r.taken_on, "before": r.before, "after": r.after}
            for r in result.replaced
        ],
        "unchanged": result.unchanged,
        "fed": result.fed,
        "message": result.summary(),
        "kpis": _with_latest(access, result.kpis),
    }


@router.post(
    f"{KPI}/readings",
    operation_id="createKpiReading",
    response={201: ReadingsSaved, **WRITE},
    summary="Record a reading",
)
def create_reading(
    request: HttpRequest, org: str, kpi: str, payload: ReadingIn
) -> Status[dict[str, Any]]:
    """One reading (replacing that day's, if any); linked key results get a check-in."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    day = payload.date or timezone.localdate()
    result = do_record_readings(
        access, [ReadingRow(found, day, payload.value)], request.user, source="api"
    )
    return Status(201, saved_out(access, result))


def _csv_bytes(request: HttpRequest) -> bytes:
    """The uploaded file: the body (text/csv) or a multipart form's `file` field."""
    if request.content_type == "multipart/form-data":
        upload = request.FILES.get("file")
        if upload is None:
            raise FieldError("file", "send the CSV file in the form field `file`")
        return upload.read()
    return request.body


def _csv_refused(refused: CsvProblems) -> Status[dict[str, Any]]:
    detail = [
        {
            "loc": ["body", "line", p.line, *([p.column] if p.column else [])],
            "path": f"line {p.line}" + (f", column {p.column}" if p.column else ""),
            "line": p.line,
            "column": p.column,
            "msg": str(p),
            "type": "csv_error",
        }
        for p in refused.problems
    ]
    return Status(422, problem(422, detail, more=refused.more))


def _save_csv(request: HttpRequest, access: Access, kpi: Kpi | None) -> Status[dict[str, Any]]:
    kpis = {row.slug: row for row in kpis_of(access)} if kpi is None else {}
    try:
        rows = readings_from_upload(_csv_bytes(request), kpi=kpi, kpis=kpis)
    except CsvProblems as refused:
        return _csv_refused(refused)
    result = do_record_readings(access, rows, request.user, source="csv")
    return Status(201, saved_out(access, result))


# A 422 lists the file's bad lines, or (no file sent, a bad request field) the bad fields.
CSV_REFUSED = CsvProblemsOut | ValidationProblems
CSV_RESPONSES = {201: ReadingsSaved, 401: Message, 403: Message, 404: Message, 422: CSV_REFUSED}


@router.post(
    f"{KPI}/readings/csv",
    operation_id="uploadKpiReadings",
    response=CSV_RESPONSES,
    summary="Upload a CSV file of a KPI's readings",
    description=CSV_HELP,
    openapi_extra=CSV_BODY,
)
def upload_readings(request: HttpRequest, org: str, kpi: str) -> Status[dict[str, Any]]:
    """Save the file's readings all together, or none of them."""
    access = api_access(request, org, write=True)
    return _save_csv(request, access, access_kpi(access, kpi))


@router.post(
    f"{KPIS}/readings/csv",
    operation_id="uploadKpisReadings",
    response=CSV_RESPONSES,
    summary="Upload a CSV file of several KPIs' readings",
    description=CSV_HELP.replace(
        "Header `date,value` (or `kpi,date,value`)",
        "Header `kpi,date,value` (the KPI's id on every line)",
    ),
    openapi_extra=CSV_BODY,
)
def upload_many(request: HttpRequest, org: str) -> Status[dict[str, Any]]:
    """Save the file's readings of several KPIs all together, or none of them."""
    access = api_access(request, org, write=True)
    return _save_csv(request, access, None)


@router.post(
    f"{KPI}/promote",
    operation_id="promoteKpi",
    response={201: PromotedOut, **WRITE},
    summary="Promote a KPI into a key result",
)
def promote(request: HttpRequest, org: str, kpi: str, payload: PromoteIn) -> Status[dict[str, Any]]:
    """A key result of the objective, baseline = the KPI's latest reading, fed by its readings."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    objective = find_objective_with_period(access, payload.objective)
    if objective is None:
        raise FieldError("objective", f"no objective '{payload.objective}' in this organisation")
    key_result = do_promote_kpi(
        access,
        found,
        objective,
        target=payload.target,
        actor=request.user,
        title=payload.title,
        reason=payload.reason,
    )
    body = {
        "key_result": f"{objective.slug}/{key_result.slug}",
        "title": key_result.title,
        "baseline": key_result.baseline,
        "target": key_result.target,
    }
    return Status(201, body)
