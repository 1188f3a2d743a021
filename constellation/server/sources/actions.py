"""Every write to data sources: set one up, remove it, and sync it (the worker's job).

Who may manage a key result's source is who may check in on it (`require_check_in`); a KPI's
source, who may edit the KPI (leaders and admins). Secrets arrive in plain text and are
sealed before they are stored; an empty secret keeps the stored one. `test_source` reads the
number a source would record and writes nothing. A sync reads the number outside any
transaction (a slow source never holds the database), then records it through the same
check-in or reading action people use, as the person who set the source up: a check-in
marked automatic, a KPI reading from the source "automatic".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

import jsonpath
from django.conf import settings
from django.utils import timezone

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.errors import ActionError, Conflict, NotAllowed, ReadOnly
from constellation.server.kpis.actions import ReadingRow, do_record_readings, require_kpi_manager
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership
from constellation.server.sealed import seal, unseal
from constellation.server.sources.fetch import Recipe, read_value
from constellation.server.sources.models import DataSource
from constellation.server.sources.notices import tell_owner_of_failure
from constellation.server.sources.problems import SourceError
from constellation.server.sources.sql import check_database_url, database_hint
from constellation.server.tracking.actions import (
    CheckInError,
    CheckInInput,
    do_check_in,
    require_check_in,
)

Outcome = Literal["recorded", "unchanged", "failed", "skipped"]
KINDS = tuple(DataSource.Kind.values)
MAX_QUERY = 10_000
# What telling the owner of a failure reads along with the source (one query).
NOTICE_RELATIONS = (
    "organization",
    "created_by",
    "key_result__owner",
    "key_result__objective__owner",
    "kpi__team__lead",
)


@dataclass(slots=True)
class SourceInput:
    """What the source form (or API body) sends; an empty secret keeps the stored one."""

    kind: str
    query: str
    url: str = ""
    header_name: str = ""
    header_value: str = ""
    database_url: str = ""
    interval_minutes: int = DataSource.Interval.DAILY
    timeout_seconds: int = 10


def require_source_manager(access: Access, key_result: KeyResult | None, kpi: Kpi | None) -> None:
    """Refuse anyone who may not check in on the key result (or edit the KPI)."""
    access.require_write()
    if kpi is not None:
        require_kpi_manager(access)
    elif key_result is not None:
        require_check_in(access, [key_result])


def _check_target(key_result: KeyResult | None, kpi: Kpi | None) -> None:
    if (key_result is None) == (kpi is None):
        raise ActionError("target", "a source feeds exactly one key result or one KPI")
    if key_result is not None and key_result.type == KeyResult.Type.MILESTONE:
        raise ActionError(
            "kind", "a milestone is done or not: automatic updates feed key results with a number"
        )


def _check_url(field: str, url: str) -> None:
    if not url.startswith(("http://", "https://")):
        raise ActionError(field, "the URL starts with http:// or https://")
    if len(url) > 2000:
        raise ActionError(field, "the URL is longer than 2,000 characters")


def _check_fields(data: SourceInput) -> None:
    """Refuse an unknown kind, a missing URL or query, a bad interval or timeout."""
    if data.kind not in KINDS:
        raise ActionError("kind", "the kind is http_json, sql or prometheus")
    if not data.query:
        what = {"http_json": "JSONPath", "sql": "SQL query", "prometheus": "PromQL query"}
        raise ActionError("query", f"the {what[data.kind]} is missing")
    if len(data.query) > MAX_QUERY:
        raise ActionError("query", f"the query is longer than {MAX_QUERY:,} characters")
    if data.kind != DataSource.Kind.SQL:
        _check_url("url", data.url)
    if data.kind == DataSource.Kind.HTTP_JSON:
        try:
            jsonpath.compile(data.query)
        except jsonpath.JSONPathError as error:
            raise ActionError("query", f"the JSONPath {data.query} is not valid: {error}") from None
    if data.interval_minutes not in DataSource.Interval.values:
        raise ActionError("interval_minutes", "the interval is 60, 360 or 1440 minutes")
    longest = settings.SOURCES_MAX_TIMEOUT_SECONDS
    if not 1 <= data.timeout_seconds <= longest:
        raise ActionError("timeout_seconds", f"the timeout is 1 to {longest} seconds")
    if len(data.header_name) > 100 or any(c in data.header_name for c in ":\r\n "):
        raise ActionError("header_name", "a header name is one word, such as Authorization")


def check_source(data: SourceInput, saved: DataSource | None) -> Recipe:
    """The input cleaned, as a recipe with its secrets (the stored ones when left empty)."""
    for name in ("kind", "query", "url", "header_name", "database_url"):
        setattr(data, name, (getattr(data, name) or "").strip())
    _check_fields(data)
    # A secret left empty is the stored one's, as long as the source stays of the same kind.
    kept = saved if saved is not None and saved.kind == data.kind else None
    header_value = data.header_value or (unseal(kept.sealed_header_value) if kept else "")
    if not data.header_name:
        header_value = ""
    database_url = ""
    if data.kind == DataSource.Kind.SQL:
        database_url = data.database_url or (unseal(kept.sealed_database_url) if kept else "")
        if not database_url:
            raise ActionError("database_url", "the database URL is missing")
        try:
            check_database_url(database_url)
        except SourceError as error:
            raise ActionError("database_url", str(error)) from None
    return Recipe(
        kind=data.kind,
        url=data.url if data.kind != DataSource.Kind.SQL else "",
        query=data.query,
        header_name=data.header_name,
        header_value=header_value,
        database_url=database_url,
        timeout=float(data.timeout_seconds),
    )


def _stale(current: int, expected: int | None) -> Conflict:
    return Conflict(
        current,
        f"This source was changed by someone else since you opened it (now at version "
        f"{current}, yours was {expected}). Reload to see their change, then apply yours again.",
    )


def _described(source: DataSource) -> dict[str, Any]:
    """What the audit history shows of a source: never a secret."""
    return {
        "kind": source.kind,
        "url": source.url,
        "database": source.database_hint,
        "query": source.query,
        "header_name": source.header_name,
        "interval_minutes": source.interval_minutes,
        "timeout_seconds": source.timeout_seconds,
    }


def _apply(source: DataSource, recipe: Recipe, data: SourceInput) -> None:
    source.kind, source.url, source.query = recipe.kind, recipe.url, recipe.query
    source.header_name = recipe.header_name
    source.sealed_header_value = seal(recipe.header_value)
    source.sealed_database_url = seal(recipe.database_url)
    source.database_hint = database_hint(recipe.database_url) if recipe.database_url else ""
    source.interval_minutes, source.timeout_seconds = data.interval_minutes, data.timeout_seconds
    # A changed source runs at the scheduler's next minute, its streak starts afresh.
    source.next_run_at = timezone.now()
    source.last_error, source.failures, source.failure_notified = "", 0, False


def do_set_source(
    access: Access,
    data: SourceInput,
    *,
    key_result: KeyResult | None = None,
    kpi: Kpi | None = None,
    expected_version: int | None,
    actor: Any,
) -> DataSource:
    """Set up (or change) the source of a key result or a KPI; Conflict when someone changed
    it since `expected_version` (None: the person saw no source)."""
    _check_target(key_result, kpi)
    require_source_manager(access, key_result, kpi)
    with writes.atomic():
        saved = _locked(access, key_result, kpi)
        if saved is not None and saved.version != expected_version:
            raise _stale(saved.version, expected_version)
        recipe = check_source(data, saved)
        source = saved or DataSource(
            organization=access.organization, key_result=key_result, kpi=kpi, created_by=actor
        )
        before = _described(saved) if saved is not None else None
        _apply(source, recipe, data)
        if saved is not None:
            source.version += 1
        source.save()
        record(
            access.organization.pk,
            actor,
            "set_source",
            source,
            before=before,
            after=_described(source),
            objective_id=key_result.objective_id if key_result else None,
        )
    return source


def _locked(access: Access, key_result: KeyResult | None, kpi: Kpi | None) -> DataSource | None:
    rows = DataSource.objects.restrict(access).select_for_update()
    if key_result is not None:
        return rows.filter(key_result=key_result).first()
    return rows.filter(kpi=kpi).first()


def do_remove_source(
    access: Access, source: DataSource, *, expected_version: int | None, actor: Any
) -> None:
    """Remove a source: the key result or KPI is updated by hand again (its history stays)."""
    target_kr = source.key_result if source.key_result_id else None
    target_kpi = source.kpi if source.kpi_id else None
    require_source_manager(access, target_kr, target_kpi)
    with writes.atomic():
        locked = DataSource.objects.select_for_update().filter(pk=source.pk).first()
        if locked is None:
            return
        if expected_version is not None and locked.version != expected_version:
            raise _stale(locked.version, expected_version)
        before = _described(locked)
        record(
            access.organization.pk,
            actor,
            "remove_source",
            locked,
            before=before,
            objective_id=target_kr.objective_id if target_kr else None,
        )
        locked.delete()


def test_source(
    access: Access,
    data: SourceInput,
    *,
    key_result: KeyResult | None = None,
    kpi: Kpi | None = None,
    saved: DataSource | None = None,
) -> float:
    """The number the source would record now (SourceError otherwise); records nothing.

    Only who may manage the source may test it: a test reaches out with its secrets.
    """
    _check_target(key_result, kpi)
    require_source_manager(access, key_result, kpi)
    return read_value(check_source(data, saved))


def recipe_of(source: DataSource) -> Recipe:
    """How to read a stored source, its secrets opened."""
    try:
        header_value = unseal(source.sealed_header_value)
        database_url = unseal(source.sealed_database_url)
    except ActionError as error:
        raise SourceError(f"{error.message}: enter the secret again") from None
    return Recipe(
        kind=source.kind,
        url=source.url,
        query=source.query,
        header_name=source.header_name,
        header_value=header_value,
        database_url=database_url,
        timeout=float(source.timeout_seconds),
    )


def acting_access(source: DataSource) -> Access:
    """The view of the person who set the source up: a sync writes what they may write."""
    membership = (
        Membership.objects.select_related("organization")
        .filter(
            organization_id=source.organization_id,
            user_id=source.created_by_id,
            deactivated_at__isnull=True,
        )
        .first()
        if source.created_by_id
        else None
    )
    if membership is None:
        raise SourceError(
            "the person who set up this source is no longer a member: set it up again"
        )
    return Access(membership.organization, membership)


def _record(access: Access, source: DataSource, value: float, day: date) -> bool:
    """Record the value as an automatic check-in or a KPI reading; False when unchanged."""
    actor = source.created_by
    if source.kpi_id is not None:
        kpi = Kpi.objects.select_related("team").get(pk=source.kpi_id)
        rows = [ReadingRow(kpi, day, value)]
        return do_record_readings(access, rows, actor, source="automatic").saved > 0
    key_result = KeyResult.objects.select_related("objective").get(data_source=source)
    # An hourly source reads the same number many times a day: one check-in per day and value.
    last = source.last_run_at
    if (
        last is not None
        and timezone.localdate(last) == day
        and source.last_value == value == key_result.current
    ):
        return False
    note = f"Automatic: read from its {source.get_kind_display()}"
    data = CheckInInput(value=value, note=note, checked_on=day, automatic=True)
    do_check_in(access, key_result, data, actor)
    return True


def _failed(source: DataSource, version: int, message: str, at: datetime) -> Outcome:
    """Keep the error on the source; tell its owner once per streak of failures."""
    with writes.atomic():
        locked = (
            DataSource.objects.select_for_update(of=("self",))
            .select_related(*NOTICE_RELATIONS)
            .filter(pk=source.pk)
            .first()
        )
        if locked is None or locked.version != version:
            return "skipped"  # removed or changed while it ran: the new setup runs next
        locked.last_run_at, locked.last_error = at, message[:2000]
        locked.failures += 1
        locked.next_run_at = at + timedelta(minutes=locked.interval_minutes)
        tell = not locked.failure_notified
        locked.failure_notified = True
        locked.save(update_fields=FAILED_FIELDS)
        record(
            locked.organization_id,
            None,
            "sync_source_failed",
            locked,
            after={"error": locked.last_error, "failures": locked.failures},
            objective_id=_objective_id(locked),
        )
        if tell:
            tell_owner_of_failure(locked)
    return "failed"


def _objective_id(source: DataSource) -> int | None:
    return source.key_result.objective_id if source.key_result_id and source.key_result else None


FAILED_FIELDS = ["last_run_at", "last_error", "failures", "next_run_at", "failure_notified"]
SYNCED_FIELDS = [*FAILED_FIELDS, "last_value"]


def do_sync_source(source_id: int, at: datetime | None = None) -> Outcome:
    """Read a source and record its number (the worker's job): "recorded", "unchanged",
    "failed" (the error kept on the source, its owner told once) or "skipped" (gone)."""
    at = at or timezone.now()
    source = (
        DataSource.objects.select_related("organization", "key_result", "kpi", "created_by")
        .filter(pk=source_id)
        .first()
    )
    if source is None:
        return "skipped"
    version = source.version
    try:
        access = acting_access(source)
        value = read_value(recipe_of(source))  # outside any transaction: no lock held
    except SourceError as error:
        return _failed(source, version, str(error), at)
    try:
        return _synced(access, source, version, value, at)
    except (ActionError, CheckInError, NotAllowed, ReadOnly, ValueError) as refusal:
        return _failed(source, version, f"the value {value:g} was refused: {refusal}", at)


def _synced(
    access: Access, source: DataSource, version: int, value: float, at: datetime
) -> Outcome:
    with writes.atomic():
        locked = DataSource.objects.select_for_update().filter(pk=source.pk).first()
        if locked is None or locked.version != version:
            return "skipped"
        recorded = _record(access, locked, value, timezone.localdate(at))
        locked.last_run_at, locked.last_value, locked.last_error = at, value, ""
        locked.failures, locked.failure_notified = 0, False
        locked.next_run_at = at + timedelta(minutes=locked.interval_minutes)
        locked.save(update_fields=SYNCED_FIELDS)
        record(
            locked.organization_id,
            locked.created_by,
            "sync_source",
            locked,
            after={"value": value, "automatic": True, "recorded": recorded},
            objective_id=_objective_id(source),
        )
    return "recorded" if recorded else "unchanged"
