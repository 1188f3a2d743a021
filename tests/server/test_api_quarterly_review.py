"""The quarterly review over the API: reviews, reflections, learnings, results, finishing."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.orgs.models import Team
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_key_result, make_objective
from tests.server.sharing_factories import join

pytestmark = pytest.mark.django_db

REVIEW = "/orgs/acme/objectives/activation/quarterly-review"
REFLECTION = "/orgs/acme/teams/growth/quarterly-reviews/2026-Q4/reflection"
FINISH = "/orgs/acme/teams/growth/quarterly-reviews/2026-Q4/finish"
KR = "activation/week1-activation"


@pytest.fixture(autouse=True)
def _member_of_growth(world: World) -> None:
    """The member is in Growth: only a team's own people write its quarterly review."""
    join(world, world.member, world.team)


def _initiative(world: World) -> Initiative:
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    initiative.moves.add(world.key_result)
    return initiative


def test_an_unreviewed_objective_answers_the_engines_grade_at_version_0(world: World) -> None:
    response = client_for(world.viewer, world.org).get(REVIEW)
    assert response.status_code == 200
    assert response.data["computed_grade"] == response.data["grade"] == 0.5
    assert (response.data["version"], response.data["decision"]) == (0, None)


def test_a_member_overrides_the_grade_with_a_reason_and_decides(world: World) -> None:
    client = client_for(world.member, world.org)
    body = {
        "version": 0,
        "grade_override": 0.8,
        "override_reason": "Activation jumped after the wizard",
        "decision": "carry_over",
        "note": "Keep pushing",
    }
    response = client.call("put", REVIEW, body)
    assert response.status_code == 200
    assert (response.data["grade"], response.data["computed_grade"]) == (0.8, 0.5)
    assert (response.data["version"], response.data["reviewer"]) == (1, "member")
    assert ObjectiveReview.objects.get().decision == "carry_over"
    assert AuditEvent.objects.filter(object_type="objectivereview").count() == 1
    again = client.call("put", REVIEW, {**body, "version": 1, "decision": "done"})
    assert again.data["version"] == 2


def test_an_override_without_a_reason_is_422_with_its_path(world: World) -> None:
    response = client_for(world.member, world.org).call(
        "put", REVIEW, {"version": 0, "grade_override": 0.9}
    )
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.override_reason"
    assert not ObjectiveReview.objects.exists()


def test_a_bad_grade_or_decision_is_422_with_its_path(world: World) -> None:
    client = client_for(world.member, world.org)
    response = client.call("put", REVIEW, {"version": 0, "grade_override": 3, "decision": "maybe"})
    assert response.status_code == 422
    paths = {item["path"] for item in response.data["errors"]}
    assert paths == {"$.grade_override", "$.decision"}


def test_a_stale_review_version_is_409_with_the_current_one(world: World) -> None:
    client = client_for(world.member, world.org)
    client.call("put", REVIEW, {"version": 0, "decision": "done"})
    response = client.call("put", REVIEW, {"version": 0, "decision": "drop"})
    assert response.status_code == 409
    assert response.data["current_version"] == 1
    assert ObjectiveReview.objects.get().decision == "done"


def test_a_viewer_cannot_write_and_an_outsider_sees_404(world: World) -> None:
    viewer = client_for(world.viewer, world.org)
    assert viewer.call("put", REVIEW, {"version": 0, "decision": "done"}).status_code == 403
    assert viewer.post(FINISH, {}).status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get(REVIEW).status_code == 404
    assert outsider.get("/orgs/acme/learnings").status_code == 404
    # Another organisation's objective under one's own organisation is 404 too.
    member = client_for(world.member, world.org)
    assert member.get("/orgs/acme/objectives/secret/quarterly-review").status_code == 404
    assert not ObjectiveReview.objects.exists()


def test_the_reflection_is_empty_then_saved_then_version_checked(world: World) -> None:
    client = client_for(world.member, world.org)
    empty = client.get(REFLECTION)
    assert (empty.status_code, empty.data["version"], empty.data["learned"]) == (200, 0, "")
    body = {"version": 0, "learned": "Setup is the bottleneck", "surprised": "Emails did nothing"}
    saved = client.call("put", REFLECTION, body)
    assert (saved.status_code, saved.data["version"], saved.data["author"]) == (200, 1, "member")
    assert client.get(REFLECTION).data["surprised"] == "Emails did nothing"
    assert client.call("put", REFLECTION, body).status_code == 409
    unknown = client.call("put", REFLECTION, {**body, "version": 1, "mood": "good"})
    assert unknown.status_code == 422
    assert TeamReflection.objects.get().version == 1


