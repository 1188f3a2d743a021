"""Every audit event is counted in its own transaction; the revision reads only the counters."""

from __future__ import annotations

import importlib
import threading

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.actions import record
from constellation.server.audit.models import AuditEvent, AuditRevision
from constellation.server.plans.scores import revision
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def _truth(world: World) -> tuple[int, int]:
    events = AuditEvent.objects.filter(organization=world.org)
    return events.count(), max(events.values_list("id", flat=True), default=0)


def test_the_revision_counts_events_recorded_one_by_one_and_in_bulk(world: World) -> None:
    assert revision(world.org) == (0, 0)
    record(world.org.pk, world.member, "check_in", world.key_result)
    AuditEvent.objects.bulk_create(
        AuditEvent(organization=world.org, action="import", object_type="objective")
        for _ in range(3)
    )
    AuditEvent.objects.create(organization=world.other_org, action="import")
    assert revision(world.org) == _truth(world) == (4, _truth(world)[1])
    assert revision(world.other_org)[0] == 1


def test_the_revision_is_one_query_on_the_counters_alone(world: World) -> None:
    for _ in range(5):
        record(world.org.pk, world.member, "check_in", world.key_result)
    with CaptureQueriesContext(connection) as captured:
        revision(world.org)
    assert len(captured) == 1
    assert "audit_auditrevision" in captured[0]["sql"]
    assert "audit_auditevent" not in captured[0]["sql"]


def test_an_event_rolled_back_is_not_counted(world: World) -> None:
    record(world.org.pk, world.member, "check_in", world.key_result)
    with pytest.raises(RuntimeError), transaction.atomic():
        record(world.org.pk, world.member, "check_in", world.key_result)
        raise RuntimeError("the write failed")
    assert revision(world.org) == _truth(world)
    assert revision(world.org)[0] == 1


def test_the_migration_starts_the_counters_at_the_existing_history(world: World) -> None:
    for _ in range(3):
        record(world.org.pk, world.member, "check_in", world.key_result)
    expected = revision(world.org)
    AuditRevision.objects.all().delete()
    assert revision(world.org) == (0, 0)
    migration = importlib.import_module(
        "constellation.server.audit.migrations.0002_count_events_per_organization"
    )
    migration.count_existing_events(apps, None)
    assert revision(world.org) == expected


@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_organisation_do_not_wait_for_each_other(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has a single writer: there is nothing to wait for")
    record(world.org.pk, world.admin, "create_org", world.org)  # makes the counters, as usual
    holding = threading.Event()
    release = threading.Event()
    failures: list[BaseException] = []

    def slow_writer() -> None:
        try:
            with transaction.atomic():
                record(world.org.pk, world.member, "check_in", world.key_result)
                holding.set()
                release.wait(10)
        except BaseException as error:  # reported by the main thread
            failures.append(error)
        finally:
            holding.set()
            connection.close()

    thread = threading.Thread(target=slow_writer)
    thread.start()
    assert holding.wait(10)
    with transaction.atomic():
        with connection.cursor() as cursor:
            # Waiting for the other writer's counter would fail here instead of hanging.
            cursor.execute("SET LOCAL lock_timeout = '2s'")
        record(world.org.pk, world.admin, "check_in", world.key_result)
    release.set()
    thread.join(10)
    assert failures == []
    assert revision(world.org) == _truth(world)
    assert revision(world.org)[0] == 3
