"""Launching a reviewed set: the rule, who may, who is told, and the launch page."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership
from constellation.server.sharing.models import Launch, ReviewRequest
from tests.server.api_helpers import add_objectives
from tests.server.factories import World
from tests.server.sharing_factories import answer, make_stakeholder, make_team, send_review


def launch_url(review: ReviewRequest) -> str:
    return reverse("review-request-launch", kwargs={"org": "acme", "review_request": review.pk})


def review_url(review: ReviewRequest) -> str:
    return reverse("review-request", kwargs={"org": "acme", "review_request": review.pk})


def launch_page(launch: Launch) -> str:
    return reverse("launch", kwargs={"org": "acme", "launch": launch.pk})


def version(review: ReviewRequest) -> int:
    return ReviewRequest.objects.get(pk=review.pk).version


def test_without_an_approval_the_page_says_why_and_launching_is_refused(
    client, world: World
) -> None:
    review = send_review(world)
    client.force_login(world.member)
    page = client.get(review_url(review)).content.decode()
    assert "Not ready to launch yet" in page and "at least one approval is needed" in page
    assert 'action="' + launch_url(review) not in page
    response = client.post(launch_url(review), {"message": "Go!", "version": version(review)})
    assert response.status_code == 422
    html = response.content.decode()
    assert "at least one approval is needed" in html and "Go!" in html
    assert Objective.objects.get(pk=world.objective.pk).state == "in_review"
    assert not Launch.objects.exists()


def test_a_request_for_changes_blocks_the_launch_even_after_an_approval(
    client, world: World
) -> None:
    stella = make_stakeholder(world, make_team(world))
    review = send_review(world, stakeholders=[stella])
    answer(world, review, world.leader, "approved")
    answer(world, review, stella, "changes_requested", can_support="no")
    client.force_login(world.member)
    response = client.post(launch_url(review), {"version": version(review)})
    assert response.status_code == 422 and "asked for changes" in response.content.decode()
    assert not Launch.objects.exists()


def test_the_owner_launches_and_everyone_in_the_organisation_is_told(
    client, world: World, mailoutbox, django_capture_on_commit_callbacks
) -> None:
    review = send_review(world)
    answer(world, review, world.leader, "approved")
    client.force_login(world.member)
    page = client.get(review_url(review)).content.decode()
    assert "Ready to launch" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            launch_url(review), {"message": "Q4 is on", "version": version(review)}
        )
    launch = Launch.objects.get()
    assert response.status_code == 302 and response.url == launch_page(launch)
    assert (launch.team, launch.period, launch.by, launch.message) == (
        world.team,
        world.period,
        world.member,
        "Q4 is on",
    )
    assert list(launch.objectives.all()) == [world.objective]
    assert Objective.objects.get(pk=world.objective.pk).state == "launched"
    assert ReviewRequest.objects.get(pk=review.pk).state == "launched"
    everyone = set(
        Membership.objects.filter(organization=world.org)
        .exclude(user=world.member)
        .values_list("user__username", flat=True)
    )
    told = Notification.objects.filter(kind="launch")
    assert set(told.values_list("recipient__username", flat=True)) == everyone
    assert {m.to[0] for m in mailoutbox} == {f"{name}@example.com" for name in everyone}
    assert "Growth launched its OKRs for 2026-Q4" in mailoutbox[0].subject


def test_a_launch_from_a_stale_page_is_refused(client, world: World) -> None:
    review = send_review(world)
    seen = version(review)
    answer(world, review, world.leader, "approved")
    client.force_login(world.member)
    response = client.post(launch_url(review), {"message": "Typed", "version": seen})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Typed" in html and f'name="version" value="{version(review)}"' in html
    assert not Launch.objects.exists()


def test_only_the_team_and_leaders_launch(client, world: World) -> None:
    review = send_review(world)
    answer(world, review, world.leader, "approved")
    stella = make_stakeholder(world, make_team(world))
    body = {"version": version(review)}
    client.force_login(stella)
    assert client.post(launch_url(review), body).status_code == 403
    client.force_login(world.viewer)
    assert client.post(launch_url(review), body).status_code == 403
    client.force_login(world.outsider)
    assert client.post(launch_url(review), body).status_code == 404
    assert not Launch.objects.exists()
    client.force_login(world.admin)
    assert client.post(launch_url(review), body).status_code == 302


def test_the_launch_page_says_what_why_and_how_it_is_measured(client, world: World) -> None:
    review = send_review(world)
    answer(world, review, world.leader, "approved")
    client.force_login(world.member)
    client.post(launch_url(review), {"message": "Q4 is on", "version": version(review)})
    client.force_login(world.viewer)
    html = client.get(launch_page(Launch.objects.get())).content.decode()
    assert "What we will achieve" in html and world.objective.title in html
    assert "Raise week-1 activation from 34% to 50%" in html
    assert '<td data-label="Baseline">34%</td>' in html
    assert '<td data-label="Target">50%</td>' in html
    assert "Why: the strategic levers" in html and "Win self-serve" in html
    assert "How it is measured" in html and "Monthly logo churn" in html
    client.force_login(world.outsider)
    assert client.get(launch_page(Launch.objects.get())).status_code == 404


def test_the_launch_page_runs_the_same_queries_at_any_size(client, world: World) -> None:
    def measure() -> int:
        review = ReviewRequest.objects.filter(state="open").get()
        answer(world, review, world.leader, "approved")
        client.force_login(world.member)
        client.post(launch_url(review), {"version": version(review)})
        with CaptureQueriesContext(connection) as captured:
            page = launch_page(Launch.objects.latest("pk"))
            assert client.get(page).status_code == 200
        return len(captured)

    send_review(world)
    small = measure()
    add_objectives(world, 15)
    send_review(world)
    assert measure() == small
    assert Launch.objects.latest("pk").objectives.count() == 15
    assert small <= 15
