"""The strategy workspace: vision and mission per year, levers and the roadmap under them."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from constellation.server.audit.models import AuditEvent
from constellation.server.strategy.access import next_year_open
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from tests.server.factories import World

PAGE = "/o/acme/strategy/2026/"


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _strategy(world: World) -> Strategy:
    return Strategy.objects.get(organization=world.org, year=2026)


def test_the_workspace_opens_on_this_year_for_every_member(world: World) -> None:
    response = _client(world.viewer).get("/o/acme/strategy/", follow=True)
    this_year = timezone.localdate().year
    assert response.redirect_chain[-1][0] == f"/o/acme/strategy/{this_year}/"
    body = response.content.decode()
    assert "Every team decides with live data." in body
    assert "Win self-serve" in body
    assert "Edit the vision" not in body  # viewers and members read only


def test_a_leader_saves_the_vision_and_it_is_audited(world: World) -> None:
    strategy = _strategy(world)
    response = _client(world.leader).post(
        f"{PAGE}edit/",
        {"vision": "Decisions on live data", "mission": "Self-serve analytics", "version": "1"},
    )
    assert response.status_code == 302
    strategy.refresh_from_db()
    assert (strategy.vision, strategy.mission, strategy.version) == (
        "Decisions on live data",
        "Self-serve analytics",
        2,
    )
    event = AuditEvent.objects.get(object_type="strategy", action="update")
    assert event.after["vision"] == "Decisions on live data"


def test_a_stale_edit_is_refused_and_the_typed_text_kept(world: World) -> None:
    leader, admin = _client(world.leader), _client(world.admin)
    admin.post(f"{PAGE}edit/", {"vision": "Admin's vision", "mission": "", "version": "1"})
    response = leader.post(
        f"{PAGE}edit/", {"vision": "Leader's vision", "mission": "Leader's mission", "version": "1"}
    )
    assert response.status_code == 409
    body = response.content.decode()
    assert "changed by someone else" in body
    assert "Leader&#x27;s vision" in body and "Leader&#x27;s mission" in body
    assert _strategy(world).vision == "Admin's vision"
    assert 'name="version" value="2"' in body  # saving again now replaces it, knowingly


def test_a_year_with_no_strategy_starts_from_the_last_one(world: World) -> None:
    client = _client(world.admin)
    page = client.get("/o/acme/strategy/2027/").content.decode()
    assert "Not written for 2027 yet" in page and "2026 still applies" in page
    response = client.post(
        "/o/acme/strategy/2027/edit/", {"vision": "Next", "mission": "", "version": "0"}
    )
    assert response.status_code == 302
    assert Strategy.objects.get(organization=world.org, year=2027).vision == "Next"
    assert _strategy(world).vision == "Every team decides with live data."


@pytest.mark.parametrize("who", ["member", "viewer"])
def test_only_leaders_and_admins_change_the_strategy(world: World, who: str) -> None:
    client = _client(getattr(world, who))
    response = client.post(f"{PAGE}levers/", {"title": "A new bet", "version": "0"})
    assert response.status_code == 403
    assert "leaders and admins" in response.content.decode() or who == "viewer"
    assert Lever.objects.filter(organization=world.org).count() == 1


def test_an_outsider_gets_404_and_changes_nothing(world: World) -> None:
    client = _client(world.outsider)
    assert client.get(PAGE).status_code == 404
    response = client.post(f"{PAGE}edit/", {"vision": "x", "mission": "", "version": "1"})
    assert response.status_code == 404
    assert _strategy(world).vision == "Every team decides with live data."


def test_a_lever_without_a_name_keeps_what_was_typed(world: World) -> None:
    response = _client(world.leader).post(
        f"{PAGE}levers/", {"title": " ", "description": "Typed words", "version": "0"}
    )
    assert response.status_code == 422
    body = response.content.decode()
    assert 'id="new-lever-title-error"' in body
    assert "Typed words" in body


def test_a_leader_adds_edits_and_retires_a_lever(world: World) -> None:
    client = _client(world.leader)
    client.post(
        f"{PAGE}levers/",
        {
            "title": "Be never down",
            "description": "Reliability",
            "focus": "customer",
            "version": "0",
        },
    )
    lever = Lever.objects.get(organization=world.org, slug="be-never-down")
    assert (lever.focus, lever.position) == ("customer", 1)
    url = f"{PAGE}levers/be-never-down/"
    client.post(url, {"title": "Never down", "description": "", "focus": "both", "version": "1"})
    lever.refresh_from_db()
    assert (lever.title, lever.focus, lever.version) == ("Never down", "both", 2)
    client.post(url, {"action": "retire", "version": "2"})
    lever.refresh_from_db()
    assert lever.retired_at is not None
    page = client.get(PAGE).content.decode()
    assert "Retired levers" in page and "Bring “Never down” back" in page
    actions = list(
        AuditEvent.objects.filter(object_type="lever")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["create", "update", "retire"]


def test_a_roadmap_item_is_added_then_moved_to_another_lever(world: World) -> None:
    client = _client(world.admin)
    other = Lever.objects.create(organization=world.org, slug="never-down", title="Never down")
    response = client.post(
        f"{PAGE}roadmap/",
        {
            "title": "Guided setup",
            "lever": "self-serve",
            "period": "2026-Q4",
            "status": "planned",
            "version": "0",
        },
    )
    assert response.status_code == 302
    item = RoadmapItem.objects.get(title="Guided setup")
    assert (item.lever, item.period.key) == (world.lever, "2026-Q4")
    client.post(
        f"{PAGE}roadmap/{item.pk}/",
        {
            "title": "Guided setup",
            "lever": "never-down",
            "period": "2026-Q2",
            "status": "in_progress",
            "version": "1",
        },
    )
    item.refresh_from_db()
    assert (item.lever, item.period.key, item.status) == (other, "2026-Q2", "in_progress")
    # A quarter with no period yet is created so the roadmap can look ahead.
    assert AuditEvent.objects.filter(object_type="period", action="create").count() == 1


def test_a_stale_roadmap_edit_is_refused_with_the_typed_title_kept(world: World) -> None:
    item = RoadmapItem.objects.create(organization=world.org, lever=world.lever, title="Wizard")
    client = _client(world.admin)
    body = {"lever": "self-serve", "period": "", "status": "planned", "version": "1"}
    client.post(f"{PAGE}roadmap/{item.pk}/", {**body, "title": "First"})
    response = client.post(f"{PAGE}roadmap/{item.pk}/", {**body, "title": "Second"})
    assert response.status_code == 409
    assert 'value="Second"' in response.content.decode()
    item.refresh_from_db()
    assert item.title == "First"


def _grow(world: World, start: int, levers: int, items: int) -> None:
    made = Lever.objects.bulk_create(
        Lever(organization=world.org, slug=f"bet-{n}", title=f"Bet {n}", position=n + 1)
        for n in range(start, start + levers)
    )
    RoadmapItem.objects.bulk_create(
        RoadmapItem(organization=world.org, lever=made[n % len(made)], title=f"Work {n}")
        for n in range(items)
    )


def test_the_page_runs_the_same_queries_for_few_and_many_levers(
    world: World, django_assert_num_queries
) -> None:
    client = _client(world.leader)
    _grow(world, 0, 2, 4)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as few:
        assert client.get(PAGE).status_code == 200
    _grow(world, 2, 30, 90)
    with django_assert_num_queries(len(few)):
        assert client.get(PAGE).status_code == 200
    assert len(few) <= 12


def test_next_year_opens_for_planning_with_the_next_quarter(world: World) -> None:
    assert next_year_open(world.org, date(2026, 11, 18)) is None  # 44 days ahead: not yet
    assert next_year_open(world.org, date(2026, 11, 20)) == (2027, 42)
    assert next_year_open(world.org, date(2026, 12, 31)) == (2027, 1)
    world.org.plan_ahead_days = 0
    assert next_year_open(world.org, date(2026, 12, 31)) is None


def test_the_strategy_page_offers_next_year_six_weeks_ahead(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 12, 2))
    body = _client(world.member).get(PAGE).content.decode()
    assert "2027 starts in 30 days." in body
    assert 'href="/o/acme/strategy/2027/">read the strategy of 2027' in body
    leader = _client(world.leader).get(PAGE).content.decode()
    assert 'href="/o/acme/strategy/2027/">write the strategy of 2027' in leader
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2026, 10, 2))
    assert "2027 starts in" not in _client(world.member).get(PAGE).content.decode()
