"""Reads of KPIs, scoped to one organisation: 404 for anything not in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import Http404

from constellation.core.model import Plan
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.orgs.access import Access

# How many readings a sparkline on the KPI list draws.
SPARK_POINTS = 12


def can_manage_kpis(access: Access) -> bool:
    """Leaders and admins define KPIs; members add readings; viewers read."""
    return access.can_write and access.is_leader


def kpis_of(access: Access) -> QuerySet[Kpi]:
    """The organisation's KPIs with their team, by title."""
    return Kpi.objects.filter(organization=access.organization).select_related("team")


def access_kpi(access: Access, slug: str) -> Kpi:
    """One of the organisation's KPIs by slug, else 404."""
    kpi = kpis_of(access).filter(slug=slug).first()
    if kpi is None:
        raise Http404("No such KPI")
    return kpi


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


def unhealthy_guardrails(plan: Plan) -> dict[str, list[str]]:
    """By objective id, the titles of its guardrail KPIs out of their healthy range.

    Read from a core plan (which already holds every KPI with its current value), so a page
    of thousands of objectives marks them without another query.
    """
    unhealthy = {kpi.id: kpi.title for kpi in plan.kpis if kpi.is_healthy() is False}
    if not unhealthy:
        return {}
    marked: dict[str, list[str]] = {}
    for objective in plan.objectives:
        titles = [unhealthy[slug] for slug in objective.guardrails if slug in unhealthy]
        if titles:
            marked[objective.id] = titles
    return marked
