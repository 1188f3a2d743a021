"""In chromium: align by search with the keyboard, see a cycle refused, read the notification."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from constellation.server.okrs.actions import do_update_objective
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Team
from tests.server.factories import PASSWORD, make_objective, make_world

CHROMIUM = "/usr/bin/chromium"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests",
    ),
]


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless chromium; Playwright's sync API runs an event loop in this thread."""
    from playwright.sync_api import sync_playwright

    # Playwright's loop makes Django think the ORM is called from async code; it is not.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


def log_in(page: Any, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


@pytest.mark.django_db(transaction=True)
def test_a_member_aligns_by_keyboard_and_is_told_when_the_target_changes(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    platform = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    make_objective(world.org, platform, world.period, "uptime", "Dashboards are always there")
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")

    search = page.get_by_label("Find an objective by title, id or team")
    search.fill("platform")
    result = page.get_by_role("button", name="Align to “Dashboards are always there”")
    expect(result).to_be_visible()
    search.press("Tab")  # from the box, past its Search button, to the first result
    page.keyboard.press("Tab")
    expect(result).to_be_focused()
    page.keyboard.press("Enter")
    section = page.locator("#alignment-section")
    expect(section).to_contain_text("Now aligned to “Dashboards are always there”.")
    expect(section.locator("ul.alignment-links").first).to_contain_text("(Platform)")

    # From the other side, a link back would close a loop: refused, with its path.
    page.goto(f"{live_server.url}/o/acme/objectives/uptime/")
    page.get_by_label("Find an objective by title, id or team").fill("first week")
    page.get_by_role("button", name="Align to “New teams get to value in their first week”").click()
    expect(page.get_by_role("alert")).to_contain_text("uptime → activation → uptime")

    # The platform objective's owner changes it; the member is told, with a badge.
    uptime = Objective.objects.get(slug="uptime")
    do_update_objective(
        access_org(world.leader, "acme"),
        uptime,
        {"title": "Dashboards never go down"},
        expected_version=uptime.version,
        actor=world.leader,
    )
    page.goto(f"{live_server.url}/o/acme/")
    link = page.get_by_role("link", name="Notifications 1 unread")
    expect(link).to_be_visible()
    link.click()
    expect(page.locator(".notification.unread")).to_contain_text("Unread")
    page.get_by_role("link", name="“Dashboards never go down”, which your objective").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Dashboards never go down")
    expect(page.get_by_role("link", name="Notifications (none unread)")).to_be_visible()
