"""The objective page is short: each key result a summary, its forms behind disclosures."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import World, make_key_result, make_world

PAGE = "/o/acme/objectives/activation/"
# Three key results, each with a chart and a history, fit in this at 1440 px wide
# (the page was about 5,600 px tall before its forms moved behind disclosures; the
# initiatives took a full-width section of their own, with owners, statuses and links).
MAX_HEIGHT = 2650
WEEKS = 12


def _three_key_results_with_history() -> World:
    """The standard world plus a money key result, each with a dozen check-ins."""
    from constellation.server.orgs.access import access_org
    from constellation.server.tracking.actions import CheckInInput, do_check_in

    world = make_world()
    arr = make_key_result(
        world.objective,
        "arr",
        "Grow annual recurring revenue from $4.2M to $5.0M",
        baseline=4_200_000,
        target=5_000_000,
        current=4_200_000,
        unit="$",
        owner=world.member,
        position=2,
    )
    access = access_org(world.member, "acme", write=True)
    # Weekly (closer together early in the quarter: a check-in lies within its period), ending
    # yesterday: a check-in made in the browser today is the latest.
    yesterday = min(date.today() - timedelta(days=1), world.period.end)
    step = min(7, max(0, (yesterday - world.period.start).days) // (WEEKS - 1))
    for week in range(WEEKS):
        day = yesterday - timedelta(days=step * (WEEKS - 1 - week))
        money = 4_848_624 if week == WEEKS - 1 else 4_200_000 + week * 80_000
        for kr, value in (
            (world.key_result, 34 + week),
            (world.second_key_result, 3 - week / 10),
            (arr, money),
        ):
            data = CheckInInput(value=value, confidence=7, note=f"week {week}", checked_on=day)
            do_check_in(access, kr, data, world.member)
    return world


@pytest.mark.django_db(transaction=True)
def test_the_objective_page_is_short_and_checks_in_through_a_drawer(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    _three_key_results_with_history()
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}{PAGE}")
    expect(page.locator("article.kr")).to_have_count(3)
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < MAX_HEIGHT, f"the objective page is {height}px tall at 1440px"

    # Money reads by its unit, short in the summary and exact in the history.
    arr = page.locator("#kr-arr")
    expect(arr.locator(".measure")).to_contain_text("($4.2M → $5M)")
    expect(arr.locator(".current")).to_have_text("$4.8M")
    expect(arr.locator(".kr-history > summary")).to_contain_text("$4,848,624")
    # Every value label of every chart starts inside the picture: none is clipped.
    lefts = page.evaluate(
        """[...document.querySelectorAll('.chart-tick[text-anchor="end"]')]
             .map(tick => tick.getBBox().x)"""
    )
    assert lefts and min(lefts) >= 0, lefts

    # The history is collapsed, showing the latest; the form waits in the drawer.
    row = page.locator("#kr-week1-activation")
    expect(row.locator("table.history")).to_be_hidden()
    expect(row.locator(".kr-history > summary")).to_contain_text("Check-ins (12)")
    expect(row.get_by_label("Value (%)")).to_be_hidden()
    row.get_by_text("New check-in").click()
    row.get_by_label("Value (%)").fill("47")
    row.get_by_label("Confidence (0-10)").fill("8")
    row.get_by_label("Note").fill("through the drawer")
    row.get_by_role("button", name="Check in").click()

    expect(row).to_contain_text("Check-in recorded.")
    expect(row.locator(".current")).to_have_text("47%")
    expect(row.locator(".kr-history > summary")).to_contain_text("Check-ins (13)")
    expect(row.get_by_label("Value (%)")).to_be_hidden()  # the drawer closed behind it
    row.locator(".kr-history > summary").click()
    expect(row.locator("table.history")).to_contain_text("through the drawer")
    assert page.url.endswith(PAGE)  # swapped in place by htmx


@pytest.mark.django_db(transaction=True)
def test_without_a_script_a_refused_check_in_comes_back_in_its_open_drawer(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_world()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}{PAGE}")
    row = page.locator("#kr-week1-activation")
    expect(row.get_by_label("Note")).to_be_hidden()
    row.get_by_text("New check-in").click()  # a disclosure: it opens with no script
    row.get_by_label("Note").fill("forgot the number")
    row.get_by_role("button", name="Check in").click()
    # A whole page comes back, its drawer open on the error, the note kept.
    row = page.locator("#kr-week1-activation")
    expect(row.locator(".field-value .errorlist")).to_contain_text("needs a value")
    expect(row.get_by_label("Note")).to_have_value("forgot the number")
    expect(page.locator("#kr-time-to-value").get_by_label("Note")).to_be_hidden()
    expect(page.locator("#edit").get_by_label("Title")).to_be_hidden()
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_objective_page_fits_a_phone(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    _three_key_results_with_history()
    page = browser.new_page(viewport={"width": 390, "height": 844})
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}{PAGE}")
    expect(page.locator("article.kr")).to_have_count(3)
    page.locator("#kr-arr").get_by_text("New check-in").click()
    page.locator("#kr-arr .kr-history > summary").click()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the objective page scrolls sideways: {width}px at 390px"
