"""Plan, align and launch through the API alone: strategy → draft with the coach → align →
review → dependency → launch, by a team lead and a leader with their own tokens."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.models import Team
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World, make_key_result, make_objective
from tests.server.sharing_factories import join

pytestmark = pytest.mark.django_db

LEVER = "Grow through self-serve"
TITLE = "Self-serve teams succeed without a sales call"
OUTPUT = "Launch the new onboarding"
OUTCOME = "Raise week-1 activation from 34% to 50%"
NEED = "An API that lists each team's onboarding checklist"


@pytest.fixture
def platform(world: World) -> Team:
    """Platform, with an objective to align to; the leader answers for it."""
    team = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    make_objective(world.org, team, world.period, "uptime", "Dashboards are always there")
    join(world, world.member, world.team)
    join(world, world.leader, team)
    return team


def _titles(client: ApiClient) -> list[str]:
    return [item["title"] for item in client.get("/orgs/acme/notifications").data["items"]]


def _rules(body: dict[str, Any]) -> list[str]:
    return [finding["rule"] for finding in body["findings"]]


def _strategy(leader: ApiClient) -> str:
    """The leader writes the year's strategy, a lever and a roadmap item; the lever's id."""
    version = leader.get("/orgs/acme/strategy/2026").data["version"]
    body = {"vision": "Every team decides with live data.", "mission": "Self-serve analytics"}
    saved = leader.call("put", "/orgs/acme/strategy/2026", {**body, "version": version})
    assert saved.status_code == 200 and saved.data["mission"] == "Self-serve analytics"
    lever = leader.post("/orgs/acme/strategy/levers", {"title": LEVER, "focus": "customer"})
    assert lever.status_code == 201
    item = {"title": "Guided first dashboard", "lever": lever.data["id"], "period": "2026-Q4"}
    assert leader.post("/orgs/acme/strategy/roadmap", item).status_code == 201
    return str(lever.data["id"])


def _draft(member: ApiClient, lever: str) -> tuple[str, str]:
    """The team lead drafts an objective; an output key result is flagged, then rewritten."""
    body = {"title": TITLE, "team": "growth", "levers": [lever], "focus": "customer"}
    created = member.post("/orgs/acme/objectives", body)
    assert created.status_code == 201
    objective = created.data["id"]
    assert (created.data["state"], created.data["levers"]) == ("draft", [lever])

    # An output with no numbers is not saved as a metric: offered a milestone or an initiative.
    refused = member.post(f"/orgs/acme/objectives/{objective}/key-results", {"title": OUTPUT})
    assert refused.status_code == 422
    assert refused.data["errors"][0]["path"] == "$.baseline"
    assert "milestone" in refused.data["errors"][0]["msg"]
    body = {"title": OUTPUT, "type": "milestone"}
    flagged = member.post(f"/orgs/acme/objectives/{objective}/key-results", body)
    assert flagged.status_code == 201
    output = next(f for f in flagged.data["findings"] if f["rule"] == "output-kr")
    assert output["hint"] and output["object"] == flagged.data["id"]

    fixed = member.patch(
        f"/orgs/acme/key-results/{flagged.data['id']}",
        {"version": flagged.data["version"], "title": OUTCOME, "type": "metric"},
    )
    assert fixed.status_code == 200
    data = fixed.data
    assert (data["baseline"], data["target"], data["unit"]) == (34, 50, "%")
    assert "output-kr" not in _rules(data)
    assert data["version"] == flagged.data["version"] + 1
    return objective, data["id"]


def _align(member: ApiClient, leader: ApiClient, objective: str) -> None:
    """The draft aligns to Platform's objective; the link shows both ways; a loop is refused."""
    linked = member.post(f"/orgs/acme/objectives/{objective}/aligns-to", {"target": "uptime"})
    assert linked.status_code == 201 and linked.data["aligns_to"] == ["uptime"]
    assert member.get(f"/orgs/acme/objectives/{objective}").data["aligns_to"] == ["uptime"]
    assert leader.get("/orgs/acme/objectives/uptime").data["aligned_from"] == [objective]
    listed = {o["id"]: o for o in leader.get("/orgs/acme/objectives").data["objectives"]}
    assert listed["uptime"]["aligned_from"] == [objective]

    loop = leader.post("/orgs/acme/objectives/uptime/aligns-to", {"target": objective})
    assert loop.status_code == 422
    assert loop.data["errors"][0]["path"] == "$.target"
    assert f"uptime → {objective} → uptime" in loop.data["errors"][0]["msg"]


