"""KPI alerts: when a KPI leaves its healthy range, its watchers hear about it once.

A crossing opens a `KpiAlert` (at most one open per KPI, enforced by a partial unique index)
and notifies the watchers in the same transaction; readings that stay unhealthy change
nothing; the first healthy reading closes the alert, so the next crossing alerts again.
Watchers are the organisation's admins and leaders and the owners of the objectives that
list the KPI as a guardrail.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.contrib.auth import get_user_model
from django.db import IntegrityError
from django.db.models import Exists, OuterRef, Q

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.kpis.models import Kpi
from constellation.server.notifications.actions import do_notify
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import LEADING_ROLES, Membership
from constellation.server.tracking.models import KpiAlert

Outcome = Literal["opened", "closed", "unchanged"]


def watchers(kpi: Kpi) -> list[Any]:
    """Admins and leaders of the KPI's organisation, and owners of objectives it guards."""
    leads = Membership.objects.filter(
        organization_id=kpi.organization_id,
        role__in=LEADING_ROLES,
        deactivated_at__isnull=True,
    ).values("user_id")
    guarded = (
        Objective.objects.filter(guardrails=kpi, owner__isnull=False)
        .exclude(state=Objective.State.CLOSED)
        .values("owner_id")
    )
    # A deactivated membership is no longer told, even as an objective's owner.
    members = Membership.objects.filter(
        organization_id=kpi.organization_id, deactivated_at__isnull=True
    ).values("user_id")
    return list(
        get_user_model()
        .objects.filter(Q(pk__in=leads) | Q(pk__in=guarded), pk__in=members, is_active=True)
        .order_by("username")
    )


def _range_text(kpi: Kpi) -> str:
    unit = kpi.unit or ""
    if kpi.healthy_low is not None and kpi.healthy_high is not None:
        return f"healthy from {kpi.healthy_low:g} to {kpi.healthy_high:g}{unit}"
    if kpi.healthy_low is not None:
        return f"healthy at {kpi.healthy_low:g}{unit} or more"
    return f"healthy at {kpi.healthy_high:g}{unit} or less"


def alert_text(kpi: Kpi) -> tuple[str, str]:
    """The alert's title and body."""
    title = f"KPI alert: {kpi.title} left its healthy range"
    guarded = list(
        Objective.objects.filter(guardrails=kpi)
        .exclude(state=Objective.State.CLOSED)
        .values_list("title", flat=True)
    )
    lines = [f"{kpi.title} is now {kpi.current:g}{kpi.unit or ''} ({_range_text(kpi)})."]
    if guarded:
        lines += ["", "It guards these objectives:", *(f"- {title_}" for title_ in guarded)]
    return title, "\n".join(lines)


def _open(kpi: Kpi, at: datetime) -> Outcome:
    """Open an alert and tell the watchers, unless another worker just did."""
    value = kpi.current
    if value is None:  # only a reading is ever unhealthy: there is nothing to alert on
        return "unchanged"
    people = watchers(kpi)
    title, body = alert_text(kpi)
    with writes.atomic():
        try:
            with writes.atomic():  # a savepoint: a refusal keeps the outer transaction
                alert = KpiAlert.objects.create(
                    organization_id=kpi.organization_id,
                    kpi=kpi,
                    value=value,
                    recipients=len(people),
                    opened_at=at,
                )
        except IntegrityError:
            return "unchanged"
        do_notify(
            kpi.organization,
            people,
            Notification.Kind.OTHER,
            title,
            body=body,
            url=f"/o/{kpi.organization.slug}/kpis/{kpi.slug}/",
            email=True,
        )
        after = {"kpi": kpi.slug, "value": value, "recipients": len(people)}
        record(kpi.organization_id, None, "open_kpi_alert", alert, after=after)
    return "opened"


def _close(kpi: Kpi, at: datetime) -> Outcome:
    """Close the KPI's open alert (back in range): the next crossing alerts again."""
    with writes.atomic():
        alert = KpiAlert.objects.filter(kpi=kpi, closed_at__isnull=True).first()
        if alert is None or not KpiAlert.objects.filter(pk=alert.pk, closed_at__isnull=True).update(
            closed_at=at
        ):
            return "unchanged"
        after = {"kpi": kpi.slug, "value": kpi.current}
        record(kpi.organization_id, None, "close_kpi_alert", alert, after=after)
    return "closed"


def check_kpi(kpi_id: int, at: datetime) -> Outcome:
    """Open or close the KPI's alert to match its health now; what happened."""
    kpi = Kpi.objects.select_related("organization").filter(pk=kpi_id).first()
    if kpi is None:
        return "unchanged"
    healthy = kpi.is_healthy()
    is_open = KpiAlert.objects.filter(kpi=kpi, closed_at__isnull=True).exists()
    if healthy is False and not is_open:
        return _open(kpi, at)
    if healthy is True and is_open:
        return _close(kpi, at)
    return "unchanged"


def kpis_to_check() -> list[int]:
    """KPIs whose health no longer matches their alert (one query over all KPIs)."""
    open_alert = KpiAlert.objects.filter(kpi=OuterRef("pk"), closed_at__isnull=True)
    rows = (
        Kpi.objects.filter(current__isnull=False)
        .filter(Q(healthy_low__isnull=False) | Q(healthy_high__isnull=False))
        .annotate(alerted=Exists(open_alert))
        .only("id", "current", "healthy_low", "healthy_high")
    )
    return [kpi.pk for kpi in rows if (kpi.is_healthy() is False) != kpi.alerted]
