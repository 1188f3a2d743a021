"""The team page: its place in the org chart, objectives, team findings and members."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership, Team
from tests.server.bulk import add_objectives
from tests.server.factories import World


def team_url(team: str = "growth", org: str = "acme") -> str:
    return reverse("team", kwargs={"org": org, "team": team})


def test_it_shows_the_parent_children_and_members(client, world: World) -> None:
    Team.objects.create(
        organization=world.org, slug="onboarding", name="Onboarding", parent=world.team
    )
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    client.force_login(world.member)
    response = client.get(team_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1>Growth" in html
    assert f'href="{team_url("company")}">Acme</a>' in html
    assert f'href="{team_url("onboarding")}">Onboarding</a>' in html
    assert 'member <span class="muted">(member)</span>' in html
    assert "viewer" not in html.split('id="members"')[1].split("</section>")[0]


def test_it_lists_only_the_teams_objectives_with_progress(client, world: World) -> None:
    client.force_login(world.member)
    html = client.get(team_url()).content.decode()
    assert "New teams get to value in their first week" in html
    assert "Customers stay with us" not in html
    assert 'class="progress-fill" style="width: ' in html


def test_it_shows_team_level_findings(client, world: World) -> None:
    Objective.objects.filter(slug="retention").update(
        title="Margins improve on every plan", focus="business"
    )
    client.force_login(world.member)
    html = client.get(team_url("company")).content.decode()
    # The company's only objective is about the business: the coach asks for balance.
    assert "customer-balance" in html
    findings = html.split('id="team-findings"')[1]
    assert "Hint:" in findings


def test_an_unknown_team_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(team_url("nobody")).status_code == 404


def test_another_organisations_team_is_not_found(client, world: World) -> None:
    client.force_login(world.member)
    assert client.get(team_url("growth", org="globex")).status_code == 404


def test_an_outsider_gets_404(client, world: World) -> None:
    client.force_login(world.outsider)
    assert client.get(team_url()).status_code == 404


def test_a_viewer_sees_the_team(client, world: World) -> None:
    client.force_login(world.viewer)
    assert client.get(team_url()).status_code == 200


def test_the_query_count_is_the_same_for_10_and_500_objectives(client, world: World) -> None:
    client.force_login(world.member)
    add_objectives(world, 20)
    client.get(team_url())
    with CaptureQueriesContext(connection) as few:
        response = client.get(team_url())
    assert len(response.context["rows"]) == 11
    add_objectives(world, 980, start=20)
    with CaptureQueriesContext(connection) as many:
        response = client.get(team_url())
    assert len(response.context["rows"]) == 501
    assert len(many) == len(few)
