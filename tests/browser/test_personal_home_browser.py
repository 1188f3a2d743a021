"""A person's home in chromium: a new team lead signs in, lands on it, answers what needs
them from it, and reaches "New objective" in one click from the home or the dashboard."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_user, make_world


@pytest.mark.django_db(transaction=True)
def test_a_new_team_lead_lands_on_their_home_and_reaches_new_objective(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    from constellation.server.orgs.models import Membership, Team

    world = make_world()
    lead = make_user("newlead")
    membership = Membership.objects.create(
        organization=world.org, user=lead, role=Membership.Role.MEMBER
    )
    team = Team.objects.create(
        organization=world.org, slug="payments", name="Payments", parent=world.team, lead=lead
    )
    membership.teams.add(team)

    page = browser.new_page()
    log_in(page, live_server.url, "newlead")
    page.wait_for_url("**/o/acme/home/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your home")
    expect(page.locator("#needs-me")).to_contain_text("Nothing needs you right now.")
    expect(page.locator("#my-teams")).to_contain_text("Payments")

    page.get_by_role("link", name="New objective", exact=True).click()  # one click from home
    page.wait_for_url("**/draft/new-objective/**")
    expect(page.locator("select[name=team]")).to_have_value(str(team.pk))
    page.get_by_label("Title").fill("Merchants get paid the day they sell")
    page.get_by_role("button", name="Create the objective").click()
    expect(page.locator("body")).to_contain_text("Now add its key results")

    # The draft now needs them, with its way back in; the door to draft stays on the home.
    page.goto(f"{live_server.url}/o/acme/home/")
    drafts = page.locator("#needs-drafts")
    expect(drafts).to_contain_text("Merchants get paid the day they sell")
    expect(page.get_by_role("link", name="New objective", exact=True)).to_have_count(1)

    page.goto(f"{live_server.url}/o/acme/")  # and one click from the dashboard
    page.get_by_role("link", name="New objective", exact=True).click()
    page.wait_for_url("**/draft/new-objective/**")
    expect(page.get_by_label("Title")).to_be_visible()


@pytest.mark.django_db(transaction=True)
def test_a_leader_goes_from_their_home_to_the_review_asked_of_them(
    live_server: Any, browser: Any
) -> None:
    from datetime import timedelta

    from django.utils import timezone
    from playwright.sync_api import expect

    from constellation.server.okrs.models import Objective
    from constellation.server.tracking.models import CheckIn
    from tests.server.sharing_factories import make_review

    world = make_world()
    review = make_review(world)
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    CheckIn.objects.create(
        key_result=world.key_result,
        value=40,
        checked_on=timezone.localdate() - timedelta(days=3),
    )

    member = browser.new_page()
    log_in(member, live_server.url, "member")
    member.wait_for_url("**/o/acme/home/")
    expect(member.locator("#my-okrs")).to_contain_text("checked in 3 days ago")

    page = browser.new_page()
    log_in(page, live_server.url, "leader")
    page.wait_for_url("**/o/acme/home/")
    page.locator("#needs-reviews").get_by_role("link", name="Growth’s OKRs for 2026-Q4").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/review-requests/{review.pk}/")
