"""The coach speaks to a person typing a key result: quiet on the empty form, then, for
"Launch the mobile app", a milestone or the objective's initiatives offered before anything is
saved, in the page's words."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_world

OUTPUT = "Launch the mobile app"


@pytest.mark.django_db(transaction=True)
def test_typing_an_output_offers_a_milestone_or_initiatives_before_saving(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    from constellation.server.okrs.models import Initiative, KeyResult

    make_world()
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.wait_for_load_state()
    page.goto(f"{live_server.url}/o/acme/objectives/activation/draft/key-results/new/")
    coach = page.locator("#coach-findings")
    # Nothing typed yet: no finding, no error, the blank not counted as a key result.
    expect(coach.locator(".coach-quiet")).to_be_visible()
    expect(page.locator(".errorlist")).to_have_count(0)

    page.get_by_label("Statement").fill(OUTPUT)
    finding = coach.locator('.finding[data-rule="output-kr"]')
    expect(finding).to_be_visible()
    expect(finding).to_contain_text(f"“{OUTPUT}” names work to be done")
    expect(finding).not_to_contain_text("`")
    expect(finding).not_to_contain_text("initiatives:")
    expect(finding.get_by_role("button", name="Make it a milestone")).to_be_visible()
    expect(finding.get_by_role("button", name="Move it to initiatives")).to_be_visible()
    # The numbers are not touched yet: nothing is said about them.
    expect(coach.locator('.finding[data-rule="unmeasurable-kr"]')).to_have_count(0)
    assert not KeyResult.objects.filter(title=OUTPUT).exists()

    # Sent as typed, it is not saved as a metric with no numbers: the form offers the choice.
    page.get_by_role("button", name="Add the key result").click()
    choice = page.locator("#output-choice")
    expect(choice).to_be_visible()
    expect(page.get_by_label("Statement")).to_have_value(OUTPUT)
    assert not KeyResult.objects.filter(title=OUTPUT).exists()

    choice.get_by_role("button", name="Move it to initiatives").click()
    expect(page.locator(".messages")).to_contain_text(f"“{OUTPUT}” is now an initiative")
    assert Initiative.objects.filter(title=OUTPUT).exists()
    assert not KeyResult.objects.filter(title=OUTPUT).exists()
