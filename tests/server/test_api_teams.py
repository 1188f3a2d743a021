"""The teams endpoints: the org chart with leads and members, and managing teams."""

from __future__ import annotations

import pytest

from constellation.server.audit.models import AuditEvent
from constellation.server.orgs.models import Membership, Team
from tests.server.api_helpers import ApiClient, client_for
from tests.server.factories import World

pytestmark = pytest.mark.django_db


def membership(world: World, user) -> Membership:
    return Membership.objects.get(organization=world.org, user=user)


def test_the_list_keeps_its_shape(world: World) -> None:
    teams = client_for(world.viewer, world.org).get("/orgs/acme/teams").data
    assert {"id": "growth", "name": "Growth", "parent": "company", "phase": None} in teams


def test_one_team_comes_with_its_lead_and_members(world: World) -> None:
    Team.objects.filter(pk=world.team.pk).update(lead=world.member)
    membership(world, world.leader).teams.add(world.team)
    data = client_for(world.viewer, world.org).get("/orgs/acme/teams/growth").data
    assert data["lead"] == "member"
    assert data["members"] == [{"username": "leader", "name": "leader", "role": "leader"}]
    assert (data["parent"], data["archived"]) == ("company", False)


def test_an_admin_creates_a_team(world: World) -> None:
    client = client_for(world.admin, world.org)
    response = client.post(
        "/orgs/acme/teams", {"name": "Data Platform", "parent": "growth", "lead": "member"}
    )
    assert response.status_code == 201
    assert (response.data["id"], response.data["lead"]) == ("data-platform", "member")
    assert Team.objects.get(slug="data-platform").parent == world.team
    listed = client.get("/orgs/acme/teams").data
    assert "data-platform" in [team["id"] for team in listed]


def test_creating_refuses_a_taken_slug_and_unknown_names_with_422(world: World) -> None:
    client = client_for(world.admin, world.org)
    taken = client.post("/orgs/acme/teams", {"name": "G", "id": "growth"})
    assert taken.status_code == 422
    assert taken.data["errors"][0]["loc"] == ["body", "slug"]
    unknown = client.post("/orgs/acme/teams", {"name": "G", "lead": "nobody"})
    assert unknown.status_code == 422
    assert unknown.data["errors"][0]["loc"] == ["body", "lead"]


def test_members_and_viewers_cannot_create_teams(world: World) -> None:
    member = client_for(world.member, world.org).post("/orgs/acme/teams", {"name": "Mine"})
    assert member.status_code == 403
    assert "owners and admins" in member.data["detail"]
    viewer = client_for(world.viewer, world.org).post("/orgs/acme/teams", {"name": "Mine"})
    assert viewer.status_code == 403
    assert not Team.objects.filter(name="Mine").exists()


def test_an_admin_renames_moves_sets_the_lead_and_the_members(world: World) -> None:
    client = client_for(world.admin, world.org)
    response = client.patch(
        "/orgs/acme/teams/growth",
        {"name": "Growth Squad", "parent": None, "lead": "leader", "members": ["member", "leader"]},
    )
    assert response.status_code == 200
    data = response.data
    assert (data["name"], data["parent"], data["lead"]) == ("Growth Squad", None, "leader")
    assert [m["username"] for m in data["members"]] == ["leader", "member"]
    trimmed = client.patch("/orgs/acme/teams/growth", {"members": ["member"]}).data
    assert [m["username"] for m in trimmed["members"]] == ["member"]
    assert AuditEvent.objects.filter(action="remove_member", object_id=world.team.pk).exists()


def test_a_cycle_is_refused_with_422_on_parent(world: World) -> None:
    response = client_for(world.admin, world.org).patch(
        "/orgs/acme/teams/company", {"parent": "growth"}
    )
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["body", "parent"]
    assert Team.objects.get(slug="company").parent is None


def test_a_lead_renames_and_staffs_their_team_but_does_not_move_it(world: World) -> None:
    Team.objects.filter(pk=world.team.pk).update(lead=world.member)
    client = client_for(world.member, world.org)
    ok = client.patch("/orgs/acme/teams/growth", {"name": "Growth Squad", "members": ["leader"]})
    assert ok.status_code == 200
    assert [m["username"] for m in ok.data["members"]] == ["leader"]
    refused = client.patch("/orgs/acme/teams/growth", {"name": "Again", "parent": None})
    assert refused.status_code == 403
    assert Team.objects.get(pk=world.team.pk).name == "Growth Squad"
    assert Team.objects.get(pk=world.team.pk).parent is not None
    assert client.delete("/orgs/acme/teams/growth").status_code == 403


