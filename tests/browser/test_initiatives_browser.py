"""In chromium: an initiative added from its drawer on the objective page shows its links as
chips named by their tracker, is edited in place, and the section fits a phone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_world

PAGE = "/o/acme/objectives/activation/"
PHONE, DESKTOP = 390, 1440


@pytest.mark.django_db(transaction=True)
def test_an_initiative_added_with_a_link_shows_its_chip_and_is_edited_in_place(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page(viewport={"width": DESKTOP, "height": 900})
    log_in(page, live_server.url, "member")
    page.goto(live_server.url + PAGE)
    section = page.locator("#initiatives-section")
    section.locator("summary", has_text="Add an initiative").click()
    form = section.locator(".initiative-new-drawer form")
    form.get_by_label("Initiative").fill("Guided setup wizard")
    form.get_by_label("Status").select_option(label="In progress")
    form.get_by_label("Links to the work").fill(
        "https://github.com/acme/app/issues/42\nhttps://acme.atlassian.net/browse/GROW-7"
    )
    form.get_by_label("Raise week-1 activation from 34% to 50%").check()
    form.get_by_role("button", name="Add the initiative").click()

    expect(section.get_by_role("status")).to_have_text("Initiative “Guided setup wizard” added.")
    chip = section.get_by_role("link", name="GitHub acme/app#42")
    expect(chip).to_be_visible()
    expect(chip).to_have_attribute("href", "https://github.com/acme/app/issues/42")
    expect(section.get_by_role("link", name="Jira GROW-7")).to_be_visible()
    expect(section.locator(".initiative-status")).to_have_text("Status: in progress")

    # A link that is not a web address is refused in the open drawer, keeping what was typed.
    section.locator("summary", has_text="Edit").first.click()
    edit = section.locator(".initiative-edit-drawer form")
    edit.get_by_label("Links to the work").fill("ftp://files.example.com/plan.pdf")
    edit.get_by_role("button", name="Save").click()
    expect(section.locator(".errorlist")).to_contain_text("line 1: only web addresses")
    edit = section.locator(".initiative-edit-drawer form")
    expect(edit.get_by_label("Links to the work")).to_have_value("ftp://files.example.com/plan.pdf")
    edit.get_by_label("Links to the work").fill("https://linear.app/acme/issue/ENG-12/wizard")
    edit.get_by_label("Status").select_option(label="Done")
    edit.get_by_role("button", name="Save").click()
    expect(section.get_by_role("link", name="Linear ENG-12")).to_be_visible()
    expect(section.locator(".initiative-status")).to_have_text("Status: done")

    section.scroll_into_view_if_needed()
    section.screenshot(path=str(tmp_path / f"initiatives-{DESKTOP}.png"))
    page.set_viewport_size({"width": PHONE, "height": 844})
    page.reload()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE
    page.locator("#initiatives-section summary", has_text="Edit").first.click()
    page.locator("#initiatives-section").screenshot(path=str(tmp_path / f"initiatives-{PHONE}.png"))
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE
