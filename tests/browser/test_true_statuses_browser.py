"""In chromium and over real HTTP: each status rule reads the same on a page and in the API.

One team holds an objective for each rule in the quarter running today: launched today (paced
from its launch, not from the quarter's start), a draft, a key result with nothing checked in,
a closed objective, a keep-in-range key result in its range, and an objective whose guardrail
is unhealthy.
"""

from __future__ import annotations

import json
import re
import urllib.request
from typing import Any

import pytest
from django.utils import timezone

from constellation.core.periods import period_containing
from constellation.server.kpis.actions import do_add_reading
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import access_org
from constellation.server.plans.stored import rescore_organization
from constellation.server.tokens.actions import do_create_token
from tests.browser.people import log_in
from tests.server.factories import make_key_result, make_objective, make_world

GUARDRAIL = "guardrail Monthly logo churn outside its healthy range"


def _objective(world: Any, slug: str, title: str, state: str, **krs: dict) -> Objective:
    objective = make_objective(world.org, world.team, world.period, slug, title)
    Objective.objects.filter(pk=objective.pk).update(
        state=state,
        state_given=True,
        launched_on=timezone.localdate() if state == "launched" else None,
    )
    for position, (kr_slug, fields) in enumerate(krs.items()):
        make_key_result(objective, kr_slug, fields.pop("title"), position=position, **fields)
    return objective


def _world() -> Any:
    world = make_world()
    today = timezone.localdate()
    quarter = period_containing(today)
    Period.objects.filter(pk=world.period.pk).update(
        key=quarter.key, start=quarter.start, end=quarter.end
    )
    world.period.refresh_from_db()
    world.objective.guardrails.clear()
    Objective.objects.filter(pk=world.objective.pk).update(
        state="launched", state_given=True, launched_on=today
    )
    _objective(
        world, "drafted", "Teams invite colleagues", "draft",
        invites={"title": "Raise invites from 1 to 3", "baseline": 1, "target": 3, "current": 2},
    )  # fmt: skip
    _objective(
        world, "fresh", "Customers recommend us", "launched",
        nps={"title": "Raise NPS from 20 to 40", "baseline": 20, "target": 40},
    )  # fmt: skip
    _objective(
        world, "finished", "Setup takes one sitting", "closed",
        setup={"title": "Cut setup from 40 to 10 minutes", "baseline": 40, "target": 10,
               "current": 13},
    )  # fmt: skip
    _objective(
        world, "kept", "Dashboards are always there", "launched",
        uptime={"title": "Keep uptime above 99.5%", "type": "range", "healthy_low": 99.5,
                "unit": "%", "current": 99.7},
    )  # fmt: skip
    guarded = _objective(
        world, "guarded", "Trials convert without sales", "launched",
        trials={"title": "Lift trial conversion from 8% to 12%", "baseline": 8, "target": 12,
                "current": 12, "unit": "%"},
    )  # fmt: skip
    guarded.guardrails.add(world.kpi)
    admin = access_org(world.admin, "acme", write=True)
    do_add_reading(admin, world.kpi, today, 3.4, world.admin)  # healthy up to 2.5
    rescore_organization(world.org, on=today)
    return world


def _api(base: str, token: str, slug: str) -> dict:
    request = urllib.request.Request(
        f"{base}/api/v1/orgs/acme/objectives/{slug}",
        headers={"Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


@pytest.mark.django_db(transaction=True)
def test_each_status_rule_reads_the_same_in_the_browser_and_the_api(
    live_server: Any, browser: Any
) -> None:
    from playwright.sync_api import expect

    world = _world()
    _, token = do_create_token(world.member, world.org, "statuses")
    base = live_server.url
    api = {slug: _api(base, token, slug) for slug in ("activation", "drafted", "fresh")}
    api |= {slug: _api(base, token, slug) for slug in ("finished", "kept", "guarded")}
    page = browser.new_page()
    log_in(page, base)

    def summary(slug: str) -> Any:
        page.goto(f"{base}/o/acme/objectives/{slug}/")
        return page.locator("#objective-summary")

    # Paced from the launch: launched today, one day of the rest of the quarter is expected,
    # whatever share of the quarter has gone by.
    head = summary("activation")
    expect(head.locator(".status")).to_contain_text("On track")
    today, end = timezone.localdate(), world.period.end
    one_day = 1 / ((end - today).days + 1)
    assert api["activation"]["status"] == "on_track"
    assert api["activation"]["expected"] == pytest.approx(one_day, abs=1e-4)
    shown = re.search(r"expected by now: (\d+)%", head.inner_text())
    assert shown is not None and abs(int(shown[1]) - 100 * one_day) <= 1

    # A draft says so, and expects nothing.
    head = summary("drafted")
    expect(head.locator(".status")).to_contain_text("Draft")
    expect(head).not_to_contain_text("expected by now")
    assert (api["drafted"]["status"], api["drafted"]["expected"]) == ("draft", None)

    # Nothing checked in yet: not started, not off track.
    summary("fresh")
    expect(page.locator("#kr-nps .status")).to_contain_text("Not started")
    assert api["fresh"]["key_results"][0]["status"] == "not_started"

    # A closed objective shows its result, not its pace.
    head = summary("finished")
    expect(head).to_contain_text("Closed")
    expect(head).not_to_contain_text("expected by now")
    assert api["finished"]["key_results"][0]["status"] == "on_track"  # 0.9 of the way

    # Keep-in-range: on track in its range, charted at the range's scale.
    summary("kept")
    card = page.locator("#kr-uptime")
    expect(card.locator(".status").first).to_contain_text("On track")
    ticks = card.locator("svg text").all_text_contents()
    values = [float(t.rstrip("%")) for t in ticks if t.endswith("%")]
    assert values and min(values) >= 99 and max(values) <= 101, ticks
    assert api["kept"]["key_results"][0]["status"] == "on_track"

    # An unhealthy guardrail is in the status itself, on the page, the row and the API.
    head = summary("guarded")
    expect(head.locator(".status")).to_contain_text(f"At risk: {GUARDRAIL}")
    assert (api["guarded"]["status"], api["guarded"]["status_reason"]) == ("at_risk", GUARDRAIL)
    page.goto(f"{base}/o/acme/teams/growth/?period={world.period.key}")
    row = page.locator('tr[data-objective="guarded"]')
    expect(row.locator(".status")).to_contain_text("At risk")
    assert KeyResult.objects.get(slug="trials").status == "on_track"  # the KR itself is fine
