"""A finished quarterly review is read-only on every face until an admin reopens it, with a
reason, audited; finishing it again does nothing twice."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed
from constellation.server.okrs.models import Initiative, Objective, Period
from constellation.server.orgs.access import Access, access_org
from constellation.server.quarterly import actions
from constellation.server.quarterly.access import review_finished
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    ReviewReopening,
    TeamReflection,
)
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_objective
from tests.server.sharing_factories import join

PAGE = "/o/acme/teams/growth/quarterly-review/2026-Q4/"
REOPEN = PAGE + "reopen/"
API_REVIEW = "/orgs/acme/teams/growth/quarterly-reviews/2026-Q4"
FINISHED = "is finished, so it can no longer change"


@pytest.fixture(autouse=True)
def _member_of_growth(world: World) -> None:
    """The member is in Growth: only a team's own people write its quarterly review."""
    join(world, world.member, world.team)
    world.admin.first_name, world.admin.last_name = "Ada", "Lovelace"
    world.admin.save()


def _access(user: Any) -> Access:
    return access_org(user, "acme")


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _initiative(world: World) -> Initiative:
    initiative = Initiative.objects.create(
        objective=world.objective, slug="guided-setup", title="Guided setup wizard"
    )
    initiative.moves.add(world.key_result)
    return initiative


def _decide(world: World, decision: str, version: int = 0) -> None:
    data = actions.ReviewInput(decision=decision)
    actions.do_review_objective(
        _access(world.member), world.objective, data, expected_version=version, actor=world.member
    )


def _finish(world: World) -> actions.Finished:
    access = _access(world.member)
    return actions.do_finish_review(access, world.team, world.period, world.member)


@pytest.fixture
def finished(world: World) -> Initiative:
    """Growth's review of 2026-Q4, its one objective carried over, with a learning, a result
    and a reflection: finished."""
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    initiative = _initiative(world)
    access = _access(world.member)
    _decide(world, "carry_over")
    actions.do_record_learning(access, world.team, world.period, "Setup is slow", world.member)
    actions.do_record_initiative_result(
        access, world.team, world.period, actions.ResultInput(initiative), world.member
    )
    actions.do_save_reflection(
        access,
        world.team,
        world.period,
        actions.ReflectionInput("a", "b", "c"),
        expected_version=0,
        actor=world.member,
    )
    _finish(world)
    assert review_finished(access, world.team, world.period)
    return initiative


def _counts() -> tuple[int, ...]:
    reviews = ObjectiveReview.objects.values_list("version", flat=True)
    return (
        Objective.objects.count(),
        Learning.objects.count(),
        InitiativeResult.objects.count(),
        TeamReflection.objects.get().version,
        sum(reviews),
    )


def _web_writes(world: World, initiative: Initiative) -> dict[str, dict[str, str]]:
    """A replay of each of the page's forms, as sent before the review was finished."""
    return {
        "objectives/activation/": {"grade_override": "0.5", "decision": "drop", "version": "1"},
        "reflection/": {"learned": "x", "surprised": "", "differently": "", "version": "1"},
        "learnings/": {"text": "One more learning"},
        "initiative-results/": {"initiative": str(initiative.pk), "outcome": "worked"},
        "finish/": {"version-activation": "1", "confirm": "yes"},
    }


def test_every_write_replayed_on_a_finished_review_is_refused_on_the_page(
    world: World, finished: Initiative
) -> None:
    client = _client(world.member)
    page = client.get(PAGE).content.decode()
    review = page[page.index('id="quarterly-review"') :]
    assert "<form" not in review and "<textarea" not in review and "<select" not in review
    before = _counts()
    for path, body in _web_writes(world, finished).items():
        response = client.post(PAGE + path, body)
        assert response.status_code == 409, path
        html = response.content.decode()
        assert f"The quarterly review of Growth for 2026-Q4 {FINISHED}" in html, path
        assert "An admin of the organisation can reopen it, with a reason." in html
        assert "<textarea" not in html[html.index('id="quarterly-review"') :], path
    assert _counts() == before


