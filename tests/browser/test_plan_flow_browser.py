"""In chromium, two people plan, align and launch: strategy → draft → align → review →
dependency → launch, each in their own browser, checking what each of them sees."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from constellation.server.orgs.models import Team
from tests.server.factories import make_objective, make_world
from tests.server.sharing_factories import join

YEAR = 2026
OBJECTIVE = "Self-serve teams succeed without a sales call"
LEVER = "Grow through self-serve"
OUTPUT = "Launch the new onboarding"
OUTCOME = "Raise week-1 activation from 34% to 50%"
NEED = "An API that lists each team's onboarding checklist"


def person(browser: Any, base_url: str, username: str) -> Any:
    """A page in a browser context of its own, signed in as `username`."""
    from tests.server.factories import PASSWORD

    page = browser.new_context(base_url=base_url).new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/o/acme/home/")
    return page


def form_of(page: Any, name: str) -> Any:
    """The form whose accessible name is `name`, opened when it sits in a closed disclosure."""
    form = page.get_by_role("form", name=name)
    summary = page.locator("summary", has_text=name)
    if summary.count() and not form.is_visible():
        summary.click()
    return form


def write_the_strategy(leader: Any, member: Any) -> None:
    """The leader writes vision, mission, a lever and a roadmap item; the member reads them."""
    from playwright.sync_api import expect

    leader.goto(f"/o/acme/strategy/{YEAR}/")
    vision = form_of(leader, f"Edit the vision and mission of {YEAR}")
    vision.get_by_label("Vision").fill("Every team decides with live data.")
    vision.get_by_label("Mission").fill("Make analytics self-serve for small teams.")
    vision.get_by_role("button", name="Save vision and mission").click()
    expect(leader.locator(".messages")).to_contain_text(f"Vision and mission of {YEAR} saved.")

    lever = form_of(leader, "Add a lever")
    lever.get_by_label("Name").fill(LEVER)
    lever.get_by_label("Description").fill("Small teams adopt without talking to sales.")
    lever.get_by_label("Focus").select_option(label="Customer")
    lever.get_by_role("button", name="Add the lever").click()
    expect(leader.get_by_role("heading", name=LEVER)).to_be_visible()

    item = form_of(leader, "Add a roadmap item")
    item.get_by_label("What").fill("Guided first dashboard")
    item.get_by_label("Lever").select_option(label=LEVER)
    item.get_by_label("Target quarter").select_option(f"{YEAR}-Q4")
    item.get_by_role("button", name="Add to the roadmap").click()
    lever_card = leader.get_by_role("article").filter(has=leader.get_by_role("heading", name=LEVER))
    expect(lever_card).to_contain_text("Guided first dashboard")

    leader.goto("/o/acme/plan/")
    lever_row = leader.get_by_role("article").filter(has=leader.get_by_role("heading", name=LEVER))
    expect(lever_row.get_by_role("note")).to_contain_text("No objective models this lever")

    member.goto(f"/o/acme/strategy/{YEAR}/")
    expect(member.get_by_text("Leaders and admins change the strategy")).to_be_visible()
    expect(member.locator("#vision")).to_contain_text("Make analytics self-serve")
    expect(member.get_by_role("heading", name=LEVER)).to_be_visible()
    expect(member.get_by_role("button", name="Add the lever")).to_have_count(0)


def draft_with_the_coach(member: Any, leader: Any) -> None:
    """The team lead drafts an objective on the lever; the coach flags an output, then not."""
    from playwright.sync_api import expect

    member.goto("/o/acme/teams/growth/draft/")
    member.get_by_role("link", name="New objective").click()
    member.wait_for_url("**/draft/new-objective/**")  # loaded: htmx now listens for typing
    member.get_by_label("Title").fill(OBJECTIVE)
    member.get_by_label("Focus").select_option(label="Customer")
    member.get_by_label(LEVER).check()
    member.get_by_role("button", name="Create the objective").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(f"Draft: {OBJECTIVE}")
    expect(member.locator(".messages")).to_contain_text("Now add its key results.")

    member.get_by_role("link", name="Add a key result").click()
    member.wait_for_url("**/draft/key-results/new/")
    coach = member.locator("#coach-findings")
    statement = member.get_by_label("Statement")
    statement.fill(OUTPUT)
    finding = coach.locator('.finding[data-rule="output-kr"]')
    expect(finding).to_be_visible()
    expect(finding.locator(".hint")).to_contain_text("Hint:")

    statement.fill(OUTCOME)
    expect(finding).to_have_count(0)
    member.get_by_role("button", name="Read the numbers from the statement").click()
    expect(member.get_by_label("Baseline")).to_have_value("34")
    expect(member.get_by_label("Target")).to_have_value("50")
    expect(member.get_by_label("Unit")).to_have_value("%")
    member.get_by_role("button", name="Add the key result").click()
    expect(member.locator(".messages")).to_contain_text(f"Key result “{OUTCOME}” added.")
    expect(member.locator("#key-results")).to_contain_text("34% → 50%")

    leader.goto("/o/acme/plan/")
    modelling = leader.get_by_role("table", name=f"Objectives of 2026-Q4 modelling “{LEVER}”")
    expect(modelling.get_by_role("row", name=OBJECTIVE)).to_contain_text("draft")


def align_by_search(member: Any, leader: Any) -> str:
    """The team lead aligns the draft to Platform's objective; it shows the link back."""
    from playwright.sync_api import expect

    member.get_by_role("link", name=OBJECTIVE).first.click()
    expect(member.get_by_role("heading", level=1)).to_have_text(OBJECTIVE)
    objective_url = member.url
    member.wait_for_load_state()
    member.get_by_text("Align to another objective").click()
    member.get_by_label("Find an objective by title, id or team").fill("platform")
    member.get_by_role("button", name="Align to “Dashboards are always there”").click()
    section = member.locator("#alignment-section")
    expect(section).to_contain_text("Now aligned to “Dashboards are always there”.")

    leader.goto("/o/acme/objectives/uptime/")
    aligned_from = leader.get_by_role("heading", name="Aligned from").locator("+ ul")
    expect(aligned_from.get_by_role("link", name=OBJECTIVE)).to_be_visible()
    expect(aligned_from).to_contain_text("(Growth)")
    return objective_url


