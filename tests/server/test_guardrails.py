"""Guardrails: an objective shows its guardrail KPIs' health, and an unhealthy one is in its
status itself (the pill says so, the row turns amber from the same stored status)."""

from __future__ import annotations

from datetime import date

from django.urls import reverse

from constellation.server.kpis.actions import do_add_reading
from constellation.server.orgs.access import access_org
from tests.server.factories import World

BADGE = "guardrail Monthly logo churn outside its healthy range"


def unhealthy(world: World, value: float = 3.4) -> None:
    """A reading of the guardrail KPI out of its healthy range (<= 2.5), through its action."""
    access = access_org(world.admin, world.org.slug)
    do_add_reading(access, world.kpi, date(2026, 11, 10), value, world.admin)


def objective_page(client) -> str:
    url = reverse("objective", kwargs={"org": "acme", "slug": "activation"})
    return client.get(url).content.decode()


def team_page(client) -> str:
    url = reverse("team", kwargs={"org": "acme", "team": "growth"})
    return client.get(url + "?period=2026-Q4").content.decode()


def test_a_healthy_guardrail_shows_on_the_objective_without_amber(client, world: World) -> None:
    client.force_login(world.viewer)
    page = objective_page(client)
    assert 'href="/o/acme/kpis/logo-churn/">Monthly logo churn</a>: 2.1%' in page
    assert "healthy</span>" in page
    assert BADGE not in page
    assert 'class="objective-summary"' in page


def test_an_unhealthy_guardrail_turns_the_objective_amber_with_a_worded_badge(
    client, world: World
) -> None:
    client.force_login(world.member)
    response = client.post(
        reverse("kpi-reading-add", kwargs={"org": "acme", "kpi": "logo-churn"}),
        {"value": "3.4", "date": "2026-11-10"},
    )
    assert response.status_code == 302
    page = objective_page(client)
    assert 'class="objective-summary guardrail-unhealthy"' in page
    # A draft keeps its status (no pace) and says why it is amber.
    assert f"Draft: {BADGE}" in page


def test_the_team_page_marks_the_objectives_row_too(client, world: World) -> None:
    unhealthy(world)
    client.force_login(world.member)
    page = team_page(client)
    assert 'class="objective-row guardrail-unhealthy" data-objective="activation"' in page
    assert BADGE in page


def test_a_guardrail_back_in_range_clears_the_amber(client, world: World) -> None:
    unhealthy(world)
    client.force_login(world.member)
    client.post(
        reverse("kpi-reading-add", kwargs={"org": "acme", "kpi": "logo-churn"}),
        {"value": "1.9", "date": "2026-11-11"},
    )
    assert BADGE not in objective_page(client)
    assert BADGE not in team_page(client)


def test_the_kpi_page_lists_the_objectives_it_guards(client, world: World) -> None:
    client.force_login(world.viewer)
    page = client.get(reverse("kpi", kwargs={"org": "acme", "kpi": "logo-churn"})).content.decode()
    assert "Guardrail of" in page
    assert "New teams get to value in their first week</a>" in page


def test_the_dashboard_marks_the_objective_too(client, world: World) -> None:
    unhealthy(world)
    client.force_login(world.member)
    url = reverse("dashboard", kwargs={"org": "acme"}) + "?period=2026-Q4"
    page = client.get(url).content.decode()
    assert 'class="objective-row guardrail-unhealthy" data-objective="activation"' in page
    assert BADGE in page
