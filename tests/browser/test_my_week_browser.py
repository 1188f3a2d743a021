"""In chromium: check in on two key results from My week in one submit, then see the objective
page's chart gain the new point and its status change."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from constellation.core.periods import parse_period
from constellation.server.okrs.models import KeyResult, Period
from constellation.server.tracking.models import CheckIn
from tests.browser.people import log_in
from tests.server.factories import launch, make_world


@pytest.mark.django_db(transaction=True)
def test_a_member_checks_in_on_two_key_results_at_once_and_sees_the_chart_and_status(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    today = timezone.localdate()
    # The period is the current quarter, whatever the day the test runs.
    calendar = parse_period(f"{today.year}-Q{(today.month - 1) // 3 + 1}")
    Period.objects.filter(pk=world.period.pk).update(
        key=calendar.key, start=calendar.start, end=calendar.end
    )
    # Last week's check-in was worried: the objective is off track until this one.
    CheckIn.objects.create(
        key_result=world.key_result, value=41, confidence=2, checked_on=calendar.start
    )
    KeyResult.objects.filter(pk=world.key_result.pk).update(confidence=2)
    launch(world.objective, calendar.start)

    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")
    expect(page.locator("#objective-summary .status")).to_have_text("■ Off track")
    page.get_by_role("link", name="My week").click()
    expect(page.get_by_role("heading", name="My week", level=1)).to_be_visible()
    week = page.locator("#my-week")
    activation = "“Raise week-1 activation from 34% to 50%”"
    time_to_value = "“Cut median time to first dashboard from 3 days to 1 day”"
    expect(week.get_by_role("img", name=f"Check-ins of {activation}")).to_be_visible()
    page.get_by_label(f"Value (%) for {activation}").fill("50")
    page.get_by_label(f"Confidence (0-10) for {activation}").fill("9")
    page.get_by_label(f"Note for {activation}").fill("the new onboarding email worked")
    page.get_by_label(f"Value (days) for {time_to_value}").fill("1")
    page.get_by_label(f"Confidence (0-10) for {time_to_value}").fill("8")
    page.get_by_role("button", name="Check in on all").click()

    expect(week.get_by_role("status")).to_have_text("2 check-ins recorded.")
    expect(page.get_by_label(f"Value (%) for {activation}")).to_have_value("")
    assert CheckIn.objects.count() == 3

    page.get_by_role("link", name="New teams get to value in their first week").click()
    summary = page.locator("#objective-summary")
    expect(summary.locator(".status")).to_have_text("● On track")
    chart = page.locator(f"#kr-chart-{world.key_result.pk}")
    expect(chart).to_be_visible()
    points = chart.locator("circle")
    expect(points).to_have_count(2)
    expect(points.last.locator("title")).to_have_text(f"{today.day} {today:%b %Y}: 50%")
    expect(chart.locator("polyline.chart-line-pace")).to_have_count(1)
    expect(chart.locator("desc")).to_contain_text("target: 50%")
