"""The dashboard: a period's objectives by team, with progress, status, grade and findings."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.okrs.models import Objective, Period
from constellation.server.plans.scores import period_view
from constellation.server.strategy.models import Lever
from tests.server.bulk import add_objectives
from tests.server.factories import World, make_objective, make_period


def dashboard_url(org: str = "acme", **query: str) -> str:
    url = reverse("dashboard", kwargs={"org": org})
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def test_it_shows_the_periods_objectives_grouped_by_team(client, world: World) -> None:
    client.force_login(world.member)
    response = client.get(dashboard_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "New teams get to value in their first week" in html
    assert "Customers stay with us" in html
    assert re.search(r'<h2 id="team-company">.*Acme</a></h2>', html)
    assert re.search(r'<h2 id="team-growth">.*Growth</a></h2>', html)
    assert html.index('id="team-company"') < html.index('id="team-growth"')
    assert "Globex secret" not in html


def test_each_objective_has_a_progress_bar_from_the_core_and_a_status_in_words(
    client, world: World
) -> None:
    client.force_login(world.member)
    html = client.get(dashboard_url()).content.decode()
    score = period_view(world.org, world.period).scores["activation"]
    assert f'style="width: {score.progress * 100:.1f}%"' in html
    labels = {
        "on_track": "On track",
        "at_risk": "At risk",
        "off_track": "Off track",
        "not_started": "Not started",
        "draft": "Draft",
    }
    row = html[html.index('data-objective="activation"') :]
    row = row[: row.index("</tr>")]
    assert labels[score.status] in row
    assert f"{score.grade.value:.1f}" in row
    assert "draft" in row


def test_it_counts_findings_and_links_them_to_the_objective(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(dashboard_url()).content.decode()
    view = period_view(world.org, world.period)
    count = len(view.findings_by_objective.get("retention", []))
    assert count > 0  # retention has no key result: the coach says so
    link = reverse("objective", kwargs={"org": "acme", "slug": "retention"}) + "#findings"
    assert f'href="{link}">{count} finding' in html


def test_findings_about_a_team_or_the_whole_plan_are_shown(client, world: World) -> None:
    Lever.objects.create(organization=world.org, slug="enterprise", title="Win enterprise deals")
    Objective.objects.filter(slug="retention").update(title="Margins improve", focus="business")
    client.force_login(world.member)
    html = client.get(dashboard_url()).content.decode()
    plan = html[html.index('id="org-findings"') :]
    assert "unmodelled-lever" in plan[: plan.index("</section>")]
    team = reverse("team", kwargs={"org": "acme", "team": "company"})
    assert f'href="{team}?period=2026-Q4#team-findings">1 finding about the team</a>' in html


def test_the_summary_counts_objectives_statuses_and_findings(client, world: World) -> None:
    client.force_login(world.member)
    response = client.get(dashboard_url())
    summary = response.context["summary"]
    view = period_view(world.org, world.period)
    statuses = [view.scores[slug].status for slug in ("activation", "retention")]
    assert summary.objectives == 2
    paced = summary.on_track + summary.at_risk + summary.off_track
    assert paced + summary.not_started + summary.draft == 2
    assert summary.on_track == statuses.count("on_track")
    assert summary.draft == statuses.count("draft") == 2  # neither is launched yet
    expected = sum(view.scores[s].progress for s in ("activation", "retention")) / 2
    assert summary.average_progress == pytest.approx(expected)
    assert summary.findings >= 1
    assert "Average progress" in response.content.decode()


def test_the_period_selector_shows_another_period(client, world: World) -> None:
    earlier = make_period(world.org, "2026-Q3")
    make_objective(world.org, world.team, earlier, "old-one", "Teams trusted last quarter's data")
    client.force_login(world.member)
    html = client.get(dashboard_url(period="2026-Q3")).content.decode()
    assert "Teams trusted last quarter&#x27;s data" in html
    assert "New teams get to value" not in html
    assert '<option value="2026-Q3" selected>' in html
    assert '<option value="2026-Q4">' in html


def test_it_defaults_to_the_current_period(client, world: World) -> None:
    make_period(world.org, "2020-Q1")
    client.force_login(world.member)
    response = client.get(dashboard_url())
    assert response.context["period"].key == "2026-Q4"


def test_an_unknown_period_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(dashboard_url(period="1999-Q1")).status_code == 404


def test_an_organisation_with_no_period_says_so(client, world: World) -> None:
    Objective.objects.filter(organization=world.other_org).delete()
    Period.objects.filter(organization=world.other_org).delete()
    client.force_login(world.outsider)
    response = client.get(dashboard_url("globex"))
    assert response.status_code == 200
    assert "No period yet" in response.content.decode()


def test_a_viewer_sees_the_dashboard(client, world: World) -> None:
    client.force_login(world.viewer)
    assert client.get(dashboard_url()).status_code == 200


def test_an_outsider_gets_404(client, world: World) -> None:
    client.force_login(world.outsider)
    response = client.get(dashboard_url())
    assert response.status_code == 404
    assert b"Acme" not in response.content


def test_someone_signed_out_is_sent_to_log_in(client, world: World) -> None:
    response = client.get(dashboard_url())
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def _queries(client, url: str, *, cached: bool) -> tuple[int, object]:
    """Queries of one request (`cached`: the same request again, nothing is kept between)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    return len(captured), response


def test_the_query_count_is_the_same_for_70_and_500_objectives(client, world: World) -> None:
    client.force_login(world.member)
    add_objectives(world, 70)
    client.get(dashboard_url())  # warm caches (content types, session) out of the count
    few_cold, response = _queries(client, dashboard_url(), cached=False)
    few_warm, _ = _queries(client, dashboard_url(), cached=True)
    assert response.context["summary"].objectives == 72
    add_objectives(world, 430, start=70)
    client.get(dashboard_url())  # the bulk rows are scored at the first read after them
    many_cold, response = _queries(client, dashboard_url(), cached=False)
    many_warm, _ = _queries(client, dashboard_url(), cached=True)
    assert response.context["summary"].objectives == 502
    assert (many_cold, many_warm) == (few_cold, few_warm)
    assert few_warm == few_cold <= 20