def test_with_htmx_a_refused_write_replaces_the_whole_review(
    world: World, finished: Initiative
) -> None:
    response = _client(world.member).post(
        PAGE + "reflection/",
        {"learned": "x", "version": "1"},
        headers={"HX-Request": "true", "HX-Target": "reflection"},
    )
    assert response.status_code == 409
    assert response["HX-Retarget"] == "#quarterly-review"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="quarterly-review"')
    assert FINISHED in html


def test_every_write_to_a_finished_review_is_refused_by_the_api_naming_it(
    world: World, finished: Initiative
) -> None:
    client = client_for(world.member, world.org)
    before = _counts()
    calls = [
        ("put", "/orgs/acme/objectives/activation/quarterly-review", {"version": 1}),
        ("put", f"{API_REVIEW}/reflection", {"version": 1, "learned": "x"}),
        ("post", "/orgs/acme/learnings", {"team": "growth", "period": "2026-Q4", "text": "x"}),
        (
            "post",
            "/orgs/acme/initiative-results",
            {"team": "growth", "period": "2026-Q4", "initiative": finished.pk},
        ),
        ("post", f"{API_REVIEW}/finish", {}),
    ]
    for method, path, body in calls:
        response = client.call(method, path, body)
        assert response.status_code == 422, path
        (problem,) = response.data["errors"]
        assert problem["path"] == "$.review", path
        assert FINISHED in problem["msg"], path
    assert _counts() == before


def test_only_an_admin_sees_and_may_use_the_reopen_control(
    world: World, finished: Initiative
) -> None:
    join(world, world.leader, world.team)
    for person in (world.member, world.leader, world.viewer):
        client = _client(person)
        assert "Reopen this review" not in client.get(PAGE).content.decode()
        assert client.post(REOPEN, {"reason": "I want to"}).status_code == 403
    for person in (world.member, world.leader):
        response = client_for(person, world.org).call(
            "post", f"{API_REVIEW}/reopen", {"reason": "I want to"}
        )
        assert response.status_code == 403
        assert "only an admin" in response.data["detail"]
    with pytest.raises(NotAllowed):
        actions.do_reopen_review(
            _access(world.leader), world.team, world.period, "I want to", world.leader
        )
    assert not ReviewReopening.objects.exists()
    assert not AuditEvent.objects.filter(action="reopen_review").exists()
    assert "Reopen this review" in _client(world.admin).get(PAGE).content.decode()


def test_reopening_needs_a_reason_on_every_face(world: World, finished: Initiative) -> None:
    response = _client(world.admin).post(REOPEN, {"reason": "   "})
    assert response.status_code == 422
    assert "Say why the finished review is reopened." in response.content.decode()
    answer = client_for(world.admin, world.org).call("post", f"{API_REVIEW}/reopen", {})
    assert answer.status_code == 422
    assert answer.data["errors"][0]["path"] == "$.reason"
    with pytest.raises(ActionError) as refused:
        actions.do_reopen_review(_access(world.admin), world.team, world.period, "", world.admin)
    assert refused.value.field == "reason"
    assert not ReviewReopening.objects.exists()


def test_an_unfinished_review_cannot_be_reopened(world: World) -> None:
    answer = client_for(world.admin, world.org).call(
        "post", f"{API_REVIEW}/reopen", {"reason": "Just in case"}
    )
    assert answer.status_code == 422
    assert answer.data["errors"][0]["path"] == "$.review"
    assert "not finished" in answer.data["errors"][0]["msg"]
    response = _client(world.admin).post(REOPEN, {"reason": "Just in case"})
    assert response.status_code == 409
    assert "this review is not finished" in response.content.decode()


