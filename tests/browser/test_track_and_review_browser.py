"""In chromium, the second half of the loop in one walk: check in through My week, see the
chart and the status change, then run the quarterly review to a carried-over draft."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from constellation.core.periods import parse_period
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.quarterly.models import Learning, ObjectiveReview
from constellation.server.tracking.models import CheckIn
from tests.browser.people import log_in
from tests.server.factories import make_world
from tests.server.sharing_factories import join


def next_quarter(key: str) -> str:
    year, quarter = int(key[:4]), int(key[-1])
    return f"{year + 1}-Q1" if quarter == 4 else f"{year}-Q{quarter + 1}"


@pytest.mark.django_db(transaction=True)
def test_a_member_checks_in_from_my_week_then_reviews_the_quarter_into_a_carried_draft(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    join(world, world.member, world.team)  # a team's own people review its quarter
    today = timezone.localdate()
    # The period is the current quarter, whatever the day the test runs.
    calendar = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    Period.objects.filter(pk=world.period.pk).update(
        key=calendar.key, start=calendar.start, end=calendar.end
    )
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    CheckIn.objects.create(
        key_result=world.key_result, value=41, confidence=2, checked_on=calendar.start
    )
    KeyResult.objects.filter(pk=world.key_result.pk).update(confidence=2)
    page = browser.new_page()
    log_in(page, live_server.url, "member")

    # Reinforce: one submit on My week checks in on both key results.
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")
    expect(page.locator("#objective-summary .status")).to_have_text("■ Off track")
    chart = page.locator(f"#kr-chart-{world.key_result.pk}")
    expect(chart.locator("circle")).to_have_count(1)
    page.get_by_role("link", name="My week").click()
    activation = "“Raise week-1 activation from 34% to 50%”"
    time_to_value = "“Cut median time to first dashboard from 3 days to 1 day”"
    page.get_by_label(f"Value (%) for {activation}").fill("50")
    page.get_by_label(f"Confidence (0-10) for {activation}").fill("9")
    page.get_by_label(f"Note for {activation}").fill("the guided setup shipped")
    page.get_by_label(f"Value (days) for {time_to_value}").fill("1")
    page.get_by_label(f"Confidence (0-10) for {time_to_value}").fill("8")
    page.get_by_role("button", name="Check in on all").click()
    expect(page.locator("#my-week").get_by_role("status")).to_have_text("2 check-ins recorded.")

    # The objective's status and its key result's chart follow.
    page.get_by_role("link", name="New teams get to value in their first week").click()
    expect(page.locator("#objective-summary .status")).to_have_text("● On track")
    expect(chart.locator("circle")).to_have_count(2)
    expect(chart.locator("circle").last.locator("title")).to_have_text(
        f"{today.day} {today:%b %Y}: 50%"
    )

    # Review: the team decides to carry the objective over, records a learning, finishes.
    page.goto(f"{live_server.url}/o/acme/teams/growth/?period={calendar.key}")
    page.get_by_role("link", name=f"Quarterly review of {calendar.key}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Quarterly review of Growth")
    body = page.locator("#quarterly-review")
    card = page.locator("#review-activation")
    page.get_by_label("Decision", exact=True).select_option("carry_over")
    page.get_by_role("button", name="Save the review of this objective").click()
    expect(card.locator(".decision")).to_have_text("carry over")
    page.get_by_label("What did you learn?").fill("A guided setup beats reminder emails")
    page.get_by_label("Tags").fill("onboarding")
    page.get_by_role("button", name="Record the learning").click()
    expect(page.locator("ul.learnings")).to_contain_text("A guided setup beats reminder emails")
    page.get_by_label("I have read what finishing will do").check()
    page.get_by_role("button", name="Finish the review").click()
    following = next_quarter(calendar.key)
    expect(body.get_by_role("status").first).to_contain_text(f"carried into {following}")

    copy = Objective.objects.get(carried_from=world.objective)
    assert (copy.period.key, copy.state) == (following, "draft")
    assert Objective.objects.get(pk=world.objective.pk).state == "closed"
    assert ObjectiveReview.objects.get(objective=world.objective).decision == "carry_over"
    assert Learning.objects.get().tags == ["onboarding"]
    card.locator("dl").get_by_role("link", name=copy.title).click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/objectives/{copy.slug}/")
    expect(page.locator("#objective-summary")).to_contain_text("Carried from")
