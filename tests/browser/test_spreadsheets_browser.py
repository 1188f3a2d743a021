"""A real browser downloads the period's spreadsheet, changes it and imports it back."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from constellation.server.okrs.models import KeyResult
from tests.browser.people import log_in
from tests.browser.test_every_page_browser import AXE
from tests.server.factories import make_world

# Where the test leaves its screenshots to look at (a temporary folder unless given).
SHOTS = os.environ.get("SHEETS_SCREENSHOTS")


@pytest.mark.django_db(transaction=True)
def test_an_admin_downloads_edits_previews_and_applies_a_spreadsheet(
    live_server: Any, browser: Any, tmp_path: Path, settings: Any
) -> None:
    from playwright.sync_api import expect

    settings.DATA_DIR = tmp_path
    world = make_world()
    shots = Path(SHOTS) if SHOTS else tmp_path
    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log_in(page, live_server.url, "admin")
    page.goto(f"{live_server.url}/o/acme/?period=2026-Q4")
    page.screenshot(path=str(shots / "sheets-dashboard-1440.png"))
    with page.expect_download() as download:
        page.get_by_role("link", name="objectives and key results (CSV)").click()
    exported = Path(download.value.path()).read_bytes()
    edited = tmp_path / "okrs.csv"
    edited.write_bytes(exported.replace(b",50,", b",65,"))

    page.get_by_role("link", name="Import a spreadsheet").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a spreadsheet")
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(edited))
    page.get_by_role("button", name="Preview the changes").click()
    preview = page.locator(".sheet-preview")
    expect(preview).to_contain_text("1 changed key result")
    expect(preview.locator("tr.sheet-change-updated")).to_contain_text("week1-activation")
    expect(preview.locator("ins")).to_have_text("65")
    page.screenshot(path=str(shots / "sheets-preview-1440.png"), full_page=True)
    page.evaluate(AXE.read_text())  # not a <script>: the pages' policy refuses inline script
    violations = page.evaluate("async () => (await axe.run(document)).violations")
    assert [v["id"] for v in violations] == []
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(shots / "sheets-preview-390.png"), full_page=True)
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 50

    page.get_by_role("button", name="Apply these changes").click()
    expect(page.locator(".messages")).to_contain_text("1 changed key results")
    assert KeyResult.objects.get(pk=world.key_result.pk).target == 65

    bad = tmp_path / "bad.csv"
    bad.write_bytes(exported.replace(b",50,", b",lots,"))
    page.get_by_label("Spreadsheet (CSV or XLSX)").set_input_files(str(bad))
    page.get_by_role("button", name="Preview the changes").click()
    expect(page.locator("#sheet-problems")).to_contain_text(
        "row 3, column target: 'lots' is not a number"
    )
    page.screenshot(path=str(shots / "sheets-problems-390.png"), full_page=True)
