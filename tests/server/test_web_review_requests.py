"""Sending a draft for review, answering the review questions, resubmitting after changes."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership
from constellation.server.sharing.models import Reviewer, ReviewRequest
from tests.server.api_helpers import add_objectives
from tests.server.factories import World
from tests.server.sharing_factories import (
    answer,
    join,
    make_stakeholder,
    make_team,
    send_review,
)

SEND = "/o/acme/teams/growth/send-for-review/?period=2026-Q4"


def review_url(review: ReviewRequest, action: str = "") -> str:
    name = f"review-request-{action}" if action else "review-request"
    return reverse(name, kwargs={"org": "acme", "review_request": review.pk})


def membership(world: World, user: object) -> int:
    return Membership.objects.get(organization=world.org, user=user).pk


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_a_team_member_sends_the_draft_and_each_reviewer_is_told(
    client, world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    join(world, world.member, world.team)
    stella = make_stakeholder(world, make_team(world))
    client.force_login(world.member)
    form = client.get(SEND).content.decode()
    assert 'name="objectives"' in form and "Stakeholders (from any team)" in form
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            SEND,
            {
                "objectives": [world.objective.pk],
                "leaders": [membership(world, world.leader)],
                "stakeholders": [membership(world, stella)],
                "message": "Our Q4 draft",
            },
        )
    review = ReviewRequest.objects.get()
    assert response.status_code == 302 and response.url == review_url(review)
    objective = Objective.objects.get(pk=world.objective.pk)
    assert (objective.state, objective.version) == ("in_review", 2)
    kinds = dict(Reviewer.objects.values_list("person__username", "kind"))
    assert kinds == {"leader": "leader", "stella": "stakeholder"}
    told = Notification.objects.filter(kind="review_request")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["leader", "stella"]
    assert sorted(m.to[0] for m in mailoutbox) == ["leader@example.com", "stella@example.com"]
    assert "Growth asks you to review" in mailoutbox[0].subject
    assert f"/o/acme/review-requests/{review.pk}/" in mailoutbox[0].body
    moved = AuditEvent.objects.get(object_type="objective", object_id=objective.pk)
    assert moved.after == {"state": "in_review"} and "sent for review" in moved.reason
    assert AuditEvent.objects.filter(action="send_for_review", actor=world.member).exists()


def test_the_send_form_keeps_what_was_typed_when_nobody_is_picked(client, world: World) -> None:
    join(world, world.member, world.team)
    client.force_login(world.member)
    response = client.post(SEND, {"objectives": [world.objective.pk], "message": "Kept text"})
    assert response.status_code == 422
    html = response.content.decode()
    assert "Kept text" in html
    assert 'id="review-leaders-error"' in html and "pick at least one leader" in html
    assert Objective.objects.get(pk=world.objective.pk).state == "draft"
    assert not ReviewRequest.objects.exists()


def test_only_leaders_can_be_asked_as_leaders(client, world: World) -> None:
    join(world, world.member, world.team)
    stella = make_stakeholder(world, make_team(world))
    client.force_login(world.member)
    body = {"objectives": [world.objective.pk], "leaders": [membership(world, stella)]}
    response = client.post(SEND, body)
    assert response.status_code == 422
    assert "review-leaders-error" in response.content.decode()
    assert not ReviewRequest.objects.exists()


def test_someone_outside_the_team_viewers_and_outsiders_cannot_send(client, world: World) -> None:
    body = {"objectives": [world.objective.pk], "leaders": [membership(world, world.leader)]}
    client.force_login(world.member)  # a member, but not of Growth
    assert "Only members of Growth" in client.get(SEND).content.decode()
    refused = client.post(SEND, body)
    assert refused.status_code == 403 and "Only members of Growth" in refused.content.decode()
    client.force_login(world.viewer)
    assert client.post(SEND, body).status_code == 403
    client.force_login(world.outsider)
    assert client.post(SEND, body).status_code == 404
    assert client.get(SEND).status_code == 404
    assert not ReviewRequest.objects.exists()
    assert Objective.objects.get(pk=world.objective.pk).state == "draft"


def test_a_leader_answers_the_leader_questions_and_the_team_is_told(
    client, world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    review = send_review(world)
    client.force_login(world.leader)
    page = client.get(review_url(review)).content.decode()
    assert "Concerns about how these priorities align with the company" in page
    assert "Can your team support the initiatives?" not in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            review_url(review, "answer"),
            {
                "alignment_concerns": "None: this is the self-serve bet",
                "additional_context": "Sales plans a price change in November",
                "cross_functional_gaps": "Support is not aligned yet",
                "decision": "approved",
                "comment": "Go",
                "version": 1,
            },
        )
    assert response.status_code == 302
    reviewer = Reviewer.objects.get(request=review)
    assert (reviewer.decision, reviewer.version) == ("approved", 2)
    assert reviewer.additional_context == "Sales plans a price change in November"
    told = Notification.objects.get(kind="review_answer")
    assert told.recipient == world.member and "leader approved" in told.title
    assert [m.to for m in mailoutbox] == [["member@example.com"]]
    assert AuditEvent.objects.filter(action="answer_review", actor=world.leader).exists()
    shown = client.get(review_url(review)).content.decode()
    assert "Sales plans a price change in November" in shown


def test_a_stakeholder_must_say_whether_they_can_support_and_keeps_what_was_typed(
    client, world: World
) -> None:
    stella = make_stakeholder(world, make_team(world))
    review = send_review(world, leaders=[], stakeholders=[stella])
    client.force_login(stella)
    response = client.post(
        review_url(review, "answer"),
        {"fits_plans": "Mostly, we planned the API", "decision": "approved", "version": 1},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert 'id="answer-can_support-error"' in html
    assert "Mostly, we planned the API" in html
    assert Reviewer.objects.get(request=review).decision == "pending"


def test_asking_for_changes_needs_a_comment_and_keeps_the_request_open(
    client, world: World, django_capture_on_commit_callbacks
) -> None:
    review = send_review(world)
    client.force_login(world.leader)
    body = {"decision": "changes_requested", "comment": "", "version": 1}
    refused = client.post(review_url(review, "answer"), body)
    assert refused.status_code == 422 and "answer-comment-error" in refused.content.decode()
    body["comment"] = "The second key result is an output"
    assert client.post(review_url(review, "answer"), body).status_code == 302
    review.refresh_from_db()
    assert review.state == "open"
    assert Objective.objects.get(pk=world.objective.pk).state == "in_review"
    client.force_login(world.member)
    page = client.get(review_url(review)).content.decode()
    assert "Not ready to launch yet" in page and "asked for changes" in page
    assert "Resubmit after changes" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            review_url(review, "resubmit"), {"message": "Moved it", "version": review.version}
        )
    assert again.status_code == 302
    review.refresh_from_db()
    assert review.round == 2
    assert Reviewer.objects.get(request=review).decision == "pending"
    asked = Notification.objects.filter(kind="review_request", recipient=world.leader)
    assert asked.count() == 2 and "asks you again" in asked.first().title


def test_an_answer_typed_on_a_stale_page_is_refused_and_kept(client, world: World) -> None:
    review = send_review(world)
    client.force_login(world.leader)
    first = {"decision": "approved", "comment": "Fine", "version": 1}
    assert client.post(review_url(review, "answer"), first).status_code == 302
    second = {"decision": "changes_requested", "comment": "Second thoughts", "version": 1}
    response = client.post(review_url(review, "answer"), second)
    assert response.status_code == 409
    html = response.content.decode()
    assert "Second thoughts" in html and 'name="version" value="2"' in html
    assert Reviewer.objects.get(request=review).decision == "approved"


def test_only_the_people_asked_can_answer(client, world: World) -> None:
    review = send_review(world)
    body = {"decision": "approved", "comment": "", "version": 1}
    client.force_login(world.admin)
    assert client.post(review_url(review, "answer"), body).status_code == 403
    client.force_login(world.viewer)
    assert client.post(review_url(review, "answer"), body).status_code == 403
    assert client.get(review_url(review)).status_code == 200
    client.force_login(world.outsider)
    assert client.get(review_url(review)).status_code == 404
    assert client.post(review_url(review, "answer"), body).status_code == 404
    assert Reviewer.objects.get(request=review).decision == "pending"


def test_the_team_page_shows_its_open_review_requests(client, world: World) -> None:
    review = send_review(world)
    answer(world, review, world.leader, "approved")
    client.force_login(world.viewer)
    html = client.get("/o/acme/teams/growth/?period=2026-Q4").content.decode()
    assert "Open review requests" in html and review_url(review) in html
    assert "Approved" in html


def test_the_review_and_team_pages_run_the_same_queries_at_any_size(client, world: World) -> None:
    small = send_review(world)
    answer(world, small, world.leader, "approved")
    client.force_login(world.leader)
    counts = (queries(client, review_url(small)), queries(client, "/o/acme/teams/growth/"))
    platform = make_team(world)
    people = [make_stakeholder(world, platform, f"stake{n}") for n in range(8)]
    Objective.objects.filter(pk=world.objective.pk).update(state="draft")
    add_objectives(world, 12)
    large = send_review(world, stakeholders=people)
    for person in people[:4]:
        answer(world, large, person, "approved", can_support="yes", fits_plans="yes")
    assert large.objectives.count() == 13
    bigger = (queries(client, review_url(large)), queries(client, "/o/acme/teams/growth/"))
    assert bigger == counts
    assert counts[0] <= 20  # the team page's count belongs to the whole page: equal is enough


def test_the_old_send_address_redirects_with_its_method_and_query(client, world: World) -> None:
    join(world, world.member, world.team)
    client.force_login(world.member)
    old = "/o/acme/teams/growth/review/?period=2026-Q4"
    got = client.get(old)
    assert (got.status_code, got["Location"]) == (308, SEND)
    posted = client.post(old, {"message": "kept"})
    assert (posted.status_code, posted["Location"]) == (308, SEND)
    assert client.get(old, follow=True).status_code == 200


def test_the_old_send_address_is_a_404_outside_the_organisation(client, world: World) -> None:
    client.force_login(world.outsider)
    assert client.get("/o/acme/teams/growth/review/?period=2026-Q4").status_code == 404