def _review(member: ApiClient, leader: ApiClient, objective: str) -> dict[str, Any]:
    """Sent to the leader, who is told, answers and approves; the team lead reads the answers."""
    body = {"team": "growth", "objectives": [objective], "leaders": ["leader"], "message": "Q4"}
    sent = member.post("/orgs/acme/review-requests", body)
    assert sent.status_code == 201
    review = sent.data
    assert member.get(f"/orgs/acme/objectives/{objective}").data["state"] == "in_review"
    assert "Growth asks you to review its OKRs for 2026-Q4" in _titles(leader)

    answers = {
        "alignment_concerns": "None: it is the bet.",
        "additional_context": "Sales is hiring.",
        "cross_functional_gaps": "Platform must support it.",
    }
    mine = review["reviewers"][0]
    body = {"version": mine["version"], "decision": "approved", "comment": "Go", **answers}
    answered = leader.post(f"/orgs/acme/review-requests/{review['id']}/answers", body)
    assert answered.status_code == 200

    seen = member.get(f"/orgs/acme/review-requests/{review['id']}").data
    assert seen["reviewers"][0]["answers"] == answers
    assert (seen["reviewers"][0]["decision"], seen["readiness"]["ready"]) == ("approved", True)
    assert "leader approved on Growth's OKRs for 2026-Q4" in _titles(member)
    return seen


def _depend(member: ApiClient, leader: ApiClient, key_result: str) -> None:
    """Growth asks Platform for support; the leader, in Platform, accepts; both teams see it."""
    body = {"key_result": key_result, "team": "platform", "need": NEED}
    asked = member.post("/orgs/acme/dependencies", body)
    assert asked.status_code == 201 and asked.data["state"] == "requested"
    assert f"Growth asks Platform for support on “{OUTCOME}”" in _titles(leader)
    answer = {"version": asked.data["version"], "decision": "accept", "note": "In November"}
    accepted = leader.post(f"/orgs/acme/dependencies/{asked.data['id']}/answer", answer)
    assert accepted.status_code == 200 and accepted.data["answered_by"] == "leader"
    for team in ("growth", "platform"):
        listed = member.get("/orgs/acme/dependencies", team=team, state="open").data
        assert [(d["from_team"], d["to_team"], d["state"]) for d in listed] == [
            ("growth", "platform", "accepted")
        ]


def test_a_team_lead_and_a_leader_plan_align_review_and_launch_through_the_api(
    world: World, platform: Team
) -> None:
    leader = client_for(world.leader, world.org)
    member = client_for(world.member, world.org)
    lever = _strategy(leader)
    objective, key_result = _draft(member, lever)
    _align(member, leader, objective)
    review = _review(member, leader, objective)
    _depend(member, leader, key_result)

    launch = member.post(
        f"/orgs/acme/review-requests/{review['id']}/launch",
        {"version": review["version"], "message": "Here we go"},
    )
    assert launch.status_code == 201 and launch.data["objectives"] == [objective]
    assert "Growth launched its OKRs for 2026-Q4" in _titles(leader)
    assert leader.get(f"/orgs/acme/launches/{launch.data['id']}").data["message"] == "Here we go"
    assert leader.get(f"/orgs/acme/objectives/{objective}").data["state"] == "launched"
    launched = leader.get("/orgs/acme/objectives", state="launched").data["objectives"]
    assert [o["id"] for o in launched] == [objective]


def test_a_new_objective_names_each_bad_field_by_its_json_path(world: World) -> None:
    member = client_for(world.member, world.org)
    body = {"title": TITLE, "team": "growth", "levers": ["self-serve", "nope", "globex"]}
    bad_levers = member.post("/orgs/acme/objectives", body)
    assert bad_levers.status_code == 422
    assert [p["path"] for p in bad_levers.data["errors"]] == ["$.levers[1]", "$.levers[2]"]
    for field, value, path in (
        ("team", "nowhere", "$.team"),
        ("period", "2031-Q1", "$.period"),
        ("owner", "outsider", "$.owner"),
        ("guardrails", ["nope"], "$.guardrails[0]"),
        ("title", "", "$.title"),
    ):
        refused = member.post(
            "/orgs/acme/objectives", {"title": TITLE, "team": "growth", field: value}
        )
        assert refused.status_code == 422, field
        assert refused.data["errors"][0]["path"] == path
    assert not Objective.objects.filter(title=TITLE).exists()