def test_an_admin_reopens_with_a_reason_audited_and_shown_and_the_page_is_editable(
    world: World, finished: Initiative
) -> None:
    response = _client(world.admin).post(REOPEN, {"reason": "The churn figure was wrong"})
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="reopen_review")
    assert (event.actor_id, event.reason) == (world.admin.pk, "The churn figure was wrong")
    assert event.after is not None and event.after["period"] == "2026-Q4"
    assert not review_finished(_access(world.member), world.team, world.period)
    html = _client(world.member).get(PAGE).content.decode()
    today = timezone.localdate().strftime("%-d %B %Y")
    assert f"Reopened by Ada Lovelace on {today}: The churn figure was wrong" in html
    assert "Save the reflection" in html and "Finish the review" in html
    saved = _client(world.member).post(
        PAGE + "reflection/", {"learned": "Corrected", "version": "1"}
    )
    assert saved.status_code == 302
    assert TeamReflection.objects.get().learned == "Corrected"


def test_the_api_reopens_for_an_admin(world: World, finished: Initiative) -> None:
    answer = client_for(world.admin, world.org).call(
        "post", f"{API_REVIEW}/reopen", {"reason": "Grades need a second look"}
    )
    assert answer.status_code == 200
    assert answer.data["open"] is True
    assert (answer.data["reopened_by"], answer.data["reason"]) == (
        "admin",
        "Grades need a second look",
    )
    assert AuditEvent.objects.filter(action="reopen_review").count() == 1


def test_finishing_again_after_a_reopening_does_nothing_twice(
    world: World, finished: Initiative
) -> None:
    following = Period.objects.get(organization=world.org, key="2027-Q1")
    copies = list(Objective.objects.filter(period=following).values_list("pk", flat=True))
    learnings, results = Learning.objects.count(), InitiativeResult.objects.count()
    access = _access(world.admin)
    actions.do_reopen_review(access, world.team, world.period, "Recheck", world.admin)
    again = _finish(world)
    assert (again.closed, again.carried) == ([], [])
    assert list(Objective.objects.filter(period=following).values_list("pk", flat=True)) == copies
    assert (Learning.objects.count(), InitiativeResult.objects.count()) == (learnings, results)
    assert not ReviewReopening.objects.get().open
    assert review_finished(access, world.team, world.period)
    # Finished again, it is read-only again; the last reopening stays on the page.
    with pytest.raises(ActionError, match=FINISHED):
        _finish(world)
    html = _client(world.member).get(PAGE).content.decode()
    assert "Reopened by Ada Lovelace" in html and "This review is finished." in html
    # A second reopening replaces the first one's reason, both audited.
    actions.do_reopen_review(access, world.team, world.period, "Once more", world.admin)
    assert ReviewReopening.objects.get().reason == "Once more"
    assert AuditEvent.objects.filter(action="reopen_review").count() == 2


def test_a_decision_changed_after_reopening_is_carried_once_when_finished_again(
    world: World,
) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    docs = make_objective(world.org, world.team, world.period, "docs", "Docs answer questions")
    access = _access(world.member)
    _decide(world, "done")
    actions.do_review_objective(
        access, docs, actions.ReviewInput(decision="drop"), expected_version=0, actor=world.member
    )
    assert _finish(world).carried == []
    actions.do_reopen_review(
        _access(world.admin), world.team, world.period, "Not done", world.admin
    )
    _decide(world, "carry_over", version=1)
    again = _finish(world)
    assert [c.carried_from_id for c in again.carried] == [world.objective.pk]
    assert Objective.objects.filter(carried_from=world.objective).count() == 1
    assert Objective.objects.get(pk=docs.pk).state == "closed"


def test_the_page_runs_the_same_queries_reopened_or_not(world: World, finished: Initiative) -> None:
    client = _client(world.admin)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as plain:
        assert client.get(PAGE).status_code == 200
    actions.do_reopen_review(_access(world.admin), world.team, world.period, "Why", world.admin)
    client.get(PAGE)
    with CaptureQueriesContext(connection) as reopened:
        assert client.get(PAGE).status_code == 200
    assert len(plain) == len(reopened)
