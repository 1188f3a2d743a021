"""The caller's organisations and each one's teams, levers, KPIs and periods."""

from __future__ import annotations

import pytest

from constellation.server.orgs.models import Membership
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import PASSWORD, World, make_period

pytestmark = pytest.mark.django_db

LISTS = ("teams", "levers", "kpis", "periods")


def test_it_lists_the_organisations_of_a_session_with_the_role_in_each(world: World) -> None:
    Membership.objects.create(organization=world.other_org, user=world.viewer, role="member")
    client = ApiClient()
    client.client.login(username="viewer", password=PASSWORD)
    assert client.get("/orgs").data == [
        {"slug": "acme", "name": "Acme Analytics", "role": "viewer"},
        {"slug": "globex", "name": "Globex", "role": "member"},
    ]


def test_it_lists_teams_levers_kpis_and_periods(world: World) -> None:
    make_period(world.org, "2026-Q3")
    client = client_for(world.viewer, world.org)
    teams = client.get("/orgs/acme/teams").data
    assert {"id": "growth", "name": "Growth", "parent": "company", "phase": None} in teams
    levers = client.get("/orgs/acme/levers").data
    assert levers == [{"id": "self-serve", "title": "Win self-serve", "description": ""}]
    [kpi] = client.get("/orgs/acme/kpis").data
    assert (kpi["id"], kpi["healthy_high"], kpi["current"], kpi["healthy"]) == (
        "logo-churn",
        2.5,
        2.1,
        True,
    )
    periods = client.get("/orgs/acme/periods").data
    assert [p["key"] for p in periods] == ["2026-Q3", "2026-Q4"]
    assert [p["key"] for p in periods if p["current"]] in (["2026-Q4"], ["2026-Q3"])


@pytest.mark.parametrize("name", LISTS)
def test_outsiders_get_404_and_anonymous_callers_401(world: World, name: str) -> None:
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get(f"/orgs/acme/{name}").status_code == 404
    assert outsider.get(f"/orgs/globex/{name}").status_code == 200
    assert ApiClient().get(f"/orgs/acme/{name}").status_code == 401
    assert ApiClient().get("/orgs").status_code == 401
