"""GET the constellation map and its "what if": the database's objectives and links, exactly."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext

from constellation.server.audit import changes
from constellation.server.audit.actions import record
from constellation.server.demo import build_demo
from constellation.server.okrs.models import Alignment, Objective, Period
from constellation.server.orgs.models import Membership, Organization, Team
from constellation.server.strategy.models import Lever
from tests.server.api_helpers import add_objectives, client_for
from tests.server.factories import World, make_period

pytestmark = pytest.mark.django_db

# A day half-way through the demo's current quarter, 2026-Q2.
DEMO_DAY = date(2026, 5, 20)


def _database(period: Period) -> tuple[set[str], set[tuple[str, str]]]:
    """The period's objectives and every alignment touching them, read straight from the rows."""
    slugs = set(Objective.objects.filter(period=period).values_list("slug", flat=True))
    links = set(
        Alignment.objects.filter(Q(source__period=period) | Q(target__period=period)).values_list(
            "source__slug", "target__slug"
        )
    )
    return slugs, links


def _drawn(body: dict) -> tuple[set[str], set[tuple[str, str]]]:
    return {n["id"] for n in body["nodes"]}, {(e["from"], e["to"]) for e in body["edges"]}


def _demo_client() -> tuple[Organization, Period, object]:
    org = build_demo(DEMO_DAY).organization
    leader = Membership.objects.filter(organization=org, role="leader").first()
    assert leader is not None
    period = Period.objects.get(organization=org, key="2026-Q2")
    return org, period, client_for(leader.user, org)


def test_the_map_of_the_world_has_its_objectives_link_and_strategy(world: World) -> None:
    response = client_for(world.viewer, world.org).get("/orgs/acme/map", period="2026-Q4")
    assert response.status_code == 200
    body = response.data
    assert body["period"] == "2026-Q4"
    assert body["strategy"]["vision"] == "Every team decides with live data."
    assert body["levers"] == [{"id": "self-serve", "title": "Win self-serve", "objectives": 2}]
    assert {t["id"] for t in body["teams"]} == {"company", "growth"}
    assert _drawn(body) == ({"activation", "retention"}, {("activation", "retention")})
    assert body["edges"][0]["cross_period"] is False


def test_the_demo_map_draws_every_objective_and_every_alignment() -> None:
    org, period, client = _demo_client()
    body = client.get(f"/orgs/{org.slug}/map", period=period.key).data
    slugs, links = _database(period)
    assert len(slugs) >= 23 and len(links) >= 15
    assert _drawn(body) == (slugs, links)
    stored = dict(Objective.objects.filter(period=period).values_list("slug", "status"))
    assert {n["id"]: n["status"] for n in body["nodes"]} == stored
    assert len(body["levers"]) == 4


