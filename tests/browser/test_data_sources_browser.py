"""Automatic updates in chromium: set up a key result's source from its drawer, test it, save
it; the drawer, the source page and the KPI's section pass axe and fit a phone."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.browser.people import log_in
from tests.server.factories import make_world
from tests.server.source_servers import Answer, serve

PAGE = "/o/acme/objectives/activation/"
AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
# Where the screenshots go when asked (SCREENSHOTS_DIR); nothing is written otherwise.
SHOTS = os.environ.get("SCREENSHOTS_DIR", "")


def _problems(page: Any, width: int) -> list[str]:
    """axe-core violations and a sideways scroll of the page as it is now, at `width`."""
    page.set_viewport_size({"width": width, "height": 900})
    page.evaluate(AXE.read_text())  # not a <script>: the pages' policy refuses inline script
    result = page.evaluate("async () => await axe.run(document)")
    found = [
        f"{page.url} at {width}px: axe {v['id']}: {v['help']} "
        + json.dumps([node["target"] for node in v["nodes"][:3]])
        for v in result["violations"]
    ]
    scroll = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll > width:
        found.append(f"{page.url}: {scroll}px wide at {width}px")
    return found


def _shoot(page: Any, name: str) -> None:
    for width in (1440, 390):
        page.set_viewport_size({"width": width, "height": 900})
        if SHOTS:
            page.screenshot(path=f"{SHOTS}/{name}-{width}.png", full_page=True)


@pytest.mark.django_db(transaction=True)
def test_the_owner_tests_a_source_then_saves_it_and_sees_its_status(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    from constellation.server.sources.models import DataSource
    from constellation.server.tracking.models import CheckIn

    make_world()
    with serve() as endpoint:
        endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 44.5}})
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, live_server.url)
        page.goto(f"{live_server.url}{PAGE}")
        drawer = page.locator("#kr-week1-activation-source")
        drawer.locator("summary").click()
        expect(drawer.get_by_label("Kind")).to_be_visible()
        problems = _problems(page, 1440) + _problems(page, 390)
        _shoot(page, "source-drawer")
        page.set_viewport_size({"width": 1440, "height": 900})
        drawer.get_by_label("Kind").select_option("http_json")
        drawer.get_by_label("URL", exact=True).fill(f"{endpoint.base}/metrics")
        drawer.get_by_label("JSONPath, SQL or PromQL").fill("$.activation.rate")
        drawer.get_by_label("Header name").fill("Authorization")
        drawer.get_by_label("Header value").fill("Bearer browser-secret")
        drawer.get_by_label("Update").select_option("60")
        drawer.get_by_role("button", name="Test now").click()

        result = page.locator("#test-result")
        expect(result).to_contain_text("the source gives 44.5")
        expect(result).to_contain_text("Nothing was recorded")
        assert not DataSource.objects.exists() and not CheckIn.objects.exists()
        assert endpoint.asked[-1]["headers"]["Authorization"] == "Bearer browser-secret"
        # The form kept what was typed, except the secret, which is typed again to save.
        expect(page.get_by_label("URL", exact=True)).to_have_value(f"{endpoint.base}/metrics")
        problems += _problems(page, 1440) + _problems(page, 390)
        _shoot(page, "source-test-now")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.get_by_label("Header value").fill("Bearer browser-secret")
        page.get_by_role("button", name="Save", exact=True).click()

        expect(page).to_have_url(f"{live_server.url}{PAGE}#kr-week1-activation")
        drawer = page.locator("#kr-week1-activation-source")
        expect(drawer.locator("summary")).to_contain_text("on")
        drawer.locator("summary").click()
        expect(drawer.locator(".source-status")).to_contain_text("every hour")
        expect(drawer.locator(".source-status")).to_contain_text("not yet")
        assert "browser-secret" not in page.content()
        source = DataSource.objects.get()
        assert source.created_by is not None and source.created_by.username == "member"
        problems += _problems(page, 1440) + _problems(page, 390)
        _shoot(page, "source-saved")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db(transaction=True)
def test_a_failing_kpi_source_shows_its_error_on_the_kpi_page(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    from constellation.server.orgs.access import access_org
    from constellation.server.sources.actions import SourceInput, do_set_source, do_sync_source

    world = make_world()
    with serve() as endpoint:
        endpoint.answers["/api/v1/query"] = Answer(
            body={"status": "success", "data": {"resultType": "vector", "result": []}}
        )
        data = SourceInput(kind="prometheus", url=endpoint.base, query="sum(churned_logos)")
        access = access_org(world.leader, "acme")
        source = do_set_source(
            access, data, kpi=world.kpi, expected_version=None, actor=world.leader
        )
        assert do_sync_source(source.pk) == "failed"
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log_in(page, live_server.url, "leader")
        page.goto(f"{live_server.url}/o/acme/kpis/logo-churn/")
        section = page.locator("#automatic-updates")
        expect(section.locator(".source-error")).to_contain_text("no series")
        section.locator("summary").click()
        expect(section.get_by_role("button", name="Test now")).to_be_visible()
        problems = _problems(page, 1440) + _problems(page, 390)
        _shoot(page, "source-kpi")
    assert not problems, "\n".join(problems)
