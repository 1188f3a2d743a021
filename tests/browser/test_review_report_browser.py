"""In chromium: the review report is reached from the team page, downloads and prints clean."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from constellation.server.quarterly.models import ObjectiveReview, TeamReflection
from tests.browser.people import log_in
from tests.server.factories import make_world


@pytest.mark.django_db(transaction=True)
def test_a_viewer_opens_the_report_downloads_it_and_prints_it_without_navigation(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    from playwright.sync_api import expect

    world = make_world()
    ObjectiveReview.objects.create(
        organization=world.org,
        objective=world.objective,
        computed_grade=0.5,
        grade_override=0.7,
        override_reason="Churn data arrived late",
        decision="done",
    )
    TeamReflection.objects.create(
        organization=world.org, team=world.team, period=world.period, learned="Ship smaller"
    )
    page = browser.new_page(accept_downloads=True)
    log_in(page, live_server.url, "viewer")
    page.goto(f"{live_server.url}/o/acme/teams/growth/?period=2026-Q4")
    page.get_by_role("link", name="Review report of 2026-Q4").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Quarterly review of Growth · 2026-Q4"
    )
    expect(page.locator("#report-activation")).to_contain_text(
        "changed from 0.5: Churn data arrived late"
    )
    expect(page.locator("#report-activation svg.chart")).to_have_count(2)

    with page.expect_download() as markdown:
        page.get_by_role("link", name="Download Markdown").click()
    assert markdown.value.suggested_filename == "acme-growth-2026-Q4-review.md"
    saved = tmp_path / "report.md"
    markdown.value.save_as(saved)
    assert "| Grade | 0.7 (changed from 0.5: Churn data arrived late) |" in saved.read_text()
    with page.expect_download() as pdf:
        page.get_by_role("link", name="Download PDF").click()
    assert pdf.value.suggested_filename == "acme-growth-2026-Q4-review.pdf"

    # The reading stays on screen and the site's navigation leaves the paper.
    page.emulate_media(media="print")
    expect(page.locator(".site-header")).to_be_hidden()
    expect(page.get_by_role("link", name="Download PDF")).to_be_hidden()
    expect(page.locator("#report-activation")).to_be_visible()
    assert page.pdf().startswith(b"%PDF")