def _big_org(world: World, count: int) -> Period:
    """`count` objectives over 20 teams and 4 levers, linked across teams and periods."""
    org = world.org
    teams = Team.objects.bulk_create(
        Team(organization=org, slug=f"team-{t}", name=f"Team {t}") for t in range(20)
    )
    more = Lever.objects.bulk_create(
        Lever(organization=org, slug=f"lever-{n}", title=f"Lever {n}", position=n + 1)
        for n in range(3)
    )
    levers = [world.lever, *more]
    made = Objective.objects.bulk_create(
        Objective(
            organization=org,
            team=teams[n % 20],
            period=world.period,
            slug=f"big-{n}",
            title=f"Customers in market {n} succeed",
            focus=("customer", "business", "both", "")[n % 4],
            state=("draft", "launched", "closed")[n % 3],
            progress=(n % 11) / 10,
            status=("on_track", "at_risk", "off_track")[n % 3],
            position=10 + n,
        )
        for n in range(count)
    )
    Objective.levers.through.objects.bulk_create(
        Objective.levers.through(objective_id=o.pk, lever_id=levers[k].pk)
        for n, o in enumerate(made)
        for k in range(n % 3)  # none, one, then two levers
    )
    later = make_period(org, "2027-Q1")
    beyond = Objective.objects.bulk_create(
        Objective(organization=org, team=teams[n], period=later, slug=f"next-{n}", title="Next")
        for n in range(5)
    )
    Alignment.objects.bulk_create(
        [Alignment(source=o, target=made[n // 4]) for n, o in enumerate(made) if n >= 4]
        + [Alignment(source=o, target=made[n * 7]) for n, o in enumerate(beyond)]
        + [Alignment(source=made[n], target=beyond[n]) for n in range(5)]
    )
    record(org.pk, None, "import", reason=f"{count} objectives added in bulk")
    return world.period


def test_a_2000_objective_map_equals_the_database(world: World) -> None:
    period = _big_org(world, 2000)
    client = client_for(world.member, world.org)
    body = client.get("/orgs/acme/map", period=period.key).data
    slugs, links = _database(period)
    assert len(slugs) == 2002 and len(links) > 2000
    assert _drawn(body) == (slugs, links)
    assert sum(e["cross_period"] for e in body["edges"]) == 10
    assert {o["id"] for o in body["outside"]} == {f"next-{n}" for n in range(5)}
    counts = {lever["id"]: lever["objectives"] for lever in body["levers"]}
    assert counts["lever-1"] == Objective.objects.filter(levers__slug="lever-1").count()


def _api_queries(world: World) -> int:
    client = client_for(world.member, world.org)
    changes.flush()
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/orgs/acme/map", period="2026-Q4")
    assert response.status_code == 200
    assert len(response.data["nodes"]) == Objective.objects.filter(period=world.period).count()
    return len(queries)


def test_the_map_costs_the_same_queries_at_25_and_500_objectives(world: World) -> None:
    add_objectives(world, 23)
    small = _api_queries(world)
    add_objectives(world, 477, start=23)
    assert _api_queries(world) == small


def test_dropping_a_demo_lever_lists_the_objectives_that_model_only_it() -> None:
    org, period, client = _demo_client()
    modelled: dict[str, set[str]] = {}
    for slug, lever in Objective.objects.filter(period=period).values_list("slug", "levers__slug"):
        modelled.setdefault(slug, set()).update([lever] if lever else [])
    alone = {
        lever: {o for o, names in modelled.items() if names == {lever}}
        for lever in Lever.objects.filter(organization=org).values_list("slug", flat=True)
    }
    lever = max(alone, key=lambda name: len(alone[name]))
    assert alone[lever], "the demo has a lever some objectives model alone"
    body = client.get(f"/orgs/{org.slug}/map/what-if", period=period.key, lever=lever).data
    assert body["dropped"]["kind"] == "lever" and body["dropped"]["id"] == lever
    assert set(body["unmodelled"]) == alone[lever] == set(body["dropped"]["objectives"])
    aligners = set(
        Alignment.objects.filter(target__slug__in=alone[lever]).values_list(
            "source__slug", flat=True
        )
    )
    assert set(body["lose_target"]) == aligners - alone[lever]
    assert not set(body["lose_indirect"]) & (aligners | alone[lever])


def test_dropping_a_demo_objective_lists_its_aligners_then_those_behind_them() -> None:
    org, period, client = _demo_client()
    target = (
        Alignment.objects.filter(target__period=period, target__organization=org)
        .values_list("target__slug", flat=True)
        .first()
    )
    assert target is not None
    body = client.get(f"/orgs/{org.slug}/map/what-if", period=period.key, objective=target).data
    assert body["dropped"] == {
        "kind": "objective",
        "id": target,
        "title": Objective.objects.get(organization=org, slug=target).title,
        "objectives": [target],
    }
    direct = set(
        Alignment.objects.filter(target__slug=target, target__organization=org).values_list(
            "source__slug", flat=True
        )
    )
    assert set(body["lose_target"]) == direct
    assert body["unmodelled"] == []
    behind = set(
        Alignment.objects.filter(target__slug__in=direct, target__organization=org).values_list(
            "source__slug", flat=True
        )
    )
    assert behind - direct <= set(body["lose_indirect"])


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({}, "lever"),
        ({"lever": "self-serve", "objective": "retention"}, "objective"),
        ({"lever": "no-such-lever"}, "lever"),
        ({"objective": "no-such-objective"}, "objective"),
        ({"objective": "secret"}, "objective"),
        ({"objective": "retention", "period": "all"}, "period"),
        ({"objective": "retention", "period": "2031-Q1"}, "period"),
    ],
)
def test_a_what_if_that_names_nothing_droppable_is_a_422_naming_the_parameter(
    world: World, params: dict, field: str
) -> None:
    response = client_for(world.member, world.org).get("/orgs/acme/map/what-if", **params)
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["query", field]


def test_the_map_of_all_periods_is_refused_naming_the_period(world: World) -> None:
    response = client_for(world.member, world.org).get("/orgs/acme/map", period="all")
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["query", "period"]


def test_an_outsider_gets_404_and_no_map(world: World) -> None:
    client = client_for(world.outsider, world.other_org)
    for path, params in (("/orgs/acme/map", {}), ("/orgs/acme/map/what-if", {"lever": "x"})):
        response = client.get(path, **params)
        assert response.status_code == 404
        assert "activation" not in str(response.data)


def test_the_map_is_documented_in_the_openapi_description(client) -> None:
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/orgs/{org}/map"]["get"]
    assert "cross_period" in operation["description"]
    node = document["components"]["schemas"]["MapEdgeOut"]["properties"]
    assert {"from", "to", "cross_period"} <= set(node)
    assert "/api/v1/orgs/{org}/map/what-if" in document["paths"]