def open_notification(page: Any, title: str) -> None:
    """Open the notification with this title from the notification centre."""
    from playwright.sync_api import expect

    page.goto("/o/acme/")
    badge = page.get_by_role("link", name="Notifications")
    expect(badge).to_contain_text("unread")
    badge.click()
    page.get_by_role("link", name=title).first.click()


def review(member: Any, leader: Any) -> str:
    """The team lead sends the draft to the leader, who answers and approves; the lead reads."""
    from playwright.sync_api import expect

    member.goto("/o/acme/teams/growth/")
    member.get_by_role("link", name="Send Growth's draft for review").click()
    member.get_by_label("New teams get to value in their first week (Draft)").uncheck()
    expect(member.get_by_label(f"{OBJECTIVE} (Draft)")).to_be_checked()
    member.get_by_label("leader (leader)").first.check()
    member.get_by_label("Message to the reviewers").fill("Our self-serve bet for Q4")
    member.get_by_role("button", name="Send for review").click()
    expect(member.get_by_role("heading", level=1)).to_contain_text("Review of Growth's OKRs")
    expect(member.locator("#reviewers")).to_contain_text("Not answered yet.")
    review_url = member.url

    open_notification(leader, "Growth asks you to review its OKRs for 2026-Q4")
    expect(leader.get_by_role("heading", level=1)).to_contain_text("Review of Growth's OKRs")
    expect(leader.get_by_role("link", name=OBJECTIVE)).to_be_visible()
    answer = leader.get_by_role("form", name="Your answer as a leader")
    answer.get_by_label("Concerns about how these priorities align").fill("None: it is the bet.")
    answer.get_by_label("Additional context the team should consider").fill("Sales is hiring.")
    answer.get_by_label("OKRs or initiatives that may lack").fill("Platform must support it.")
    answer.get_by_label("Approve").check()
    answer.get_by_label("Comment").fill("Go for it")
    answer.get_by_role("button", name="Send my answer").click()
    expect(leader.locator("#reviewers")).to_contain_text("Approved")

    open_notification(member, "leader approved on Growth's OKRs for 2026-Q4")
    expect(member).to_have_url(review_url)
    reviewers = member.locator("#reviewers")
    expect(reviewers).to_contain_text("Sales is hiring.")
    expect(reviewers).to_contain_text("Platform must support it.")
    expect(reviewers).to_contain_text("Go for it")
    expect(member.locator("#launch")).to_contain_text("Ready to launch")
    return review_url


