"""The API of review requests, dependencies and launches: the web's rules, JSON errors."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective
from constellation.server.sharing.models import Dependency, Launch, Reviewer, ReviewRequest
from tests.server.api_helpers import add_objectives, client_for
from tests.server.factories import World
from tests.server.sharing_factories import (
    answer,
    join,
    make_dependency,
    make_stakeholder,
    make_team,
    send_review,
)

pytestmark = pytest.mark.django_db

REVIEWS = "/orgs/acme/review-requests"
DEPENDENCIES = "/orgs/acme/dependencies"
LATER = (dt.date.today() + dt.timedelta(days=30)).isoformat()


def test_a_team_member_sends_the_draft_and_reviewers_are_notified(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    join(world, world.member, world.team)
    stella = make_stakeholder(world, make_team(world))
    body = {
        "team": "growth",
        "period": "2026-Q4",
        "leaders": ["leader"],
        "stakeholders": ["stella"],
        "message": "Our draft",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(world.member, world.org).post(REVIEWS, body)
    assert response.status_code == 201
    data = response.data
    assert data["objectives"] == [
        {"id": "activation", "title": world.objective.title, "state": "in_review"}
    ]
    assert [(r["person"], r["kind"], r["decision"]) for r in data["reviewers"]] == [
        ("leader", "leader", "pending"),
        ("stella", "stakeholder", "pending"),
    ]
    assert data["readiness"]["ready"] is False
    assert Objective.objects.get(pk=world.objective.pk).state == "in_review"
    recipients = Notification.objects.filter(kind="review_request").values_list(
        "recipient", flat=True
    )
    assert set(recipients) == {world.leader.pk, stella.pk}
    assert len(mailoutbox) == 2


def test_bad_reviewers_and_objectives_answer_422_with_json_paths(world: World) -> None:
    join(world, world.member, world.team)
    client = client_for(world.member, world.org)
    unknown = client.post(REVIEWS, {"team": "growth", "leaders": ["leader", "nobody"]})
    assert unknown.status_code == 422
    assert unknown.data["errors"][0]["path"] == "$.leaders[1]"
    nobody = client.post(REVIEWS, {"team": "growth"})
    assert nobody.status_code == 422 and nobody.data["errors"][0]["path"] == "$.leaders"
    objective = client.post(
        REVIEWS, {"team": "growth", "objectives": ["retention"], "leaders": ["leader"]}
    )
    assert objective.status_code == 422 and objective.data["errors"][0]["path"] == "$.objectives"
    team = client.post(REVIEWS, {"team": "nope", "leaders": ["leader"]})
    assert team.status_code == 422 and team.data["errors"][0]["path"] == "$.team"
    assert not ReviewRequest.objects.exists()


def test_viewers_get_403_outsiders_404_and_nothing_changes(world: World) -> None:
    review = send_review(world)
    body = {"version": 1, "decision": "approved"}
    viewer = client_for(world.viewer, world.org)
    assert viewer.get(REVIEWS).status_code == 200
    assert viewer.post(REVIEWS, {"team": "growth", "leaders": ["leader"]}).status_code == 403
    assert viewer.post(f"{REVIEWS}/{review.pk}/answers", body).status_code == 403
    assert viewer.post(f"{REVIEWS}/{review.pk}/launch", {"version": 1}).status_code == 403
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get(REVIEWS).status_code == 404
    assert outsider.get(f"{REVIEWS}/{review.pk}").status_code == 404
    assert outsider.post(f"{REVIEWS}/{review.pk}/answers", body).status_code == 404
    assert outsider.get(DEPENDENCIES).status_code == 404
    assert Reviewer.objects.get().decision == "pending"


def test_a_reviewer_answers_and_a_stale_answer_is_409(world: World) -> None:
    review = send_review(world)
    client = client_for(world.leader, world.org)
    url = f"{REVIEWS}/{review.pk}/answers"
    body = {
        "version": 1,
        "decision": "approved",
        "alignment_concerns": "None",
        "additional_context": "Pricing changes in November",
    }
    response = client.post(url, body)
    assert response.status_code == 200
    leader = response.data["reviewers"][0]
    assert leader["decision"] == "approved" and leader["version"] == 2
    assert leader["answers"]["additional_context"] == "Pricing changes in November"
    assert response.data["readiness"]["ready"] is True
    stale = client.post(url, {**body, "decision": "changes_requested", "comment": "Wait"})
    assert stale.status_code == 409 and stale.data["current_version"] == 2
    wrong = client.post(url, {"version": 2, "decision": "approved", "can_support": "yes"})
    assert wrong.status_code == 422 and wrong.data["errors"][0]["path"] == "$.can_support"
    bare = client.post(url, {"version": 2, "decision": "changes_requested"})
    assert bare.status_code == 422 and bare.data["errors"][0]["path"] == "$.comment"
    listed = client.get(REVIEWS, team="growth", state="open").data
    assert listed[0]["reviewers"][0]["comment"] == ""
    assert Notification.objects.filter(kind="review_answer", recipient=world.member).exists()


def test_someone_not_asked_cannot_answer(world: World) -> None:
    review = send_review(world)
    body = {"version": 1, "decision": "approved"}
    response = client_for(world.admin, world.org).post(f"{REVIEWS}/{review.pk}/answers", body)
    assert response.status_code == 403


def test_launch_is_refused_until_approved_then_everyone_is_told(
    world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    review = send_review(world)
    client = client_for(world.member, world.org)
    url = f"{REVIEWS}/{review.pk}/launch"
    early = client.post(url, {"version": 1})
    assert early.status_code == 422
    assert early.data["errors"][0]["path"] == "review_request"
    assert "at least one approval" in early.data["errors"][0]["msg"]
    answer(world, review, world.leader, "approved")
    assert client.post(url, {"version": 1}).status_code == 409
    current = client.get(f"{REVIEWS}/{review.pk}").data["version"]
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"version": current, "message": "Launched!"})
    assert response.status_code == 201
    assert response.data["objectives"] == ["activation"]
    assert response.data["url"] == f"/o/acme/launches/{response.data['id']}/"
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"
    assert Launch.objects.get().message == "Launched!"
    assert Notification.objects.filter(kind="launch").count() == 3  # all but the launcher
    assert len(mailoutbox) == 3
    shown = client.get(f"/orgs/acme/launches/{response.data['id']}")
    assert shown.status_code == 200 and shown.data["by"] == "member"
    again = client.post(url, {"version": current + 1})
    assert again.status_code == 422


def test_resubmitting_asks_again_those_who_asked_for_changes(world: World) -> None:
    review = send_review(world)
    answer(world, review, world.leader, "changes_requested", comment="Fix the second KR")
    client = client_for(world.member, world.org)
    version = client.get(f"{REVIEWS}/{review.pk}").data["version"]
    response = client.post(f"{REVIEWS}/{review.pk}/resubmit", {"version": version})
    assert response.status_code == 200
    assert response.data["round"] == 2
    assert response.data["reviewers"][0]["decision"] == "pending"
    nothing = client.post(f"{REVIEWS}/{review.pk}/resubmit", {"version": version + 1})
    assert nothing.status_code == 422


def test_dependencies_are_asked_listed_and_answered(
    world: World, django_capture_on_commit_callbacks
) -> None:
    join(world, world.member, world.team)
    platform = make_team(world)
    stella = make_stakeholder(world, platform)
    asking = client_for(world.member, world.org)
    body = {
        "key_result": "activation/week1-activation",
        "team": "platform",
        "need": "A progress API",
        "needed_by": LATER,
    }
    created = asking.post(DEPENDENCIES, body)
    assert created.status_code == 201
    assert (created.data["from_team"], created.data["state"]) == ("growth", "requested")
    assert asking.post(DEPENDENCIES, {**body, "team": "growth"}).data["errors"][0]["path"] == (
        "$.team"
    )
    missing = asking.post(DEPENDENCIES, {**body, "key_result": "activation/nope"})
    assert missing.status_code == 422 and missing.data["errors"][0]["path"] == "$.key_result"
    assert [d["id"] for d in asking.get(DEPENDENCIES, team="platform", state="open").data] == [
        created.data["id"]
    ]
    url = f"{DEPENDENCIES}/{created.data['id']}/answer"
    assert asking.post(url, {"version": 1, "decision": "accept"}).status_code == 403
    asked = client_for(stella, world.org)
    no_note = asked.post(url, {"version": 1, "decision": "decline"})
    assert no_note.status_code == 422 and no_note.data["errors"][0]["path"] == "$.note"
    accepted = asked.post(url, {"version": 1, "decision": "accept", "note": "Yes"})
    assert accepted.status_code == 200 and accepted.data["state"] == "accepted"
    assert asked.post(url, {"version": 1, "decision": "decline", "note": "No"}).status_code == 409
    told = Notification.objects.filter(kind="dependency").values_list("recipient", flat=True)
    assert sorted(told) == sorted([stella.pk, world.member.pk])


def test_lists_run_the_same_queries_at_any_size(world: World) -> None:
    client = client_for(world.viewer, world.org)
    platform = make_team(world)
    send_review(world)
    make_dependency(world, platform)

    def count(path: str) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(path).status_code == 200
        return len(captured)

    count(REVIEWS)  # the token's first use of the minute is noted once
    small = (count(REVIEWS), count(DEPENDENCIES))
    people = [make_stakeholder(world, platform, f"stake{n}") for n in range(6)]
    add_objectives(world, 10)
    send_review(world, stakeholders=people)
    for n in range(8):
        make_dependency(world, make_team(world, f"team-{n}", f"Team {n}"))
    assert Dependency.objects.count() == 9
    assert (count(REVIEWS), count(DEPENDENCIES)) == small
    assert max(small) <= 10
