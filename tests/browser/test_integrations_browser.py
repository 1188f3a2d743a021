"""In chromium: an admin adds a webhook on the Integrations page, copies its secret, sends a
test event, and sees the worker's delivery in the log; the pages pass axe and fit a phone."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from standardwebhooks import Webhook as Verifier

from tests.browser.people import log_in
from tests.browser.test_every_page_browser import DESKTOP, PHONE, _check
from tests.server.factories import make_world
from tests.server.receivers import receiver, run_queued

# Set to a folder to keep screenshots of the pages at both widths (to look at them).
SHOTS = os.environ.get("OKR_SCREENSHOTS", "")


def _shoot(page: Any, name: str) -> None:
    if not SHOTS:
        return
    for width in (DESKTOP, PHONE):
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(Path(SHOTS) / f"{name}-{width}.png"), full_page=True)


@pytest.mark.django_db(transaction=True)
def test_an_admin_adds_a_webhook_sends_a_test_event_and_reads_the_log(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    make_world()
    page = browser.new_page()
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/o/acme/")
    page.get_by_text("Integrations").first.dispatch_event("click")
    expect(page.get_by_role("heading", name="Integrations", exact=True)).to_be_visible()
    with receiver() as hooks:
        page.get_by_label("Address").fill(hooks.url)
        page.get_by_label("Description").fill("Our CRM")
        page.get_by_role("button", name="Add").click()
        secret_box = page.get_by_role("textbox", name="Secret")
        expect(secret_box).to_be_visible()
        secret = secret_box.input_value()
        assert secret.startswith("whsec_")
        _shoot(page, "webhook-created")
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_text("queued: see the log below")).to_be_visible()
        expect(page.locator(".delivery-waiting")).to_have_count(1)
        assert secret not in page.content()
        assert run_queued("deliver_job") == [1]  # the worker's job
        page.reload()
        expect(page.locator(".delivery-delivered")).to_have_count(1)
        expect(page.locator(".attempt.ok")).to_contain_text("HTTP 200")
    [got] = hooks.received
    assert Verifier(secret).verify(got.body, got.headers)["type"] == "webhook.test"
    _shoot(page, "webhook-log")
    problems = _check(page, page.url)
    page.goto(f"{live_server.url}/o/acme/integrations/")
    expect(page.locator(".webhook-url")).to_have_text(hooks.url)
    _shoot(page, "integrations")
    problems += _check(page, page.url)
    assert problems == []
