"""In chromium: the data bank suggests lessons while a title is typed, then searches by filter."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.databank_factories import make_bank
from tests.server.factories import make_world


@pytest.mark.django_db(transaction=True)
def test_a_member_sees_lessons_while_typing_a_title_then_searches_the_data_bank(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    make_bank(world)
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.goto(f"{live_server.url}/o/acme/draft/new-objective/")

    box = page.locator("#bank-suggestions")
    expect(box).to_contain_text("Type a title")
    page.get_by_label("Title").press_sequentially("Cold emails for small teams", delay=20)
    expect(box.locator("mark").first).to_be_visible()
    expect(box).to_contain_text("Cold emails to small teams rarely answered")
    expect(box).not_to_contain_text("Globex")

    box.get_by_role("link", name="Search the data bank for more").click()
    expect(page.get_by_role("heading", name="Data bank")).to_be_visible()
    expect(page.get_by_label("Search", exact=True)).to_have_value("Cold emails for small teams")
    page.get_by_label("Team").select_option(label="Sales")
    page.get_by_label("Search", exact=True).press("Enter")
    expect(page.get_by_role("heading", name="1 match")).to_be_visible()
    expect(page.locator(".bank-results")).to_contain_text("rarely answered")
    page.get_by_role("link", name="Fill the pipe").click()
    expect(page).to_have_url(f"{live_server.url}/o/acme/objectives/pipeline/")