def test_a_member_of_another_team_is_refused_and_nothing_changes(world: World) -> None:
    Team.objects.filter(pk=world.team.pk).update(lead=world.member)
    client = client_for(world.member, world.org)
    before = AuditEvent.objects.count()
    response = client.patch("/orgs/acme/teams/company", {"members": ["member"]})
    assert response.status_code == 403
    assert "ask an admin" in response.data["detail"]
    assert client.patch("/orgs/acme/teams/company", {"name": "Mine"}).status_code == 403
    assert not membership(world, world.member).teams.exists()
    assert Team.objects.get(slug="company").name == "Acme"
    assert AuditEvent.objects.count() == before


def test_unknown_members_are_refused_naming_each_one(world: World) -> None:
    response = client_for(world.admin, world.org).patch(
        "/orgs/acme/teams/growth", {"name": "Renamed", "members": ["member", "ghost"]}
    )
    assert response.status_code == 422
    assert response.data["errors"][0]["loc"] == ["body", "members", 1]
    assert Team.objects.get(pk=world.team.pk).name == "Growth"


def test_delete_archives_and_the_team_stays_readable(world: World) -> None:
    client = client_for(world.admin, world.org)
    assert client.delete("/orgs/acme/teams/growth").status_code == 204
    data = client.get("/orgs/acme/teams/growth").data
    assert data["archived"] is True
    objectives = client.get("/orgs/acme/objectives", team="growth").data
    assert objectives is not None


def test_patch_brings_an_archived_team_back_for_admins_only(world: World) -> None:
    Team.objects.filter(pk=world.team.pk).update(lead=world.member)
    admin = client_for(world.admin, world.org)
    admin.delete("/orgs/acme/teams/growth")
    lead = client_for(world.member, world.org)
    refused = lead.patch("/orgs/acme/teams/growth", {"name": "Back", "archived": False})
    assert refused.status_code == 403
    assert Team.objects.get(pk=world.team.pk).name == "Growth"
    back = admin.patch("/orgs/acme/teams/growth", {"archived": False})
    assert back.status_code == 200
    assert back.data["archived"] is False


def test_an_archived_team_takes_no_new_objective_through_the_api(world: World) -> None:
    client = client_for(world.admin, world.org)
    client.delete("/orgs/acme/teams/growth")
    response = client.post(
        "/orgs/acme/objectives", {"title": "Something new", "team": "growth", "period": "2026-Q4"}
    )
    assert response.status_code == 422
    assert "archived" in response.data["errors"][0]["msg"]


def test_a_new_team_takes_objectives_through_the_api_at_once(world: World) -> None:
    client = client_for(world.admin, world.org)
    client.post("/orgs/acme/teams", {"name": "Fresh"})
    response = client.post(
        "/orgs/acme/objectives", {"title": "Fresh team ships weekly", "team": "fresh"}
    )
    assert response.status_code == 201


def test_outsiders_get_404_and_anonymous_callers_401(world: World) -> None:
    outsider = client_for(world.outsider, world.other_org)
    assert outsider.get("/orgs/acme/teams/growth").status_code == 404
    assert outsider.patch("/orgs/acme/teams/growth", {"name": "X"}).status_code == 404
    assert outsider.delete("/orgs/acme/teams/growth").status_code == 404
    assert outsider.get("/orgs/globex/teams/growth").status_code == 200
    assert ApiClient().get("/orgs/acme/teams/growth").status_code == 401
    assert client_for(world.viewer, world.org).get("/orgs/acme/teams/nope").status_code == 404


def test_a_patch_with_a_stale_version_is_a_409_and_changes_nothing(world: World) -> None:
    client = client_for(world.admin, world.org)
    seen = client.get("/orgs/acme/teams/growth").data["version"]
    first = client.patch("/orgs/acme/teams/growth", {"name": "Growth One", "version": seen})
    assert first.status_code == 200 and first.data["version"] == seen + 1
    stale = client.patch("/orgs/acme/teams/growth", {"name": "Growth Two", "version": seen})
    assert stale.status_code == 409 and stale.data["current_version"] == seen + 1
    assert client.get("/orgs/acme/teams/growth").data["name"] == "Growth One"
