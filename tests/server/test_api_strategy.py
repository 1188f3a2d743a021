"""The strategy API: vision and mission per year, levers, roadmap items and team readiness."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.orgs.models import Team
from constellation.server.strategy.models import Lever, RoadmapItem, Strategy
from tests.server.api_helpers import client_for
from tests.server.factories import World
from tests.server.sharing_factories import join

READINESS = {
    "exploratory": True,
    "measurable_quarterly": False,
    "stable_mission": False,
    "outcome_metrics": False,
    "version": 0,
}


def _paths(response: object) -> list[str]:
    return [item["path"] for item in response.data["errors"]]  # type: ignore[attr-defined]


def test_anyone_in_the_organisation_reads_a_years_strategy(world: World) -> None:
    client = client_for(world.viewer, world.org)
    own = client.get("/orgs/acme/strategy/2026").data
    assert (own["vision"], own["version"], own["carried_from"]) == (
        "Every team decides with live data.",
        1,
        None,
    )
    later = client.get("/orgs/acme/strategy/2028").data
    assert (later["version"], later["carried_from"]) == (0, 2026)


def test_a_leader_writes_the_strategy_and_a_stale_version_gets_409(world: World) -> None:
    leader = client_for(world.leader, world.org)
    body = {"vision": "Live data", "mission": "Self-serve", "version": 1}
    saved = leader.call("put", "/orgs/acme/strategy/2026", body)
    assert saved.status_code == 200 and saved.data["version"] == 2
    stale = leader.call("put", "/orgs/acme/strategy/2026", {**body, "vision": "Older"})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    assert Strategy.objects.get(organization=world.org, year=2026).vision == "Live data"
    created = leader.call("put", "/orgs/acme/strategy/2027", {**body, "version": 0})
    assert created.status_code == 200 and created.data["version"] == 1


def test_members_and_viewers_cannot_write_the_strategy(world: World) -> None:
    for user in (world.member, world.viewer):
        client = client_for(user, world.org)
        body = {"vision": "x", "mission": "", "version": 1}
        assert client.call("put", "/orgs/acme/strategy/2026", body).status_code == 403
        assert client.post("/orgs/acme/strategy/levers", {"title": "x"}).status_code == 403
    assert Strategy.objects.get(organization=world.org, year=2026).version == 1


def test_an_outsider_gets_404_everywhere(world: World) -> None:
    client = client_for(world.outsider, world.other_org)
    assert client.get("/orgs/acme/strategy/2026").status_code == 404
    assert client.get("/orgs/acme/strategy/levers").status_code == 404
    assert client.get("/orgs/acme/teams/growth/readiness").status_code == 404
    assert client.call("put", "/orgs/acme/teams/growth/readiness", READINESS).status_code == 404


def test_bad_input_answers_422_with_json_paths(world: World) -> None:
    leader = client_for(world.leader, world.org)
    missing = leader.call("put", "/orgs/acme/strategy/2026", {"vision": "x"})
    assert missing.status_code == 422 and _paths(missing) == ["$.version"]
    focus = leader.post("/orgs/acme/strategy/levers", {"title": "Bet", "focus": "planet"})
    assert focus.status_code == 422 and _paths(focus) == ["$.focus"]
    period = leader.post("/orgs/acme/strategy/roadmap", {"title": "Work", "period": "soon"})
    assert period.status_code == 422 and _paths(period) == ["$.period"]
    lever = leader.post("/orgs/acme/strategy/roadmap", {"title": "Work", "lever": "nope"})
    assert lever.status_code == 422 and _paths(lever) == ["$.lever"]
    assert not RoadmapItem.objects.exists()


def test_levers_are_created_edited_and_retired(world: World) -> None:
    admin = client_for(world.admin, world.org)
    created = admin.post(
        "/orgs/acme/strategy/levers", {"title": "Be never down", "focus": "customer"}
    )
    assert created.status_code == 201 and created.data["id"] == "be-never-down"
    path = "/orgs/acme/strategy/levers/be-never-down"
    renamed = admin.patch(path, {"version": 1, "title": "Never down"})
    assert renamed.data["title"] == "Never down" and renamed.data["version"] == 2
    retired = admin.patch(path, {"version": 2, "retired": True})
    assert retired.data["retired"] is True
    assert admin.patch(path, {"version": 2, "retired": False}).status_code == 409
    listed = admin.get("/orgs/acme/strategy/levers").data
    assert [(lever["id"], lever["retired"]) for lever in listed] == [
        ("self-serve", False),
        ("be-never-down", True),
    ]
    actions = AuditEvent.objects.filter(object_type="lever").values_list("action", flat=True)
    assert sorted(actions) == ["create", "retire", "update"]


def test_roadmap_items_are_created_moved_and_listed_by_year(world: World) -> None:
    leader = client_for(world.leader, world.org)
    other = Lever.objects.create(organization=world.org, slug="never-down", title="Never down")
    body = {"title": "Guided setup", "lever": "self-serve", "period": "2026-Q4"}
    created = leader.post("/orgs/acme/strategy/roadmap", body)
    assert created.status_code == 201 and created.data["status"] == "planned"
    item = created.data["id"]
    moved = leader.patch(
        f"/orgs/acme/strategy/roadmap/{item}",
        {"version": 1, "lever": "never-down", "period": "2027-Q1", "status": "in_progress"},
    )
    assert (moved.data["lever"], moved.data["period"]) == ("never-down", "2027-Q1")
    assert RoadmapItem.objects.get(pk=item).lever == other
    assert leader.get("/orgs/acme/strategy/roadmap", year=2026).data == []
    assert [i["id"] for i in leader.get("/orgs/acme/strategy/roadmap", year=2027).data] == [item]


def test_a_member_answers_the_readiness_check_and_the_phase_follows(world: World) -> None:
    join(world, world.member, world.team)  # a team's own people answer for it
    member = client_for(world.member, world.org)
    empty = member.get("/orgs/acme/teams/growth/readiness").data
    assert (empty["version"], empty["recommendation"]) == (0, None)
    answered = member.call("put", "/orgs/acme/teams/growth/readiness", READINESS)
    assert answered.status_code == 200
    assert answered.data["recommendation"]["kind"] == "experiments"
    assert answered.data["phase"] == "exploratory" and answered.data["version"] == 1
    assert Team.objects.get(pk=world.team.pk).phase == "exploratory"
    stale = member.call("put", "/orgs/acme/teams/growth/readiness", READINESS)
    assert stale.status_code == 409 and stale.data["current_version"] == 1
    bad = member.call("put", "/orgs/acme/teams/growth/readiness", {"version": 1})
    assert bad.status_code == 422 and "$.exploratory" in _paths(bad)


def test_lists_run_the_same_queries_for_few_and_many_rows(world: World) -> None:
    client = client_for(world.viewer, world.org)
    paths = ["/orgs/acme/strategy/levers", "/orgs/acme/strategy/roadmap"]

    def count() -> list[int]:
        counts = []
        for path in paths:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(path).status_code == 200
            counts.append(len(queries))
        return counts

    def grow(start: int, size: int) -> None:
        levers = Lever.objects.bulk_create(
            Lever(organization=world.org, slug=f"bet-{n}", title=f"Bet {n}")
            for n in range(start, start + size)
        )
        RoadmapItem.objects.bulk_create(
            RoadmapItem(organization=world.org, lever=lever, title="Work", period=world.period)
            for lever in levers
        )

    grow(0, 3)
    client.get(paths[0])  # the token notes its first use with a write: not part of the count
    few = count()
    grow(3, 100)
    assert count() == few
    assert max(few) <= 6
