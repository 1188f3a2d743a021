"""In chromium: align by search with the keyboard, see a cycle refused, read the notification."""

from __future__ import annotations

from typing import Any

import pytest

from constellation.server.okrs.actions import ObjectiveEdit, do_edit_objective
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.orgs.models import Membership, Team
from tests.browser.people import log_in
from tests.server.factories import make_objective, make_world


@pytest.mark.django_db(transaction=True)
def test_a_member_aligns_by_keyboard_and_is_told_when_the_target_changes(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    platform = Team.objects.create(organization=world.org, slug="platform", name="Platform")
    make_objective(world.org, platform, world.period, "uptime", "Dashboards are always there")
    # The member also works in Platform, so may link its objective too (below).
    Membership.objects.get(organization=world.org, user__username="member").teams.add(platform)
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/o/acme/objectives/activation/")

    page.get_by_text("Align to another objective").click()  # the search waits in a drawer
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
    page.get_by_text("Align to another objective").click()
    page.get_by_label("Find an objective by title, id or team").fill("first week")
    page.get_by_role("button", name="Align to “New teams get to value in their first week”").click()
    expect(page.get_by_role("alert")).to_contain_text("uptime → activation → uptime")

    # The platform objective's owner changes it; the member is told, with a badge.
    uptime = Objective.objects.get(slug="uptime")
    do_edit_objective(
        access_org(world.leader, "acme"),
        uptime,
        ObjectiveEdit(title="Dashboards never go down"),
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
