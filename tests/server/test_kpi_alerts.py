"""KPI alerts: one alert per KPI and crossing of its healthy range, to the KPI's watchers."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from django.core import mail
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from constellation.server.kpis import alerts as kpi_alerts
from constellation.server.kpis.actions import do_add_reading
from constellation.server.kpis.alerts import check_kpi, kpis_to_check, watchers
from constellation.server.kpis.models import Kpi
from constellation.server.kpis.tasks import (
    enqueue_kpi_check,
    kpi_check_job,
    kpi_checks_job,
    kpi_sweep_job,
)
from constellation.server.notifications.models import Notification
from constellation.server.orgs.access import access_org
from constellation.server.tracking.models import KpiAlert
from tests.server.factories import World

AT = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)


def read(world: World, value: float) -> Kpi:
    """A new reading of logo churn (healthy at 2.5% or less)."""
    Kpi.objects.filter(pk=world.kpi.pk).update(current=value)
    return Kpi.objects.get(pk=world.kpi.pk)


def test_watchers_are_admins_leaders_and_owners_of_guarded_objectives(world: World) -> None:
    assert [p.username for p in watchers(world.kpi)] == ["admin", "leader", "member"]


def test_leaving_the_range_alerts_each_watcher_once_by_app_and_email(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    read(world, 3.2)
    with django_capture_on_commit_callbacks(execute=True):
        assert check_kpi(world.kpi.pk, AT) == "opened"
    alerts = Notification.objects.filter(title__startswith="KPI alert")
    assert sorted(n.recipient.username for n in alerts) == ["admin", "leader", "member"]
    assert alerts[0].url == "/o/acme/kpis/logo-churn/"
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@example.com",
        "leader@example.com",
        "member@example.com",
    ]
    body = mail.outbox[0].body
    assert mail.outbox[0].subject == (
        "[Constellation] KPI alert: Monthly logo churn left its healthy range"
    )
    assert "Monthly logo churn is now 3.2% (healthy at 2.5% or less)." in body
    assert "- New teams get to value in their first week" in body


def test_one_alert_per_crossing_not_per_reading(world: World) -> None:
    read(world, 3.2)
    assert check_kpi(world.kpi.pk, AT) == "opened"
    read(world, 3.6)
    assert check_kpi(world.kpi.pk, AT) == "unchanged"  # still unhealthy: nothing new
    read(world, 2.0)
    assert check_kpi(world.kpi.pk, AT) == "closed"
    assert check_kpi(world.kpi.pk, AT) == "unchanged"
    read(world, 2.9)
    assert check_kpi(world.kpi.pk, AT) == "opened"  # a second crossing
    assert KpiAlert.objects.count() == 2
    assert KpiAlert.objects.filter(closed_at__isnull=True).get().value == 2.9
    assert Notification.objects.filter(recipient=world.admin).count() == 2


def test_a_second_worker_opening_the_same_alert_sends_nothing(world: World) -> None:
    kpi = read(world, 3.2)
    assert kpi_alerts._open(kpi, AT) == "opened"
    # The partial unique index refuses a second open alert for the KPI.
    assert kpi_alerts._open(kpi, AT) == "unchanged"
    assert Notification.objects.count() == 3


def test_a_check_is_enqueued_only_when_the_reading_commits(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as callbacks, transaction.atomic():
        enqueue_kpi_check(world.kpi.pk)
    assert DBTaskResult.objects.count() == 0
    assert len(callbacks) == 1
    callbacks[0]()
    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("kpi_check_job")
    assert job.args_kwargs == {"args": [world.kpi.pk], "kwargs": {}}
    read(world, 4.0)
    assert job.task.call(*job.args_kwargs["args"]) == "opened"
    assert kpi_check_job.call(world.kpi.pk) == "unchanged"


def test_the_sweep_catches_a_crossing_nobody_enqueued(world: World) -> None:
    assert kpis_to_check() == []
    read(world, 5.0)
    assert kpis_to_check() == [world.kpi.pk]
    assert kpi_sweep_job.call() == 1
    assert kpis_to_check() == []
    read(world, 1.0)
    assert kpis_to_check() == [world.kpi.pk]
    assert kpi_sweep_job.call() == 1
    assert KpiAlert.objects.get().closed_at is not None


def test_a_kpi_without_a_reading_or_range_never_alerts(world: World) -> None:
    Kpi.objects.filter(pk=world.kpi.pk).update(healthy_high=None)
    read(world, 99.0)
    assert check_kpi(world.kpi.pk, AT) == "unchanged"
    assert check_kpi(123456, AT) == "unchanged"
    assert kpis_to_check() == []


def test_saving_readings_enqueues_one_check_of_their_kpis_after_commit(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        do_add_reading(
            access_org(world.admin, "acme"), world.kpi, date(2026, 11, 16), 4.0, world.admin
        )
    job = DBTaskResult.objects.get()
    assert job.task_path.endswith("kpi_checks_job")
    assert job.args_kwargs == {"args": [[world.kpi.pk]], "kwargs": {}}
    assert job.task.call(*job.args_kwargs["args"]) == 1
    assert kpi_checks_job.call([world.kpi.pk]) == 0