def ask_for_support(member: Any, leader: Any, objective_url: str) -> None:
    """The team lead asks Platform for support; the leader, in Platform, accepts."""
    from playwright.sync_api import expect

    member.goto(objective_url)
    member.get_by_role("link", name="Ask another team for support").click()
    member.get_by_label("Key result").select_option(label=OUTCOME)
    member.get_by_label("Team to ask").select_option(label="Platform")
    member.get_by_label("What you need from them").fill(NEED)
    # A date already past is refused, so the need is dated from the real today.
    needed_by = timezone.localdate() + timedelta(days=30)
    member.get_by_label("Needed by").fill(needed_by.isoformat())
    member.get_by_role("button", name="Ask for support").click()
    expect(member.get_by_role("heading", level=1)).to_have_text("Growth asks Platform for support")
    expect(member.get_by_role("form", name="Answer for Platform")).to_have_count(0)

    open_notification(leader, f"Growth asks Platform for support on “{OUTCOME}”")
    answer = leader.get_by_role("form", name="Answer for Platform")
    answer.get_by_label("Accept").check()
    answer.get_by_label("Note").fill("The API ships in November")
    answer.get_by_role("button", name="Send the answer").click()
    expect(leader.locator(".page-head")).to_contain_text("Accepted")

    open_notification(member, f"Platform accepted your request for support on “{OUTCOME}”")
    expect(member.get_by_role("definition").filter(has_text="Accepted by leader")).to_be_visible()
    member.goto("/o/acme/teams/growth/")
    asked = member.get_by_role("heading", name="Support asked of other teams").locator("+ ul")
    expect(asked.get_by_role("link", name=f"Platform: {NEED}")).to_be_visible()
    expect(asked).to_contain_text("Accepted")
    leader.goto("/o/acme/teams/platform/")
    received = leader.get_by_role("heading", name="Support asked of Platform").locator("+ ul")
    expect(received.get_by_role("link", name=f"Growth: {NEED}")).to_be_visible()
    expect(received).to_contain_text("Accepted")


def launch(member: Any, leader: Any, review_url: str, objective_url: str) -> None:
    """The team lead launches; the leader is told and reads what, why and how it is measured."""
    from playwright.sync_api import expect

    member.goto(review_url)
    form = member.get_by_role("form", name="Launch")
    form.get_by_label("Message").fill("Here we go")
    form.get_by_role("button", name="Launch").click()
    expect(member.get_by_role("heading", level=1)).to_have_text(
        "Growth launches its OKRs for 2026-Q4"
    )

    open_notification(leader, "Growth launched its OKRs for 2026-Q4")
    expect(leader.get_by_role("heading", level=1)).to_have_text(
        "Growth launches its OKRs for 2026-Q4"
    )
    what = leader.get_by_role("table", name=f"Key results of “{OBJECTIVE}”")
    row = what.get_by_role("row", name=OUTCOME)
    expect(row.get_by_role("cell").nth(0)).to_have_text("34%")
    expect(row.get_by_role("cell").nth(1)).to_have_text("50%")
    expect(row).to_contain_text("Progress from baseline to target in %")
    why = leader.get_by_role("region", name="Why: the strategic levers")
    expect(why).to_contain_text(LEVER)
    expect(why).to_contain_text(f"modelled by “{OBJECTIVE}”")
    expect(leader.get_by_role("region", name="How it is measured")).to_contain_text("check-ins")
    expect(leader.get_by_text("Here we go")).to_be_visible()

    for page in (member, leader):
        page.goto(objective_url)
        summary = page.locator("#objective-summary")
        expect(summary.get_by_role("definition").nth(3)).to_have_text("launched")
    modelling = leader.get_by_role("table", name=f"Objectives of 2026-Q4 modelling “{LEVER}”")
    leader.goto("/o/acme/plan/")
    expect(modelling.get_by_role("row", name=OBJECTIVE)).to_contain_text("launched")


@pytest.mark.django_db(transaction=True)
def test_a_team_lead_and_a_leader_plan_align_review_and_launch_together(
    live_server: Any, browser: Any
) -> None:
    world = make_world()
    platform = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    make_objective(world.org, platform, world.period, "uptime", "Dashboards are always there")
    join(world, world.member, world.team)  # the team lead leads Growth
    join(world, world.leader, platform)  # the leader answers for Platform
    leader = person(browser, live_server.url, "leader")
    member = person(browser, live_server.url, "member")

    write_the_strategy(leader, member)
    draft_with_the_coach(member, leader)
    objective_url = align_by_search(member, leader)
    review_url = review(member, leader)
    ask_for_support(member, leader, objective_url)
    launch(member, leader, review_url, objective_url)
