"""The site's chrome in chromium: a bar on a wide screen, a menu on a phone (with or without
scripts), the dashboard without sideways scroll at 390 px, and selects that act on change."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_period, make_world

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1440, "height": 900}


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scripts", [True, False])
def test_on_a_phone_the_navigation_folds_into_a_menu(
    live_server: Any, browser: Any, scripts: bool
) -> None:
    from playwright.sync_api import expect

    make_world()
    context = browser.new_context(viewport=PHONE, java_script_enabled=scripts)
    page = context.new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/")

    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav).to_be_hidden()
    menu = page.get_by_text("Menu", exact=True)
    expect(menu).to_be_visible()
    menu.click()
    expect(main_nav).to_be_visible()
    current = main_nav.get_by_role("link", name="Dashboard")
    expect(current).to_have_attribute("aria-current", "page")
    settings = page.get_by_role("navigation", name="Settings")
    expect(settings.get_by_role("link", name="Profile")).to_be_visible()
    expect(settings.get_by_role("button", name="Log out")).to_be_visible()

    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"the dashboard is {width} px wide with its menu open"
    main_nav.get_by_role("link", name="Teams").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Teams of Acme Analytics")
    context.close()


@pytest.mark.django_db(transaction=True)
def test_the_dashboard_and_team_page_fit_a_phone(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_context(viewport=PHONE).new_page()
    log_in(page, live_server.url)
    for path in ("/o/acme/", "/o/acme/teams/growth/", "/o/acme/objectives/activation/"):
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main h1")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide on a 390 px phone"


@pytest.mark.django_db(transaction=True)
def test_on_a_wide_screen_the_navigation_is_a_bar_and_settings_a_menu(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/o/acme/teams/")

    main_nav = page.get_by_role("navigation", name="Main")
    expect(main_nav).to_be_visible()
    expect(page.get_by_text("Menu", exact=True)).to_be_hidden()
    teams = main_nav.get_by_role("link", name="Teams")
    expect(teams).to_have_attribute("aria-current", "page")
    assert teams.evaluate("link => getComputedStyle(link).fontWeight") == "700"

    people = page.get_by_role("link", name="People")
    expect(people).to_be_hidden()
    page.locator(".account-menu > summary").click()
    expect(people).to_be_visible()
    page.keyboard.press("Escape")
    expect(people).to_be_hidden()


@pytest.mark.django_db(transaction=True)
def test_choosing_a_period_shows_it_without_a_button(live_server: Any, browser: Any) -> None:
    from playwright.sync_api import expect

    world = make_world()
    make_period(world.org, "2026-Q3")
    page = browser.new_context(viewport=DESKTOP).new_page()
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/o/acme/")
    expect(page.get_by_role("button", name="Show")).to_have_count(0)
    page.get_by_label("Period").select_option("2026-Q3")
    expect(page).to_have_url(f"{live_server.url}/o/acme/?period=2026-Q3")
    expect(page.get_by_role("heading", level=1)).to_contain_text("2026-Q3")
