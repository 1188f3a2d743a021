"""A real browser (Debian's chromium through Playwright) logs in, reads and checks in."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.browser.people import log_in
from tests.browser.waiting import wait_until
from tests.server.factories import launch, make_world


@pytest.mark.django_db(transaction=True)
def test_a_member_sees_the_dashboard_and_checks_in(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    launch(make_world().objective)
    page = browser.new_page()
    log_in(page, live_server.url)
    page.wait_for_url("**/o/acme/home/")  # signing in lands on the person's home
    page.goto(f"{live_server.url}/o/acme/")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    expect(page.locator(".objective-row").get_by_role("progressbar")).to_have_count(2)
    bar = page.locator('tr[data-objective="activation"] .progress-fill')
    assert bar.evaluate("element => element.getBoundingClientRect().width") > 0
    status = page.locator('tr[data-objective="activation"] .status')
    expect(status).to_have_text(re.compile("On track|At risk|Off track"))

    page.get_by_role("link", name="New teams get to value in their first week").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "New teams get to value in their first week"
    )
    row = page.locator("#kr-week1-activation")
    row.get_by_text("New check-in").click()  # the form waits in a drawer
    row.get_by_label("Value (%)").fill("47")
    row.get_by_label("Confidence (0-10)").fill("8")
    row.get_by_label("Note").fill("checked in from the browser")
    row.get_by_role("button", name="Check in").click()

    history = page.locator("#kr-week1-activation table.history")
    expect(history).to_contain_text("checked in from the browser")
    expect(history).to_contain_text("8/10")
    expect(page.locator("#kr-week1-activation .current")).to_have_text("47%")
    expect(page.locator("#kr-week1-activation")).to_contain_text("Check-in recorded.")
    # htmx swapped the row in place: no page load, so no redirect to the row's anchor.
    assert "#kr-" not in page.url
    expect(page.locator("#history")).to_contain_text("checked in on")


@pytest.mark.django_db(transaction=True)
def test_a_refused_check_in_shows_the_error_in_place_and_keeps_the_note(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")
    row = page.locator("#kr-week1-activation")
    row.get_by_text("New check-in").click()
    row.get_by_label("Note").fill("forgot the number")
    row.get_by_role("button", name="Check in").click()
    error = page.locator("#kr-week1-activation .field-value .errorlist")
    expect(error).to_contain_text("needs a value")
    expect(page.locator("#kr-week1-activation").get_by_label("Note")).to_have_value(
        "forgot the number"
    )
    expect(page.locator("#kr-week1-activation table.history")).to_contain_text("No check-ins")
    assert page.url.endswith("/o/acme/objectives/activation/")  # swapped in place by htmx


@pytest.mark.django_db(transaction=True)
def test_checking_in_works_without_javascript(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    make_world()
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")
    row = page.locator("#kr-week1-activation")
    row.get_by_text("New check-in").click()  # a disclosure: it opens without a script too
    row.get_by_label("Value (%)").fill("44")
    row.get_by_label("Confidence (0-10)").fill("11")
    row.get_by_role("button", name="Check in").click()
    # The browser's own range check may stop 11 first; either way nothing is recorded yet.
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")
    row = page.locator("#kr-week1-activation")
    if not row.get_by_label("Value (%)").is_visible():  # open again if the refusal left it shut
        row.get_by_text("New check-in").click()
    row.get_by_label("Value (%)").fill("44")
    row.get_by_label("Confidence (0-10)").fill("6")
    row.get_by_label("Note").fill("no script needed")
    row.get_by_role("button", name="Check in").click()
    assert page.url.endswith("#kr-week1-activation")
    expect(page.locator("#kr-week1-activation table.history")).to_contain_text("no script needed")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_fits_a_375_pixel_wide_screen(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page(viewport={"width": 375, "height": 740})
    log_in(page, live_server.url)
    page.wait_for_url("**/o/acme/home/")
    page.goto(f"{live_server.url}/o/acme/")
    expect(page.locator(".objective-row").get_by_role("progressbar")).to_have_count(2)
    pages = ("/o/acme/", "/o/acme/objectives/activation/", "/o/acme/teams/growth/", "/o/acme/home/")
    for path in pages:
        page.goto(f"{live_server.url}{path}")
        overflow = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px at 375px"


@pytest.mark.django_db(transaction=True)
def test_keyboard_users_reach_the_content_with_the_skip_link(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page()
    log_in(page, live_server.url)
    expect(page.get_by_role("heading", level=1)).to_contain_text("Acme Analytics")
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Skip to main content"
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"
    page.keyboard.press("Enter")
    wait_until(page, "document.activeElement.id === 'main'")
