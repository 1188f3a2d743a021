"""Data sources over HTTP: the automatic updates of a key result or a KPI.

The same actions as the web app: who may check in on the key result (or edit the KPI) sets,
tests and removes its source; everyone in the organisation reads its status. Secrets are
write-only: answers say whether one is set, never what it is.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.present import kr_id
from constellation.server.api.schemas import ConflictMessage, Message, ValidationProblems
from constellation.server.api.source_schemas import (
    SourceIn,
    SourceOut,
    SourceTestIn,
    SourceTestOut,
)
from constellation.server.kpis.access import access_kpi
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.access import access_key_result
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.sources.access import (
    access_key_result_source,
    access_kpi_source,
    find_key_result_source,
    find_kpi_source,
)
from constellation.server.sources.actions import (
    SourceInput,
    do_remove_source,
    do_set_source,
    test_source,
)
from constellation.server.sources.models import DataSource
from constellation.server.sources.problems import SourceError

router = Router(tags=["data sources"])

READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}
KR_SOURCE = "/orgs/{org}/key-results/{objective}/{key_result}/source"
KPI_SOURCE = "/orgs/{org}/kpis/{kpi}/source"


def source_out(source: DataSource, feeds: str) -> dict[str, Any]:
    """A source as the API shows it: never a secret."""
    return {
        "feeds": feeds,
        "kind": source.kind,
        "url": source.url,
        "database": source.database_hint,
        "query": source.query,
        "header_name": source.header_name,
        "has_header_value": source.has_header_value,
        "interval_minutes": source.interval_minutes,
        "timeout_seconds": source.timeout_seconds,
        "version": source.version,
        "next_run_at": source.next_run_at,
        "last_run_at": source.last_run_at,
        "last_value": source.last_value,
        "last_error": source.last_error,
        "failures": source.failures,
    }


def _input(payload: SourceIn) -> SourceInput:
    return SourceInput(
        kind=payload.kind,
        query=payload.query,
        url=payload.url,
        database_url=payload.database_url,
        header_name=payload.header_name,
        header_value=payload.header_value,
        interval_minutes=payload.interval_minutes,
        timeout_seconds=payload.timeout_seconds,
    )


def _test_input(payload: SourceTestIn, saved: DataSource | None) -> SourceInput:
    """The values to test: the body's, else the stored source's (secrets stay sealed there)."""
    if payload.kind is None and saved is None:
        raise FieldError("kind", "there is no stored source: send the source to test")
    given = payload.model_dump(exclude_none=True)
    base: dict[str, Any] = {}
    if saved is not None:
        base = {
            "kind": saved.kind,
            "query": saved.query,
            "url": saved.url,
            "header_name": saved.header_name,
            "interval_minutes": saved.interval_minutes,
            "timeout_seconds": saved.timeout_seconds,
        }
    if "query" not in {**base, **given}:
        raise FieldError("query", "send the query to test")
    return SourceInput(**{**base, **given})


def _tested(
    access: Access,
    data: SourceInput,
    saved: DataSource | None,
    key_result: KeyResult | None = None,
    kpi: Kpi | None = None,
) -> dict[str, Any]:
    try:
        value = test_source(access, data, key_result=key_result, kpi=kpi, saved=saved)
    except SourceError as error:
        return {"ok": False, "value": None, "error": str(error)}
    return {"ok": True, "value": value, "error": None}


@router.get(KR_SOURCE, response={200: SourceOut, **READ}, operation_id="getKeyResultSource")
def get_key_result_source(
    request: HttpRequest, org: str, objective: str, key_result: str
) -> dict[str, Any]:
    """The key result's data source and how its last read went (404: none)."""
    access = api_access(request, org)
    found = access_key_result(access, kr_id(objective, key_result))
    return source_out(access_key_result_source(access, found), kr_id(objective, key_result))


@router.put(
    KR_SOURCE,
    response={200: SourceOut, **WRITE, 409: ConflictMessage},
    operation_id="setKeyResultSource",
)
def set_key_result_source(
    request: HttpRequest, org: str, objective: str, key_result: str, payload: SourceIn
) -> dict[str, Any]:
    """Set up or change the key result's data source (`version`: the current one, or null)."""
    access = api_access(request, org, write=True)
    found = access_key_result(access, kr_id(objective, key_result))
    saved = do_set_source(
        access,
        _input(payload),
        key_result=found,
        expected_version=payload.version,
        actor=request.user,
    )
    return source_out(saved, kr_id(objective, key_result))


@router.delete(
    KR_SOURCE,
    response={204: None, **WRITE, 409: ConflictMessage},
    operation_id="removeKeyResultSource",
)
def remove_key_result_source(
    request: HttpRequest, org: str, objective: str, key_result: str, version: int | None = None
) -> Status[None]:
    """Remove the key result's data source (`version`, optional: 409 when stale)."""
    access = api_access(request, org, write=True)
    found = access_key_result(access, kr_id(objective, key_result))
    source = access_key_result_source(access, found)
    do_remove_source(access, source, expected_version=version, actor=request.user)
    return Status(204, None)


@router.post(
    f"{KR_SOURCE}/test", response={200: SourceTestOut, **WRITE}, operation_id="testKeyResultSource"
)
def test_key_result_source(
    request: HttpRequest, org: str, objective: str, key_result: str, payload: SourceTestIn
) -> dict[str, Any]:
    """Read the number now, with the body's values over the stored source's; records nothing."""
    access = api_access(request, org, write=True)
    found = access_key_result(access, kr_id(objective, key_result))
    saved = find_key_result_source(access, found)
    return _tested(access, _test_input(payload, saved), saved, key_result=found)


@router.get(KPI_SOURCE, response={200: SourceOut, **READ}, operation_id="getKpiSource")
def get_kpi_source(request: HttpRequest, org: str, kpi: str) -> dict[str, Any]:
    """The KPI's data source and how its last read went (404: none)."""
    access = api_access(request, org)
    found = access_kpi(access, kpi)
    return source_out(access_kpi_source(access, found), found.slug)


@router.put(
    KPI_SOURCE,
    response={200: SourceOut, **WRITE, 409: ConflictMessage},
    operation_id="setKpiSource",
)
def set_kpi_source(request: HttpRequest, org: str, kpi: str, payload: SourceIn) -> dict[str, Any]:
    """Set up or change the KPI's data source (leaders and admins)."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    saved = do_set_source(
        access, _input(payload), kpi=found, expected_version=payload.version, actor=request.user
    )
    return source_out(saved, found.slug)


@router.delete(
    KPI_SOURCE, response={204: None, **WRITE, 409: ConflictMessage}, operation_id="removeKpiSource"
)
def remove_kpi_source(
    request: HttpRequest, org: str, kpi: str, version: int | None = None
) -> Status[None]:
    """Remove the KPI's data source (`version`, optional: 409 when stale)."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    do_remove_source(
        access, access_kpi_source(access, found), expected_version=version, actor=request.user
    )
    return Status(204, None)


@router.post(
    f"{KPI_SOURCE}/test", response={200: SourceTestOut, **WRITE}, operation_id="testKpiSource"
)
def test_kpi_source(
    request: HttpRequest, org: str, kpi: str, payload: SourceTestIn
) -> dict[str, Any]:
    """Read the KPI's number now, with the body's values over the stored source's."""
    access = api_access(request, org, write=True)
    found = access_kpi(access, kpi)
    saved = find_kpi_source(access, found)
    return _tested(access, _test_input(payload, saved), saved, kpi=found)
