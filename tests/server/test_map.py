"""The constellation map's data: the period's objectives, their links both ways, in few queries."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit import changes
from constellation.server.okrs.models import Alignment, Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.map import map_json, read_map, what_if
from constellation.server.strategy.models import Lever
from tests.server.api_helpers import add_objectives
from tests.server.factories import World, make_objective, make_period

pytestmark = pytest.mark.django_db


def _map(world: World, period=None) -> dict:
    access = access_org(world.member, "acme")
    return map_json(read_map(access, period or world.period))


def test_it_draws_the_periods_objectives_with_their_stored_scores(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(
        progress=0.4, status="at_risk", status_reason="Churn is above its healthy range"
    )
    data = _map(world)
    assert data["period"] == "2026-Q4"
    assert data["organization"] == "acme"
    assert data["strategy"]["vision"] == "Every team decides with live data."
    nodes = {n["id"]: n for n in data["nodes"]}
    assert set(nodes) == {"retention", "activation"}
    star = nodes["activation"]
    assert star["progress"] == 0.4
    assert star["status"] == "at_risk"
    assert star["status_reason"] == "Churn is above its healthy range"
    assert star["team"] == "growth" and star["team_name"] == "Growth"
    assert star["levers"] == ["self-serve"]
    assert star["focus"] == "customer"
    assert star["owner"] == "member"
    assert star["state"] == "draft"
    assert star["url"] == "/o/acme/objectives/activation/"
    assert nodes["retention"]["owner"] is None
    assert nodes["retention"]["status_reason"] is None
    assert data["edges"] == [{"from": "activation", "to": "retention", "cross_period": False}]
    assert data["outside"] == []


def test_it_counts_each_levers_objectives_and_shows_the_levers_nobody_models(
    world: World,
) -> None:
    Lever.objects.create(organization=world.org, slug="trust", title="Earn trust", position=1)
    Lever.objects.create(
        organization=world.org, slug="old", title="Old bet", retired_at="2026-01-01T00:00Z"
    )
    data = _map(world)
    assert data["levers"] == [
        {"id": "self-serve", "title": "Win self-serve", "objectives": 2},
        {"id": "trust", "title": "Earn trust", "objectives": 0},
    ]


def test_it_names_owners_by_their_full_name(world: World) -> None:
    world.member.first_name, world.member.last_name = "Amara", "Okafor"
    world.member.save()
    nodes = {n["id"]: n for n in _map(world)["nodes"]}
    assert nodes["activation"]["owner"] == "Amara Okafor"


def test_links_to_other_periods_are_flagged_and_their_far_end_drawn_apart(world: World) -> None:
    later = make_period(world.org, "2027-Q1")
    earlier = make_period(world.org, "2026-Q3")
    follow_up = make_objective(world.org, world.team, later, "follow-up", "Teams keep their pace")
    base = make_objective(world.org, world.team, earlier, "groundwork", "The groundwork holds")
    Alignment.objects.create(source=follow_up, target=world.objective)
    Alignment.objects.create(source=world.objective, target=base)
    data = _map(world)
    assert {(e["from"], e["to"], e["cross_period"]) for e in data["edges"]} == {
        ("activation", "retention", False),
        ("follow-up", "activation", True),
        ("activation", "groundwork", True),
    }
    assert data["outside"] == [
        {
            "id": "groundwork",
            "title": "The groundwork holds",
            "period": "2026-Q3",
            "team": "growth",
            "url": "/o/acme/objectives/groundwork/",
        },
        {
            "id": "follow-up",
            "title": "Teams keep their pace",
            "period": "2027-Q1",
            "team": "growth",
            "url": "/o/acme/objectives/follow-up/",
        },
    ]
    assert {n["id"] for n in data["nodes"]} == {"retention", "activation"}


def test_another_organisations_objectives_never_appear(world: World) -> None:
    data = _map(world)
    ids = {n["id"] for n in data["nodes"]} | {o["id"] for o in data["outside"]}
    assert "secret" not in ids
    assert "Globex" not in str(data)


def test_an_organisation_without_a_period_gets_an_empty_map(world: World) -> None:
    data = map_json(read_map(access_org(world.member, "acme"), None))
    assert data["period"] is None
    assert data["nodes"] == data["edges"] == data["outside"] == []
    assert [lv["id"] for lv in data["levers"]] == ["self-serve"]


def test_what_if_names_the_objectives_that_lose_their_target(world: World) -> None:
    squad = make_objective(world.org, world.team, world.period, "squad", "Squads ship weekly")
    Alignment.objects.create(source=squad, target=world.objective)
    data = read_map(access_org(world.member, "acme"), world.period)
    dropped = what_if(data, objective="retention")
    assert dropped.lose_target == ["activation"]
    assert dropped.lose_indirect == ["squad"]
    by_lever = what_if(data, lever="self-serve")
    assert by_lever.unmodelled == ["retention", "activation"]
    assert by_lever.lose_target == ["squad"]


def _queries(world: World) -> int:
    access = access_org(world.member, "acme")
    changes.flush()
    with CaptureQueriesContext(connection) as queries:
        data = read_map(access, world.period)
    assert len(data.nodes) == Objective.objects.filter(period=world.period).count()
    return len(queries)


def test_it_reads_25_or_500_objectives_in_the_same_few_queries(world: World) -> None:
    add_objectives(world, 23)
    small = _queries(world)
    add_objectives(world, 477, start=23)
    large = _queries(world)
    assert small == large <= 7