def test_a_learning_is_recorded_with_its_links(world: World) -> None:
    initiative = _initiative(world)
    body = {
        "team": "growth",
        "period": "2026-Q4",
        "text": "A wizard beats emails",
        "tags": ["onboarding"],
        "key_result": KR,
        "initiative": initiative.pk,
    }
    response = client_for(world.member, world.org).post("/orgs/acme/learnings", body)
    assert response.status_code == 201
    assert response.data["objective"] == "activation"
    assert response.data["key_result"] == KR
    assert response.data["initiative_title"] == "Guided setup wizard"
    assert Learning.objects.get().initiative == initiative


def test_a_learning_naming_unknown_things_is_422_with_their_paths(world: World) -> None:
    client = client_for(world.member, world.org)
    body = {"team": "growth", "period": "2026-Q4", "text": "x", "key_result": "secret/secret-kr"}
    response = client.post("/orgs/acme/learnings", body)
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "$.key_result"
    missing = client.post("/orgs/acme/learnings", {"team": "growth", "period": "2026-Q4"})
    assert missing.data["errors"][0]["path"] == "$.text"
    assert not Learning.objects.exists()


def _learnings(world: World, count: int, start: int = 0) -> None:
    Learning.objects.bulk_create(
        Learning(
            organization=world.org,
            team=world.team,
            period=world.period,
            text=f"Learnt {n}",
            objective=world.objective,
            key_result=world.key_result,
        )
        for n in range(start, start + count)
    )


def test_learnings_are_listed_by_team_and_period_a_page_at_a_time(world: World) -> None:
    _learnings(world, 5)
    client = client_for(world.viewer, world.org)
    page = client.get("/orgs/acme/learnings", team="growth", period="2026-Q4", limit=2)
    assert (page.data["count"], len(page.data["learnings"])) == (5, 2)
    assert "offset=2" in page.data["next"]
    assert "team=growth" in page.data["next"]
    last = client.get("/orgs/acme/learnings", team="growth", limit=2, offset=4)
    assert (len(last.data["learnings"]), last.data["next"]) == (1, None)
    assert client.get("/orgs/acme/learnings", team="company").data["count"] == 0
    unknown = client.get("/orgs/acme/learnings", period="2031-Q1")
    assert (unknown.status_code, unknown.data["errors"][0]["path"]) == (422, "period")


def test_the_learnings_list_runs_the_same_queries_whatever_its_size(world: World) -> None:
    client = client_for(world.member, world.org)
    _learnings(world, 2)
    client.get("/orgs/acme/learnings")
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/acme/learnings")
    _learnings(world, 60, start=2)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/orgs/acme/learnings")
    assert response.data["count"] == 62
    assert len(few) == len(many)


def test_an_initiative_result_is_recorded_and_listed(world: World) -> None:
    initiative = _initiative(world)
    client = client_for(world.member, world.org)
    body = {
        "team": "growth",
        "period": "2026-Q4",
        "initiative": initiative.pk,
        "key_result": KR,
        "expected_effect": "Activation +16 points",
        "expected_value": 16,
        "observed_effect": "Activation +7 points",
        "observed_value": 7,
        "outcome": "partly",
    }
    response = client.post("/orgs/acme/initiative-results", body)
    assert response.status_code == 201
    assert (response.data["initiative_title"], response.data["key_result"]) == (
        "Guided setup wizard",
        KR,
    )
    listed = client.get("/orgs/acme/initiative-results", team="growth", period="2026-Q4")
    assert [r["outcome"] for r in listed.data["results"]] == ["partly"]
    assert InitiativeResult.objects.get().observed_value == 7


