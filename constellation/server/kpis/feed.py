"""Readings of a KPI feed the key results promoted from it, as check-ins.

Each reading dated inside a promoted key result's period becomes a check-in of it, written by
`tracking.actions.do_check_in_many`, the one write of every check-in: the key result follows
its latest check-in, moves to a new version, and each check-in is audited exactly as one made
by hand. It runs inside the caller's transaction, in a fixed number of queries whatever the
number of readings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.tracking.actions import CheckInInput, do_check_in_many, lock_key_results

if TYPE_CHECKING:
    from constellation.server.kpis.actions import ReadingRow


def linked_key_results(access: Access, kpi_ids: list[int]) -> list[KeyResult]:
    """The open key results promoted from these KPIs, locked, with their objective's period."""
    return lock_key_results(
        KeyResult.objects.filter(kpi_id__in=kpi_ids, objective__organization=access.organization)
        .exclude(objective__state=Objective.State.CLOSED)
        .exclude(type=KeyResult.Type.MILESTONE)
        .select_related("objective__period", "kpi")
    )


def _check_ins(
    key_results: list[KeyResult], rows: list[ReadingRow]
) -> list[tuple[KeyResult, CheckInInput]]:
    """A check-in per reading and key result, for readings dated inside the KR's period."""
    by_kpi: dict[int, list[ReadingRow]] = defaultdict(list)
    for row in rows:
        by_kpi[row.kpi.pk].append(row)
    entries = []
    for kr in key_results:
        period = kr.objective.period
        for row in sorted(by_kpi.get(kr.kpi_id or 0, []), key=lambda r: r.taken_on):
            if period.start <= row.taken_on <= period.end:
                note = f"Reading of the KPI “{kr.kpi}”"
                entries.append((kr, CheckInInput(row.value, note=note, checked_on=row.taken_on)))
    return entries


def feed_key_results(
    access: Access,
    rows: list[ReadingRow],
    actor: Any,
    key_results: list[KeyResult] | None = None,
) -> int:
    """Record the readings as check-ins of their KPIs' key results; how many were fed.

    Whoever calls decides who may (`kpis.actions.require_feeding`); `key_results`, when
    given, are the ones it checked, already locked by `linked_key_results`.
    """
    if key_results is None:
        key_results = linked_key_results(access, sorted({row.kpi.pk for row in rows}))
    entries = _check_ins(key_results, rows) if key_results else []
    if not entries:
        return 0
    do_check_in_many(access, entries, actor, locked=True)
    return len({kr.pk for kr, _ in entries})
