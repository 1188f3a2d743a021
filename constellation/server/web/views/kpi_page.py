"""What the KPI pages show, each read in a fixed number of queries whatever the data size."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils import timezone

from constellation.core.charts import Band, Chart
from constellation.server.kpis.access import (
    can_manage_kpis,
    guarded_objectives,
    key_results_of_kpi,
    kpis_of,
    promotable_objectives,
    readings_of,
    recent_readings,
)
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.access import periods_of
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, teams_of
from constellation.server.sources.access import find_kpi_source
from constellation.server.web.kpi_forms import KpiForm, PromoteForm, ReadingForm, UploadForm
from constellation.server.web.source_forms import SourceForm


def band_of(kpi: Kpi) -> Band | None:
    """The KPI's healthy range as a chart band (None when it has no range)."""
    if kpi.healthy_low is None and kpi.healthy_high is None:
        return None
    return Band(kpi.healthy_low, kpi.healthy_high, "healthy range")


@dataclass(slots=True)
class KpiRow:
    """A KPI on the list: its latest reading, health and a sparkline of recent readings."""

    kpi: Kpi
    latest: Any
    spark: list[float]
    band: Band | None


def list_context(access: Access, *, upload_form: UploadForm | None = None, **extra: Any) -> dict:
    """The KPI list: every KPI with its latest reading and health (three queries)."""
    kpis = list(kpis_of(access))
    recent = recent_readings(kpis)
    rows = [
        KpiRow(
            kpi=kpi,
            latest=recent[kpi.pk].latest,
            spark=[value for _, value in recent[kpi.pk].points],
            band=band_of(kpi),
        )
        for kpi in kpis
    ]
    return {
        "access": access,
        "organization": access.organization,
        "rows": rows,
        "can_manage": can_manage_kpis(access),
        "upload_form": upload_form or UploadForm(many=True),
        **extra,
    }


def chart_of(kpi: Kpi, readings: list[KpiReading]) -> Chart:
    """The KPI's readings over time with its healthy band."""
    return Chart(
        title=f"Readings of {kpi.title}",
        series=[(reading.taken_on, reading.value) for reading in readings],
        unit=kpi.unit or None,
        band=band_of(kpi),
        series_label="reading",
    )


def _period(request: HttpRequest, access: Access) -> tuple[Period | None, list[Period]]:
    """The period to promote into: the form's or `?period=`, else the current one."""
    periods = list(periods_of(access))
    key = (request.POST.get("period") or request.GET.get("period") or "").strip()
    chosen = next((period for period in periods if period.key == key), None)
    if chosen is None:
        today = timezone.localdate()
        containing = [p for p in periods if p.start <= today <= p.end]
        if containing:
            chosen = min(containing, key=lambda p: p.end - p.start)
        elif periods:
            chosen = max(periods, key=lambda p: p.start)
    return chosen, periods


def kpi_context(request: HttpRequest, access: Access, kpi: Kpi, **forms: Any) -> dict[str, Any]:
    """The KPI page: chart, readings, forms, linked key results and guarded objectives."""
    readings = list(readings_of(access, kpi))
    period, periods = _period(request, access)
    objectives = promotable_objectives(access, kpi, period)
    manage = can_manage_kpis(access)
    teams = list(teams_of(access)) if manage else []
    source = find_kpi_source(access, kpi)
    return {
        "access": access,
        "organization": access.organization,
        "kpi": kpi,
        "healthy": kpi.is_healthy(),
        "latest": readings[-1] if readings else None,
        "chart": chart_of(kpi, readings),
        "can_manage": manage,
        "period": period,
        "periods": periods,
        "key_results": list(key_results_of_kpi(access, kpi)),
        "guarded": list(guarded_objectives(access, kpi)),
        "reading_form": forms.get("reading_form") or ReadingForm(kpi=kpi),
        "upload_form": forms.get("upload_form") or UploadForm(),
        "upload_problems": forms.get("upload_problems") or [],
        "edit_form": forms.get("edit_form") or KpiForm.for_kpi(kpi, teams),
        "source": source,
        "source_form": SourceForm(saved=source, prefix_id="kpi-source") if manage else None,
        "promote_form": forms.get("promote_form")
        or PromoteForm(objectives=objectives, initial={"period": period.key if period else ""}),
    }