def test_an_initiative_result_of_another_team_or_bad_outcome_is_422(world: World) -> None:
    initiative = _initiative(world)
    # In both teams, so what is refused is the initiative of the other one, not the person.
    join(world, world.member, Team.objects.get(organization=world.org, slug="company"))
    client = client_for(world.member, world.org)
    body = {"team": "company", "period": "2026-Q4", "initiative": initiative.pk}
    response = client.post("/orgs/acme/initiative-results", body)
    assert (response.status_code, response.data["errors"][0]["path"]) == (422, "$.initiative")
    bad = client.post(
        "/orgs/acme/initiative-results", {**body, "team": "growth", "outcome": "great"}
    )
    assert (bad.status_code, bad.data["errors"][0]["path"]) == (422, "$.outcome")
    assert not InitiativeResult.objects.exists()


def test_finishing_closes_and_carries_over_linked_to_history(world: World) -> None:
    rethink = make_objective(world.org, world.team, world.period, "pricing", "Pricing is clear")
    make_key_result(rethink, "calls", "Cut pricing calls from 40 to 10", baseline=40, target=10)
    client = client_for(world.member, world.org)
    client.call("put", REVIEW, {"version": 0, "decision": "carry_over"})
    client.call(
        "put",
        "/orgs/acme/objectives/pricing/quarterly-review",
        {"version": 0, "decision": "rethink"},
    )
    response = client.post(FINISH, {"versions": {"activation": 1, "pricing": 1}})
    assert response.status_code == 200
    assert response.data["next_period"] == "2027-Q1"
    assert sorted(response.data["closed"]) == ["activation", "pricing"]
    carried = {c["carried_from"]: c for c in response.data["carried"]}
    assert carried["activation"]["key_results"] is True
    assert carried["pricing"]["key_results"] is False
    copy = Objective.objects.get(slug=carried["activation"]["id"])
    assert (copy.period.key, copy.state, copy.carried_from) == ("2027-Q1", "draft", world.objective)
    assert KeyResult.objects.filter(objective=copy).count() == 2
    assert client.get(REVIEW).data["carried_to"] == copy.slug
    assert AuditEvent.objects.filter(action="finish_review").count() == 1


def test_finishing_with_a_stale_version_is_409_and_changes_nothing(world: World) -> None:
    client = client_for(world.member, world.org)
    client.call("put", REVIEW, {"version": 0, "decision": "carry_over"})
    response = client.post(FINISH, {"versions": {"activation": 0}})
    assert (response.status_code, response.data["current_version"]) == (409, 1)
    assert Objective.objects.get(pk=world.objective.pk).state == "draft"
    assert not Objective.objects.filter(carried_from=world.objective).exists()


def test_finishing_with_no_decision_is_422(world: World) -> None:
    response = client_for(world.member, world.org).post(FINISH, {})
    assert (response.status_code, response.data["errors"][0]["path"]) == (422, "$.decision")


def test_the_initiative_results_list_runs_the_same_queries_whatever_its_size(
    world: World,
) -> None:
    initiative = _initiative(world)

    def add(count: int) -> None:
        InitiativeResult.objects.bulk_create(
            InitiativeResult(
                organization=world.org,
                team=world.team,
                period=world.period,
                initiative=initiative,
                initiative_title=initiative.title,
                key_result=world.key_result,
                key_result_title=world.key_result.title,
                outcome="worked",
            )
            for _ in range(count)
        )

    client = client_for(world.member, world.org)
    add(1)
    client.get("/orgs/acme/initiative-results")
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/acme/initiative-results")
    add(40)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/orgs/acme/initiative-results", limit=30)
    assert (response.data["count"], len(response.data["results"])) == (41, 30)
    assert response.data["results"][0]["key_result"] == KR
    assert len(few) == len(many)


@pytest.mark.parametrize("path", ["/orgs/acme/learnings", "/orgs/acme/initiative-results"])
def test_an_offset_beyond_any_database_integer_is_422_naming_it(world: World, path: str) -> None:
    api = client_for(world.member, world.org)
    response = api.get(path, offset=10**30)
    assert response.status_code == 422
    assert response.data["errors"][0]["path"] == "offset"
    assert api.get(path, offset=1_000_000_000).status_code == 200


def test_a_learning_with_a_nul_character_is_422_naming_the_field(world: World) -> None:
    body = {"team": "growth", "period": "2026-Q4", "text": "A wizard\x00", "tags": ["a\x00"]}
    response = client_for(world.member, world.org).post("/orgs/acme/learnings", body)
    assert response.status_code == 422
    assert {item["path"] for item in response.data["errors"]} == {"$.text", "$.tags"}
    assert not Learning.objects.exists()
