"""Deleting a KPI: leaders and admins, with its version; the objectives it guards lose the
guardrail and the key results promoted from it keep their numbers, each history telling."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.plans.stored import rescore_organization
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import add_objectives, client_for
from tests.server.factories import World, make_key_result

pytestmark = pytest.mark.django_db

URL = "/orgs/acme/kpis/logo-churn"


@pytest.fixture
def fed(world: World) -> KeyResult:
    """A key result promoted from the KPI, with a check-in its reading made."""
    row = make_key_result(
        world.objective, "churn", "Cut logo churn from 2.1% to 1.5%", baseline=2.1, target=1.5
    )
    KeyResult.objects.filter(pk=row.pk).update(kpi=world.kpi)
    leader = client_for(world.leader, world.org)
    assert leader.post(f"{URL}/readings", {"value": 1.9, "date": "2026-11-14"}).status_code == 201
    return KeyResult.objects.get(pk=row.pk)


def test_a_leader_deletes_a_kpi_and_what_used_it_is_told(world: World, fed: KeyResult) -> None:
    leader = client_for(world.leader, world.org)
    version = Kpi.objects.get(pk=world.kpi.pk).version
    assert fed.current == 1.9 and CheckIn.objects.filter(key_result=fed).count() == 1
    deleted = leader.delete(f"{URL}?version={version}")
    assert deleted.status_code == 204
    assert not Kpi.objects.filter(pk=world.kpi.pk).exists()
    assert not KpiReading.objects.exists()
    assert not world.objective.guardrails.exists()
    kept = KeyResult.objects.get(pk=fed.pk)
    assert (kept.kpi_id, kept.current, kept.baseline) == (None, 1.9, 2.1)
    assert CheckIn.objects.filter(key_result=fed).count() == 1
    event = AuditEvent.objects.get(action="delete", object_type="kpi")
    assert event.before["guards"] == ["activation"]
    assert event.before["feeds"] == ["activation/churn"]
    guard = AuditEvent.objects.get(action="update", object_type="objective")
    assert (guard.before, guard.after) == ({"guardrails": ["logo-churn"]}, {"guardrails": []})
    assert guard.objective_id == world.objective.pk
    feed = AuditEvent.objects.get(action="update", object_type="keyresult", object_id=fed.pk)
    assert feed.after == {"kpi": None}
    assert rescore_organization(world.org).total == 0
    assert leader.get(URL).status_code == 404


def test_a_kpi_guarding_a_launched_objective_goes_only_with_a_reason(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    admin = client_for(world.admin, world.org)
    refused = admin.delete(f"{URL}?version=1")
    assert refused.status_code == 422 and refused.data["errors"][0]["loc"] == ["query", "reason"]
    assert Kpi.objects.filter(pk=world.kpi.pk).exists()
    assert admin.delete(f"{URL}?version=1&reason=Churn+is+tracked+by+finance").status_code == 204
    guard = AuditEvent.objects.get(action="update", object_type="objective")
    assert guard.reason == "Churn is tracked by finance"


def test_a_stale_version_is_a_409(world: World) -> None:
    admin = client_for(world.admin, world.org)
    assert admin.patch(URL, {"version": 1, "title": "Logo churn"}).status_code == 200
    stale = admin.delete(f"{URL}?version=1")
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    unversioned = admin.delete(URL)
    assert unversioned.status_code == 422
    assert Kpi.objects.filter(pk=world.kpi.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("member", 403), ("viewer", 403), ("outsider", 404)])
def test_members_viewers_and_outsiders_delete_no_kpi(world: World, who: str, status: int) -> None:
    org = world.other_org if who == "outsider" else world.org
    assert client_for(getattr(world, who), org).delete(f"{URL}?version=1").status_code == status
    assert Kpi.objects.filter(pk=world.kpi.pk).exists()


def test_the_web_app_lists_what_uses_it_then_deletes(world: World, fed: KeyResult) -> None:
    browser = Client()
    browser.force_login(world.leader)
    page = "/o/acme/kpis/logo-churn/delete/"
    assert page in browser.get("/o/acme/kpis/logo-churn/").content.decode()
    asked = browser.get(page).content.decode()
    assert "It guards" in asked and "Cut logo churn from 2.1% to 1.5%" in asked
    version = Kpi.objects.get(pk=world.kpi.pk).version
    assert browser.post(page, {"version": version + 1}).status_code == 409
    done = browser.post(page, {"version": version})
    assert done.status_code == 302 and done["Location"] == "/o/acme/kpis/"
    assert not Kpi.objects.filter(pk=world.kpi.pk).exists()


def test_the_web_app_refuses_a_member(world: World) -> None:
    member = Client()
    member.force_login(world.member)
    assert member.post("/o/acme/kpis/logo-churn/delete/", {"version": 1}).status_code == 403
    assert Kpi.objects.filter(pk=world.kpi.pk).exists()


def _queries(world: World, client: Client, send: Any) -> int:
    with CaptureQueriesContext(connection) as seen:
        answer = send()
    assert answer.status_code in {200, 204}
    return len(seen)


def test_the_page_and_the_delete_run_the_same_queries_whatever_uses_the_kpi(world: World) -> None:
    browser = Client()
    browser.force_login(world.leader)
    page = "/o/acme/kpis/logo-churn/delete/"
    add_objectives(world, 3)
    browser.get(page)  # warm the session and the stored scores
    few = _queries(world, browser, lambda: browser.get(page))
    add_objectives(world, 30, start=3)
    browser.get(page)
    many = _queries(world, browser, lambda: browser.get(page))
    assert many == few
    leader = client_for(world.leader, world.org)
    leader.get("/orgs/acme/kpis")
    with CaptureQueriesContext(connection) as seen:
        assert leader.delete(f"{URL}?version=1").status_code == 204
    # 34 objectives lose the guardrail, rescored in batches: 48 queries for 4 of them, 49 for 84.
    assert len(seen) <= 55
    assert AuditEvent.objects.filter(action="update", object_type="objective").count() == 34
