"""Drafting has a front door: a new team lead reaches "New objective" from the dashboard in
one click, lands on the form with their team and the period chosen, and saves a draft."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_user, make_world


@pytest.mark.django_db(transaction=True)
def test_a_new_team_lead_reaches_new_objective_from_the_dashboard(
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
    page.wait_for_url("**/o/acme/home/")  # signing in lands on the person's home
    page.goto(f"{live_server.url}/o/acme/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    # The team has no objective yet, so the dashboard lists no row of it: the door is above.
    page.get_by_role("link", name="New objective", exact=True).click()  # one click
    expect(page.locator("select[name=team]")).to_have_value(str(team.pk))
    expect(page.locator("select[name=period] option:checked")).to_have_text(world.period.key)
    page.get_by_label("Title").fill("Merchants get paid the day they sell")
    page.get_by_role("button", name="Create the objective").click()
    expect(page.locator("body")).to_contain_text("Now add its key results")

    # Their team's page has the same door, and drafting with the coach beside it.
    page.goto(f"{live_server.url}/o/acme/teams/payments/?period={world.period.key}")
    expect(page.get_by_role("link", name="New objective", exact=True)).to_be_visible()
    page.get_by_role("link", name=f"Draft {world.period.key} with the coach").click()
    expect(page.locator("body")).to_contain_text("Merchants get paid the day they sell")


@pytest.mark.django_db(transaction=True)
def test_a_viewer_sees_no_door_to_drafting(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page()
    log_in(page, live_server.url, "viewer")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    expect(page.get_by_role("link", name="New objective", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Draft the OKRs of Growth")).to_have_count(0)


@pytest.mark.django_db(transaction=True)
def test_the_next_quarter_is_drafted_aligned_and_sent_six_weeks_before_it_starts(
    live_server: Any, browser: Any
) -> None:
    from datetime import date

    from playwright.sync_api import expect

    from constellation.server.okrs.actions import do_open_periods
    from constellation.server.okrs.models import Period
    from constellation.server.orgs.models import Membership, Team
    from tests.server.factories import make_objective

    world = make_world()
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    do_open_periods(world.org, date(2026, 11, 20))  # six weeks before 2027-Q1 starts
    next_quarter = Period.objects.get(organization=world.org, key="2027-Q1")
    company = Team.objects.get(organization=world.org, slug="company")
    make_objective(world.org, company, next_quarter, "all-year", "Customers stay with us all year")

    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/plan/")
    page.get_by_role("link", name="2027-Q1 is open").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("2027-Q1")
    page.get_by_role("link", name="New objective in 2027-Q1").click()
    expect(page.locator("select[name=period] option:checked")).to_have_text("2027-Q1")
    expect(page.locator("select[name=team]")).to_have_value(str(world.team.pk))
    page.get_by_label("Title").fill("Teams reach value on their first day")
    page.get_by_role("button", name="Create the objective").click()
    expect(page.locator("body")).to_contain_text("Now add its key results")
    page.goto(f"{live_server.url}/o/acme/?period=2027-Q1")
    page.get_by_role("link", name="Teams reach value on their first day").click()

    # Aligned across teams to the company's objective of the same quarter.
    page.get_by_text("Align to another objective").click()
    page.get_by_label("Find an objective by title, id or team").fill("stay")
    page.get_by_role("button", name="Align to “Customers stay with us all year”").click()
    expect(page.locator("#alignment-section")).to_contain_text(
        "Now aligned to “Customers stay with us all year”."
    )

    # Sent for review, weeks before the quarter starts.
    page.get_by_role("link", name="send Growth's drafts for review").click()
    expect(page.get_by_label("Teams reach value on their first day (Draft)")).to_be_checked()
    page.get_by_label(re.compile(r"\(leader\)")).first.check()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Review of Growth's OKRs")
    expect(page.locator("body")).to_contain_text("2027-Q1")
