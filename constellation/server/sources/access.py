"""Reads of data sources, scoped to one organisation: 404 for anything not in it."""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from constellation.server.errors import NotAllowed, NotFound, ReadOnly
from constellation.server.kpis.access import can_manage_kpis
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.sources.models import DataSource
from constellation.server.tracking.actions import require_check_in


def sources_of(access: Access) -> QuerySet[DataSource]:
    """The organisation's data sources."""
    return DataSource.objects.restrict(access)


def find_key_result_source(access: Access, key_result: KeyResult) -> DataSource | None:
    """The source feeding one of the organisation's key results, or None."""
    return sources_of(access).filter(key_result=key_result).first()


def find_kpi_source(access: Access, kpi: Kpi) -> DataSource | None:
    """The source feeding one of the organisation's KPIs, or None."""
    return sources_of(access).filter(kpi=kpi).first()


def access_key_result_source(access: Access, key_result: KeyResult) -> DataSource:
    """The source feeding the key result, else NotFound."""
    source = find_key_result_source(access, key_result)
    if source is None:
        raise NotFound("This key result has no data source")
    return source


def access_kpi_source(access: Access, kpi: Kpi) -> DataSource:
    """The source feeding the KPI, else NotFound."""
    source = find_kpi_source(access, kpi)
    if source is None:
        raise NotFound("This KPI has no data source")
    return source


def sources_of_objective(access: Access, objective: Objective) -> dict[int, DataSource]:
    """The sources of the objective's key results by key result id, in one query."""
    rows = sources_of(access).filter(key_result__objective=objective)
    return {source.key_result_id: source for source in rows if source.key_result_id}


def may_manage_source(access: Access, key_result: KeyResult | None, kpi: Kpi | None) -> bool:
    """Whether the person may set up, test or remove the source (who checks in, who edits)."""
    if not access.can_write:
        return False
    if kpi is not None:
        return can_manage_kpis(access)
    try:
        require_check_in(access, [key_result] if key_result else [])
    except (NotAllowed, ReadOnly):
        return False
    return key_result is not None


def due_sources(moment: datetime, limit: int = 500) -> list[tuple[int, datetime]]:
    """(id, next run) of the sources due at `moment`, oldest first (the scheduler's read)."""
    rows = (
        DataSource.objects.filter(next_run_at__lte=moment)
        .exclude(key_result__objective__state=Objective.State.CLOSED)
        .order_by("next_run_at", "id")
        .values_list("id", "next_run_at")[:limit]
    )
    return list(rows)


def source_managers(access: Access, objective: Objective, key_results: list[KeyResult]) -> set[int]:
    """The ids of the key results whose source the person may manage (at most one query):
    `require_check_in`'s rule for a whole objective at once."""
    if not access.can_write:
        return set()
    everyone = {kr.pk for kr in key_results}
    if access.is_leader or objective.owner_id == access.user_id:
        return everyone
    team = objective.team
    if team.lead_id == access.user_id or team.members.filter(pk=access.membership.pk).exists():
        return everyone
    return {kr.pk for kr in key_results if kr.owner_id == access.user_id}


def sources_of_key_results(access: Access, key_result_ids: list[int]) -> dict[int, DataSource]:
    """The sources of these key results by key result id, in one query (none: absent)."""
    rows = sources_of(access).filter(key_result_id__in=key_result_ids)
    return {source.key_result_id: source for source in rows if source.key_result_id}
