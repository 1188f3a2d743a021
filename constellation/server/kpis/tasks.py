"""The KPI jobs: check a KPI's health after its readings change, and sweep every KPI.

Enqueued only after the enqueuing transaction commits; each is idempotent (an alert opens or
closes once), so a job run twice, or by two workers at once, changes nothing twice.
"""

from __future__ import annotations

from django_tasks import task

from constellation.server.kpis.alerts import check_kpi, kpis_to_check
from constellation.server.tracking.cadence import now
from constellation.server.tracking.tasks import enqueue_on_commit


@task()
def kpi_check_job(kpi_id: int) -> str:
    """Open or close one KPI's alert to match its health: opened, closed or unchanged."""
    return check_kpi(kpi_id, now())


@task()
def kpi_sweep_job() -> int:
    """Check every KPI whose health no longer matches its alert; how many changed."""
    return sum(check_kpi(kpi_id, now()) != "unchanged" for kpi_id in kpis_to_check())


@task()
def kpi_checks_job(kpi_ids: list[int]) -> int:
    """Check the health of the KPIs one upload of readings touched; how many alerts changed."""
    at = now()
    return sum(check_kpi(kpi_id, at) != "unchanged" for kpi_id in kpi_ids)


def enqueue_kpi_check(kpi_id: int) -> None:
    """After a KPI reading is saved: check its health (alert on a crossing) once committed."""
    enqueue_on_commit(kpi_check_job, kpi_id)


def enqueue_kpi_checks(kpi_ids: list[int]) -> None:
    """After readings of several KPIs are saved: one job checks them all, once committed."""
    enqueue_on_commit(kpi_checks_job, sorted(set(kpi_ids)))