def test_a_new_objective_is_a_draft_with_its_links_and_is_audited(world: World) -> None:
    body = {
        "title": TITLE,
        "team": "growth",
        "id": "self-serve",
        "owner": "member",
        "commitment": "aspirational",
        "levers": ["self-serve"],
        "guardrails": ["logo-churn"],
    }
    join(world, world.member, world.team)
    created = client_for(world.member, world.org).post("/orgs/acme/objectives", body)
    assert created.status_code == 201
    data = created.data
    assert (data["id"], data["period"], data["owner"], data["commitment"]) == (
        "self-serve",
        "2026-Q4",
        "member",
        "aspirational",
    )
    assert (data["guardrails"], data["key_results"]) == (["logo-churn"], [])
    assert "kr-count" in _rules(data)
    row = Objective.objects.get(slug="self-serve")
    event = AuditEvent.objects.get(action="create", object_type="objective", object_id=row.pk)
    assert (event.actor, event.after["levers"]) == (world.member, ["self-serve"])


def test_viewers_cannot_draft_and_outsiders_get_404(world: World) -> None:
    body = {"title": TITLE, "team": "growth"}
    kr = {"version": 1, "title": OUTCOME}
    viewer = client_for(world.viewer, world.org)
    assert viewer.post("/orgs/acme/objectives", body).status_code == 403
    new_kr = {"title": OUTCOME}
    assert viewer.post("/orgs/acme/objectives/activation/key-results", new_kr).status_code == 403
    assert viewer.patch("/orgs/acme/key-results/activation/week1-activation", kr).status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.post("/orgs/acme/objectives", body).status_code == 404
    assert (
        outsider.patch("/orgs/acme/key-results/activation/week1-activation", kr).status_code == 404
    )
    assert (
        outsider.patch("/orgs/globex/key-results/activation/week1-activation", kr).status_code
        == 404
    )
    assert not Objective.objects.filter(title=TITLE).exists()
    assert KeyResult.objects.get(pk=world.key_result.pk).version == 1


def test_a_key_result_reads_its_numbers_and_keeps_the_ones_sent(world: World) -> None:
    member = client_for(world.member, world.org)
    path = "/orgs/acme/objectives/activation/key-results"
    read = member.post(path, {"title": "Cut churn from 5% to 3%"}).data
    assert (read["baseline"], read["target"], read["unit"]) == (5, 3, "%")
    kept = member.post(path, {"title": "Grow seats from 2 to 4", "baseline": 1}).data
    assert (kept["baseline"], kept["target"]) == (1, 4)
    milestone = member.post(path, {"title": "Ship SSO", "type": "milestone"}).data
    assert (milestone["type"], milestone["baseline"], milestone["target"]) == (
        "milestone",
        None,
        None,
    )


def test_a_stale_key_result_change_is_a_409_and_never_overwrites(world: World) -> None:
    member = client_for(world.member, world.org)
    path = "/orgs/acme/key-results/activation/week1-activation"
    first = member.patch(path, {"version": 1, "target": 55})
    assert first.status_code == 200 and first.data["target"] == 55
    stale = member.patch(path, {"version": 1, "target": 60})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 55
    milestone = member.patch(path, {"version": 2, "type": "milestone", "title": "Ship it"}).data
    assert (milestone["type"], milestone["baseline"], milestone["target"]) == (
        "milestone",
        None,
        None,
    )
    unknown = member.patch("/orgs/acme/key-results/activation/nope", {"version": 1})
    assert unknown.status_code == 404


