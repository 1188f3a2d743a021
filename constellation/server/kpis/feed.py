"""Readings of a KPI feed the key results promoted from it, as check-ins.

This is `tracking.actions.do_check_in` for many readings at once: each reading dated inside
the key result's period becomes a check-in, the key result's `current` follows its latest
check-in and its version moves on, and each key result's change is audited. It runs inside
the caller's transaction, in a fixed number of queries whatever the number of readings.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from django.db.models import F, OuterRef, Subquery
from django.db.models.functions import Coalesce

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.tracking.models import CheckIn

if TYPE_CHECKING:
    from constellation.server.kpis.actions import ReadingRow


def linked_key_results(access: Access, kpi_ids: list[int]) -> list[KeyResult]:
    """The open key results promoted from these KPIs, locked, with their objective's period."""
    return list(
        KeyResult.objects.select_for_update(of=("self",))
        .filter(kpi_id__in=kpi_ids, objective__organization=access.organization)
        .exclude(objective__state=Objective.State.CLOSED)
        .exclude(type=KeyResult.Type.MILESTONE)
        .select_related("objective__period", "kpi")
        .order_by("pk")
    )


def _check_ins(key_results: list[KeyResult], rows: list[ReadingRow], actor: Any) -> list[CheckIn]:
    """A check-in per reading and key result, for readings dated inside the KR's period."""
    by_kpi: dict[int, list[ReadingRow]] = defaultdict(list)
    for row in rows:
        by_kpi[row.kpi.pk].append(row)
    author = actor if getattr(actor, "pk", None) else None
    made = []
    for kr in key_results:
        period = kr.objective.period
        for row in sorted(by_kpi.get(kr.kpi_id or 0, []), key=lambda r: r.taken_on):
            if period.start <= row.taken_on <= period.end:
                made.append(
                    CheckIn(
                        key_result=kr,
                        value=row.value,
                        note=f"Reading of the KPI “{kr.kpi}”",
                        author=author,
                        checked_on=row.taken_on,
                    )
                )
    return made


def _follow_latest(fed: list[KeyResult]) -> dict[int, float | None]:
    """Each fed key result's `current` from its latest check-in, its version bumped."""
    latest = CheckIn.objects.filter(key_result=OuterRef("pk"), value__isnull=False).order_by(
        "-checked_on", "-id"
    )
    KeyResult.objects.filter(pk__in=[kr.pk for kr in fed]).update(
        current=Coalesce(Subquery(latest.values("value")[:1]), F("current")),
        version=F("version") + 1,
    )
    return dict(KeyResult.objects.filter(pk__in=[kr.pk for kr in fed]).values_list("pk", "current"))


def feed_key_results(access: Access, rows: list[ReadingRow], actor: Any) -> int:
    """Record the readings as check-ins of their KPIs' key results; how many were fed."""
    key_results = linked_key_results(access, sorted({row.kpi.pk for row in rows}))
    if not key_results:
        return 0
    made = _check_ins(key_results, rows, actor)
    if not made:
        return 0
    CheckIn.objects.bulk_create(made, batch_size=500)
    fed_ids = {check_in.key_result_id for check_in in made}
    fed = [kr for kr in key_results if kr.pk in fed_ids]
    before = {kr.pk: kr.current for kr in fed}
    after = _follow_latest(fed)
    counts: dict[int, int] = defaultdict(int)
    for check_in in made:
        counts[check_in.key_result_id] += 1
    AuditEvent.objects.bulk_create(
        AuditEvent(
            organization_id=access.organization.pk,
            actor_id=getattr(actor, "pk", None),
            action="check_in",
            object_type="keyresult",
            object_id=kr.pk,
            object_repr=str(kr)[:300],
            before={"current": before[kr.pk]},
            after={
                "current": after.get(kr.pk),
                "note": f"{counts[kr.pk]} reading(s) of the KPI “{kr.kpi}”",
            },
        )
        for kr in fed
    )
    return len(fed)
