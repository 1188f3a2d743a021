"""True statuses through the stored scores, the API and the pages: pace from the launch, drafts,
key results not started, a closed objective's key results, a keep-in-range chart at its
range's scale, and an unhealthy guardrail in the status itself."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import timezone

from constellation.server.kpis.actions import do_add_reading
from constellation.server.okrs.actions import do_move_objectives
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import access_org
from constellation.server.plans.stored import rescore_organization
from constellation.server.tracking.actions import CheckInInput, do_check_in
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_key_result

pytestmark = pytest.mark.django_db

DEC_1 = date(2026, 12, 1)
GUARDRAIL = "guardrail Monthly logo churn outside its healthy range"


def launch(world: World, on: date | None = DEC_1) -> None:
    """The standard objective launched on `on` (written directly; scored by the caller)."""
    Objective.objects.filter(pk=world.objective.pk).update(
        state="launched", state_given=True, launched_on=on
    )


def api_objective(world: World) -> dict:
    return client_for(world.member, world.org).get("/orgs/acme/objectives/activation").data


def page(client, world: World) -> str:
    client.force_login(world.member)
    return client.get("/o/acme/objectives/activation/").content.decode()


def summary(html: str) -> str:
    start = html.index('id="objective-summary"')
    return html[start : html.index("</section>", start)]


def card(html: str, slug: str) -> str:
    start = html.index(f'id="kr-{slug}"')
    return html[start : html.index("</article>", start)]


def team_row(client, world: World) -> str:
    client.force_login(world.member)
    html = client.get("/o/acme/teams/growth/?period=2026-Q4").content.decode()
    start = html.index('data-objective="activation"')
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_launching_keeps_the_day_and_rescores_in_the_same_write(world: World) -> None:
    rescore_organization(world.org)
    assert Objective.objects.get(pk=world.objective.pk).status == "draft"
    access = access_org(world.admin, "acme", write=True)
    do_move_objectives(
        access,
        [world.objective],
        Objective.State.LAUNCHED,
        from_states=(Objective.State.DRAFT,),
        actor=world.admin,
        reason="launched after review",
    )
    row = Objective.objects.get(pk=world.objective.pk)
    assert row.launched_on == timezone.localdate()
    assert row.status != "draft"
    assert rescore_organization(world.org).total == 0  # what a fresh run says


def test_pace_counts_from_the_launch_through_the_api_and_the_page(world: World, client) -> None:
    launch(world, on=None)  # launched, the day unknown: paced from 1 October
    rescore_organization(world.org, on=DEC_1)
    assert Objective.objects.get(pk=world.objective.pk).status == "at_risk"  # 47 % of 67 %
    launch(world)
    rescore_organization(world.org, on=DEC_1)
    stored = Objective.objects.get(pk=world.objective.pk)
    assert stored.expected == pytest.approx(1 / 31)
    assert stored.status == "on_track"
    data = api_objective(world)
    assert (data["status"], data["expected"]) == ("on_track", round(1 / 31, 4))
    at = client_for(world.member, world.org).get("/orgs/acme/objectives", at="2026-12-01")
    listed = {o["id"]: o for o in at.data["objectives"]}["activation"]
    assert (listed["status"], listed["expected"]) == ("on_track", round(1 / 31, 4))
    head = summary(page(client, world))
    assert "On track" in head and "expected by now: 3%" in head


def test_a_draft_says_draft_through_the_api_and_the_pages(world: World, client) -> None:
    rescore_organization(world.org)
    data = api_objective(world)
    assert (data["status"], data["expected"]) == ("draft", None)
    assert {kr["status"] for kr in data["key_results"]} == {"draft"}
    assert {kr["expected"] for kr in data["key_results"]} == {None}
    html = page(client, world)
    head = summary(html)
    assert "Draft" in head and "expected by now" not in head
    assert "Draft" in card(html, "week1-activation")
    assert 'class="status status-draft"' in team_row(client, world)


def test_a_key_result_with_nothing_checked_in_reads_not_started_then_off_track(
    world: World, client
) -> None:
    make_key_result(world.objective, "nps", "Raise NPS from 20 to 40", baseline=20, target=40)
    launch(world)
    rescore_organization(world.org, on=date(2026, 12, 3))
    assert KeyResult.objects.get(slug="nps").status == "not_started"
    krs = {kr["slug"]: kr for kr in api_objective(world)["key_results"]}
    assert krs["nps"]["status"] == "not_started"
    assert "Not started" in card(page(client, world), "nps")
    # Late in the month with still nothing checked in: behind.
    rescore_organization(world.org, on=date(2026, 12, 20))
    assert KeyResult.objects.get(slug="nps").status == "off_track"
    # One check-in ends "not started".
    access = access_org(world.member, "acme", write=True)
    nps = KeyResult.objects.get(slug="nps")
    do_check_in(access, nps, CheckInInput(value=40, confidence=8), world.member)
    assert KeyResult.objects.get(slug="nps").status == "on_track"


def test_a_closed_objectives_key_results_show_their_result(world: World, client) -> None:
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(current=1)  # reached
    Objective.objects.filter(pk=world.objective.pk).update(state="closed", state_given=True)
    rescore_organization(world.org, on=DEC_1)  # the period still running: no pace anyway
    statuses = list(
        KeyResult.objects.filter(objective=world.objective)
        .order_by("position")
        .values_list("status", "expected")
    )
    assert statuses == [("at_risk", 1.0), ("on_track", 1.0)]  # 0.4 and 1.0, final
    krs = [kr["status"] for kr in api_objective(world)["key_results"]]
    assert krs == ["at_risk", "on_track"]
    html = page(client, world)
    assert "At risk" in card(html, "week1-activation")
    assert "On track" in card(html, "time-to-value")


def test_a_keep_in_range_key_result_is_charted_at_its_ranges_scale(world: World, client) -> None:
    launch(world)
    uptime = make_key_result(
        world.objective, "uptime", "Keep uptime above 99.5%", type="range",
        healthy_low=99.5, unit="%", position=3,
    )  # fmt: skip
    access = access_org(world.member, "acme", write=True)
    do_check_in(access, uptime, CheckInInput(value=99.7, confidence=8), world.member)
    html = card(page(client, world), "uptime")
    assert "On track" in html
    chart = html[html.index("<svg") : html.index("</svg>")]
    labels = re.findall(r">([^<>]+%)</text>", chart)  # the value axis's ticks
    assert labels[0] == "99.5%" and labels[-1] == "99.7%"
    # A reading right on the range's one end: still at the range's scale, not 75 % to 200 %.
    KeyResult.objects.filter(pk=uptime.pk).update(healthy_low=99.7)
    html = card(page(client, world), "uptime")
    chart = html[html.index("<svg") : html.index("</svg>")]
    ticks = [float(label.rstrip("%")) for label in re.findall(r">([^<>]+%)</text>", chart)]
    assert ticks[0] <= 99.7 <= ticks[-1] and ticks[0] >= 99 and ticks[-1] <= 101


def test_an_unhealthy_guardrail_is_in_the_status_through_the_api_and_the_pages(
    world: World, client
) -> None:
    KeyResult.objects.filter(objective=world.objective).update(current=50)
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(current=1)  # all done
    launch(world)
    rescore_organization(world.org)
    assert Objective.objects.get(pk=world.objective.pk).status == "on_track"
    admin = access_org(world.admin, "acme", write=True)
    do_add_reading(admin, world.kpi, timezone.localdate(), 3.4, world.admin)  # healthy <= 2.5
    stored = Objective.objects.get(pk=world.objective.pk)
    assert (stored.status, stored.status_reason) == ("at_risk", GUARDRAIL)
    data = api_objective(world)
    assert (data["status"], data["status_reason"]) == ("at_risk", GUARDRAIL)
    row = team_row(client, world)
    assert "guardrail-unhealthy" in row and f"At risk: {GUARDRAIL}" in row
    assert f"At risk: {GUARDRAIL}" in summary(page(client, world))
    # Back in range: on track again, with no reason, in the same write.
    do_add_reading(admin, world.kpi, timezone.localdate(), 2.0, world.admin)
    data = api_objective(world)
    assert (data["status"], data["status_reason"]) == ("on_track", None)
    row = team_row(client, world)
    assert "guardrail-unhealthy" not in row and "On track" in row
