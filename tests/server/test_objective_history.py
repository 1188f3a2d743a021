"""An objective's history is one indexed lookup: every audit event is filed under its objective
when it is recorded (`AuditEvent.objective_id`), key results' edits, check-ins and deletions
included, and the migration files the events recorded before the column existed."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.access import objective_events
from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.actions import ReadingRow, do_promote_kpi, do_record_readings
from constellation.server.okrs import actions, drafting, initiatives
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Organization
from constellation.server.plans.transfer import export_org, import_plan
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World, make_key_result

pytestmark = pytest.mark.django_db


def _write_history(world: World) -> Objective:
    """Edits, check-ins and a deletion on the objective and on another one of the same org;
    the other objective is returned."""
    access = access_org(world.admin, "acme")
    objective, kr = world.objective, world.key_result
    actions.do_edit_objective(
        access,
        objective,
        actions.ObjectiveEdit(title="Teams see value"),
        expected_version=1,
        actor=world.admin,
    )
    actions.do_edit_key_result(
        access,
        kr,
        actions.KeyResultEdit(target=60.0),
        expected_version=kr.version,
        actor=world.admin,
    )
    do_check_in(
        access, kr, CheckInInput(45, 7, "Wizard helps", None, date(2026, 11, 2)), world.admin
    )
    initiatives.do_create_initiative(
        access, objective, initiatives.InitiativeInput("Guided setup", [kr]), world.admin
    )
    doomed = world.second_key_result
    drafting.do_delete_key_result(
        access, doomed, expected_version=doomed.version, actor=world.admin
    )
    other = Objective.objects.get(organization=world.org, slug="retention")
    other_kr = make_key_result(other, "nps", "Raise NPS from 30 to 40", baseline=30, target=40)
    do_check_in(access, other_kr, CheckInInput(33, 6, "", None, date(2026, 11, 2)), world.admin)
    actions.do_edit_objective(
        access,
        other,
        actions.ObjectiveEdit(title="Customers stay"),
        expected_version=1,
        actor=world.admin,
    )
    return other


def _seen(events: object) -> set[tuple[str, str, int | None]]:
    return {(e.action, e.object_type, e.object_id) for e in events}  # type: ignore[attr-defined]


def test_an_objectives_history_has_its_key_results_edits_check_ins_and_deleted_ones(
    world: World,
) -> None:
    deleted_id = world.second_key_result.pk
    other = _write_history(world)
    access = access_org(world.viewer, "acme")
    kr = world.key_result.pk
    initiative = world.objective.initiatives.get()
    assert _seen(objective_events(access, world.objective)) == {
        ("update", "objective", world.objective.pk),
        ("update", "keyresult", kr),
        ("check_in", "keyresult", kr),
        ("create", "initiative", initiative.pk),
        ("delete", "keyresult", deleted_id),
    }
    assert not KeyResult.objects.filter(pk=deleted_id).exists()
    others = _seen(objective_events(access, other))
    nps = KeyResult.objects.get(slug="nps").pk
    assert others == {("update", "objective", other.pk), ("check_in", "keyresult", nps)}


def test_another_organisations_history_of_the_same_objective_id_is_not_shown(
    world: World,
) -> None:
    AuditEvent.objects.create(
        organization=world.other_org,
        action="update",
        object_type="objective",
        objective_id=world.objective.pk,
    )
    assert list(objective_events(access_org(world.viewer, "acme"), world.objective)) == []


def test_the_history_is_one_query_newest_first(world: World) -> None:
    _write_history(world)
    access = access_org(world.viewer, "acme")
    with CaptureQueriesContext(connection) as captured:
        events = list(objective_events(access, world.objective)[:50])
    assert len(captured) == 1
    assert events[0].object_type == "keyresult" and events[0].action == "delete"
    assert [e.pk for e in events] == sorted((e.pk for e in events), reverse=True)


def test_the_history_reads_the_objective_index(world: World) -> None:
    _write_history(world)
    events = objective_events(access_org(world.viewer, "acme"), world.objective)
    if connection.vendor == "sqlite":
        plan = events.explain()  # EXPLAIN QUERY PLAN
    elif connection.vendor == "postgresql":
        # A few rows are cheaper to scan: forbid the scan to see which index the query can use.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = events.explain()
    else:
        pytest.skip(f"no plan check for {connection.vendor}")
    assert "audit_event_objective_idx" in plan, plan


def test_an_import_files_its_key_results_check_ins_and_initiatives_under_their_objective(
    world: World,
) -> None:
    _write_history(world)
    imported = Organization.objects.create(slug="imported", name="Imported")
    for person in (world.member, world.admin):
        Membership.objects.create(organization=imported, user=person, role="member")
    import_plan(export_org("acme"), "imported")
    events = AuditEvent.objects.filter(organization=imported)
    kinds = {"objective", "keyresult", "initiative", "checkin"}
    filed = list(events.filter(object_type__in=kinds).values_list("object_type", "objective_id"))
    assert {kind for kind, _ in filed} == kinds
    assert all(objective_id is not None for _, objective_id in filed)
    for objective in Objective.objects.filter(organization=imported):
        mine = events.filter(objective_id=objective.pk)
        key_results = objective.key_results.all()
        check_ins = CheckIn.objects.filter(key_result__objective=objective)
        initiatives = objective.initiatives.all()
        for kind, rows in (("keyresult", key_results), ("checkin", check_ins)):
            ids = mine.filter(object_type=kind).values_list("object_id", flat=True)
            assert set(ids) == set(rows.values_list("pk", flat=True))
        ids = mine.filter(object_type="initiative").values_list("object_id", flat=True)
        assert set(ids) == set(initiatives.values_list("pk", flat=True))


def test_the_migration_files_the_events_recorded_before_the_column(world: World) -> None:
    deleted_id = world.second_key_result.pk
    _write_history(world)
    access = access_org(world.viewer, "acme")
    expected = _seen(objective_events(access, world.objective))
    AuditEvent.objects.update(objective_id=None)
    assert list(objective_events(access, world.objective)) == []
    migration = importlib.import_module(
        "constellation.server.audit.migrations.0004_auditevent_objective_id"
    )
    migration.file_events_under_objectives(apps, None)
    filed = _seen(objective_events(access, world.objective))
    # The deleted key result's row is gone: its deletion is found by the snapshot it keeps.
    assert filed == expected
    assert ("delete", "keyresult", deleted_id) in filed


def test_a_kpi_promoted_into_the_objective_is_in_its_history(world: World) -> None:
    access = access_org(world.admin, "acme")
    do_record_readings(access, [ReadingRow(world.kpi, date(2026, 10, 5), 2.2)], world.admin)
    key_result = do_promote_kpi(access, world.kpi, world.objective, target=1.8, actor=world.admin)
    seen = _seen(objective_events(access, world.objective))
    assert ("promote", "kpi", world.kpi.pk) in seen
    made = key_result.pk
    assert {("create", "keyresult", made), ("check_in", "keyresult", made)} <= seen


def _many_edits(world: World, count: int) -> None:
    access = access_org(world.admin, "acme")
    objective = world.objective
    for number in range(count):
        objective.refresh_from_db()
        actions.do_edit_objective(
            access,
            objective,
            actions.ObjectiveEdit(title=f"Teams see value, take {number}"),
            expected_version=objective.version,
            actor=world.admin,
        )


def test_the_objective_page_shows_the_latest_changes_and_leads_to_the_whole_history(
    world: World, client
) -> None:
    from constellation.server.web.views.objective_page import HISTORY_ON_PAGE, HISTORY_PER_PAGE

    _many_edits(world, HISTORY_PER_PAGE + 5)
    client.force_login(world.member)
    page = client.get(f"/o/acme/objectives/{world.objective.slug}/").content.decode()
    history = page[page.index('id="history"') :]
    assert history.count("<li>\n      <time") == HISTORY_ON_PAGE
    assert f"take {HISTORY_PER_PAGE + 4}" in history  # the newest first
    link = f"/o/acme/objectives/{world.objective.slug}/history/"
    assert link in history

    first = client.get(link)
    assert first.status_code == 200
    body = first.content.decode()
    assert body.count("<li>\n      <time") == HISTORY_PER_PAGE
    assert f"take {HISTORY_PER_PAGE + 4}" in body
    assert 'rel="next"' in body and "Page 1 of 2" in body
    older = client.get(link, {"page": 2}).content.decode()
    assert "take 0" in older  # the oldest edit, on the last page
    assert 'rel="prev"' in older
    # A page number that is no page gives a real page, not an error.
    assert client.get(link, {"page": "99"}).status_code == 200
    assert client.get(link, {"page": "x"}).status_code == 200


def test_the_history_page_reads_a_fixed_number_of_queries(world: World, client) -> None:
    client.force_login(world.member)
    link = f"/o/acme/objectives/{world.objective.slug}/history/"
    _many_edits(world, 3)
    client.get(link)
    with CaptureQueriesContext(connection) as few:
        assert client.get(link).status_code == 200
    _many_edits(world, 60)
    with CaptureQueriesContext(connection) as many:
        assert client.get(link, {"page": 2}).status_code == 200
    assert len(many.captured_queries) == len(few.captured_queries)


def test_an_objective_with_a_short_history_has_no_link_to_more(world: World, client) -> None:
    client.force_login(world.member)
    page = client.get(f"/o/acme/objectives/{world.objective.slug}/").content.decode()
    assert "/history/" not in page


def test_an_entry_lists_only_the_fields_its_change_changed(world: World) -> None:
    from constellation.server.web.views.objective_page import audit_entries

    access = access_org(world.admin, "acme")
    kr = world.key_result
    do_check_in(access, kr, CheckInInput(45, 7, "", None, date(2026, 11, 2)), world.admin)
    do_check_in(access, kr, CheckInInput(48, 7, "", None, date(2026, 11, 9)), world.admin)
    latest = audit_entries(access, Objective.objects.get(pk=world.objective.pk), 1)[0]
    names = [name for name, _, _ in latest.changes]
    assert "current" in names
    assert "confidence" not in names and "note" not in names
