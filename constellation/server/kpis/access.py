"""Reads of KPIs, scoped to one organisation: 404 for anything not in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, Max, QuerySet, Window
from django.db.models.functions import RowNumber

from constellation.server.errors import NotFound
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.access import key_results_of, objectives_of
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import Access

# How many readings a sparkline on the KPI list draws.
SPARK_POINTS = 12


def can_manage_kpis(access: Access) -> bool:
    """Leaders and admins define KPIs; members add readings; viewers read."""
    return access.can_write and access.is_leader


def kpis_of(access: Access) -> QuerySet[Kpi]:
    """The organisation's KPIs with their team, by title."""
    return Kpi.objects.filter(organization=access.organization).select_related("team")


def kpis_by_slug(access: Access, slugs: list[str]) -> QuerySet[Kpi]:
    """The organisation's KPIs with these slugs (unknown ones: absent)."""
    return Kpi.objects.restrict(access).filter(slug__in=slugs)


def find_kpi(access: Access, slug: str | None) -> Kpi | None:
    """One of the organisation's KPIs by slug, with its team, or None (also for no slug)."""
    if not slug:
        return None
    return kpis_of(access).filter(slug=slug).first()


def access_kpi(access: Access, slug: str) -> Kpi:
    """One of the organisation's KPIs by slug, else 404."""
    kpi = kpis_of(access).filter(slug=slug).first()
    if kpi is None:
        raise NotFound("No such KPI")
    return kpi


def readings_of(access: Access, kpi: Kpi) -> QuerySet[KpiReading]:
    """Every reading of one of the organisation's KPIs, oldest first."""
    return KpiReading.objects.restrict(access).filter(kpi=kpi).order_by("taken_on", "id")


def latest_reading_days(access: Access, kpis: list[Kpi]) -> dict[int, date]:
    """Each KPI's latest reading day by KPI id, in one query (KPIs never read: absent)."""
    rows = (
        KpiReading.objects.restrict(access)
        .filter(kpi__in=kpis)
        .values("kpi_id")
        .annotate(latest=Max("taken_on"))
        .values_list("kpi_id", "latest")
    )
    return dict(rows)


def key_results_of_kpi(access: Access, kpi: Kpi) -> QuerySet[KeyResult]:
    """The key results the KPI feeds, latest period first, with their objective's team."""
    return (
        key_results_of(access)
        .filter(kpi=kpi)
        .order_by("-objective__period__start", "objective__title")
    )


def guarded_objectives(access: Access, kpi: Kpi) -> QuerySet[Objective]:
    """The objectives that keep the KPI as a guardrail, latest period first."""
    return (
        objectives_of(access)
        .filter(guardrails=kpi)
        .select_related("period", "team")
        .order_by("-period__start", "title")
    )


def promotable_objectives(access: Access, kpi: Kpi, period: Period | None) -> list[Objective]:
    """The period's open objectives a KPI may be promoted into: its team's, else everyone's."""
    if period is None:
        return []
    rows = (
        objectives_of(access)
        .filter(period=period)
        .exclude(state=Objective.State.CLOSED)
        .select_related("team")
        .order_by("team__name", "position", "id")
    )
    if kpi.team_id is not None:
        rows = rows.filter(team_id=kpi.team_id)
    return list(rows)


@dataclass(slots=True)
class Recent:
    """A KPI's latest readings, oldest first (for a sparkline) and its latest one."""

    points: list[tuple[date, float]] = field(default_factory=list)

    @property
    def latest(self) -> tuple[date, float] | None:
        """The latest reading, if any."""
        return self.points[-1] if self.points else None


def recent_readings(kpis: list[Kpi], count: int = SPARK_POINTS) -> dict[int, Recent]:
    """The last `count` readings of each KPI, in one query whatever the number of readings."""
    ranked = (
        KpiReading.objects.filter(kpi__in=kpis)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("kpi_id")],
                order_by=[F("taken_on").desc(), F("id").desc()],
            )
        )
        .filter(rank__lte=count)
        .values_list("kpi_id", "taken_on", "value")
    )
    found: dict[int, Recent] = {kpi.pk: Recent() for kpi in kpis}
    for kpi_id, taken_on, value in ranked:
        found[kpi_id].points.append((taken_on, value))
    for recent in found.values():
        recent.points.sort()
    return found