def test_a_key_result_is_deleted_with_its_check_ins_and_the_history_keeps_it(
    world: World,
) -> None:
    member = client_for(world.member, world.org)
    path = "/orgs/acme/key-results/activation/week1-activation"
    assert member.post(f"{path}/check-ins", {"value": 44, "date": "2026-11-14"}).status_code == 201
    unversioned = member.delete(path)
    assert unversioned.status_code == 422 and unversioned.data["errors"][0]["loc"] == [
        "query",
        "version",
    ]
    stale = member.delete(f"{path}?version=1")  # the check-in moved it to version 2
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    viewer = client_for(world.viewer, world.org).delete(f"{path}?version=2")
    assert viewer.status_code == 403
    deleted = member.delete(f"{path}?version=2")
    assert deleted.status_code == 204 and deleted.content == b""
    assert not KeyResult.objects.filter(pk=world.key_result.pk).exists()
    assert not CheckIn.objects.filter(key_result_id=world.key_result.pk).exists()
    event = AuditEvent.objects.get(action="delete", object_type="keyresult")
    assert event.actor == world.member and event.before["title"] == world.key_result.title
    assert member.delete(f"{path}?version=2").status_code == 404


def test_a_launched_objectives_key_result_is_deleted_only_with_a_reason(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    member = client_for(world.member, world.org)
    path = "/orgs/acme/key-results/activation/week1-activation"
    refused = member.delete(f"{path}?version=1")
    assert refused.status_code == 422 and refused.data["errors"][0]["path"] == "reason"
    assert member.delete(f"{path}?version=1&reason=Measured+elsewhere").status_code == 204


def test_initiatives_are_added_and_pointed_at_the_key_results_they_should_move(
    world: World,
) -> None:
    member = client_for(world.member, world.org)
    path = "/orgs/acme/objectives/activation/initiatives"
    body = {"title": "Guided setup wizard", "moves": ["week1-activation", "week1-activation"]}
    created = member.post(path, body)
    assert created.status_code == 201
    assert created.data == {
        "id": "guided-setup-wizard",
        "number": created.data["number"],
        "title": "Guided setup wizard",
        "description": "",
        "status": "planned",
        "owner": None,
        "moves": ["activation/week1-activation"],
        "links": [],
        "version": 1,
    }
    event = AuditEvent.objects.get(action="create", object_type="initiative")
    assert event.actor == world.member and event.after["moves"] == ["week1-activation"]
    moves = f"{path}/guided-setup-wizard/moves"
    cleared = member.put(moves, {"moves": []})
    assert cleared.status_code == 200 and cleared.data["moves"] == []
    detail = member.get("/orgs/acme/objectives/activation").data
    assert detail["initiatives"][0]["moves"] == []
    unknown = member.put(moves, {"moves": ["nope"]})
    assert unknown.status_code == 422 and unknown.data["errors"][0]["path"] == "$.moves"
    assert "no key result 'nope'" in unknown.data["errors"][0]["msg"]
    assert member.put(f"{path}/nothing/moves", {"moves": []}).status_code == 404
    assert member.post(path, {"title": ""}).status_code == 422
    viewer = client_for(world.viewer, world.org).post(path, {"title": "Another"})
    assert viewer.status_code == 403


def test_a_launched_objective_gets_key_results_only_with_a_reason(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    member = client_for(world.member, world.org)
    path = "/orgs/acme/objectives/activation/key-results"
    refused = member.post(path, {"title": OUTCOME})
    assert refused.status_code == 422 and refused.data["errors"][0]["path"] == "$.reason"
    added = member.post(path, {"title": OUTCOME, "reason": "Activation matters more now"})
    assert added.status_code == 201


def test_drafting_runs_the_same_queries_for_few_and_many_key_results(world: World) -> None:
    member = client_for(world.member, world.org)
    member.get("/orgs/acme/teams")  # the token's first use is recorded once; leave it out

    def cost(title: str) -> int:
        with CaptureQueriesContext(connection) as queries:
            made = member.post("/orgs/acme/objectives/activation/key-results", {"title": title})
            member.patch(f"/orgs/acme/key-results/{made.data['id']}", {"version": 1, "weight": 2})
        return len(queries)

    # The objective has findings in both runs: their stored rows are written in one INSERT
    # whatever their number (none at all spares it, and the count would differ by that).
    for n in range(3):  # more than four key results: a finding on the objective
        make_key_result(world.objective, f"first-{n}", f"Raise metric {n} from 1 to 2")
    small = cost("Raise retention from 80% to 85%")
    for n in range(30):
        make_key_result(world.objective, f"more-{n}", f"Raise metric {n} from 1 to 2", position=9)
    assert cost("Raise expansion from 10% to 15%") == small
