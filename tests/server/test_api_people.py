"""The people endpoints: members, roles, deactivation and invitations, for owners and admins."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from constellation.server.audit.models import AuditEvent
from constellation.server.orgs.models import Membership
from constellation.server.people.models import Invitation
from tests.server.api_helpers import client_for
from tests.server.factories import World, make_user


@pytest.fixture
def owner(world: World) -> User:
    """The organisation's one owner."""
    person = make_user("owner")
    Membership.objects.create(organization=world.org, user=person, role="owner")
    return person


def role_of(world: World, user: User) -> str:
    return Membership.objects.get(organization=world.org, user=user).role


def test_every_member_lists_the_people_with_roles_and_teams(world: World) -> None:
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    response = client_for(world.viewer, world.org).get("/orgs/acme/members")
    assert response.status_code == 200
    people = {person["username"]: person for person in response.data}
    assert set(people) == {"admin", "leader", "member", "viewer"}
    assert people["member"]["teams"] == ["growth"]
    assert people["member"]["active"] is True
    assert people["viewer"]["role"] == "viewer"


def test_the_member_list_runs_the_same_queries_for_few_and_many(world: World) -> None:
    client = client_for(world.admin, world.org)
    client.get("/orgs/acme/members")
    with CaptureQueriesContext(connection) as few:
        client.get("/orgs/acme/members")
    for number in range(20):
        person = make_user(f"person{number}")
        joined = Membership.objects.create(organization=world.org, user=person)
        joined.teams.add(world.team)
    with CaptureQueriesContext(connection) as many:
        assert len(client.get("/orgs/acme/members").data) == 24
    assert len(many) == len(few)


def test_an_admin_changes_a_role_and_deactivates_and_reactivates_a_person(world: World) -> None:
    client = client_for(world.admin, world.org)
    changed = client.patch("/orgs/acme/members/member", {"role": "leader"})
    assert changed.status_code == 200 and changed.data["role"] == "leader"
    gone = client.delete("/orgs/acme/members/member")
    assert gone.status_code == 200
    assert gone.data["member"]["active"] is False
    assert [o["id"] for o in gone.data["objectives"]] == ["activation"]
    assert [kr["id"] for kr in gone.data["key_results"]] == ["activation/week1-activation"]
    world.member.refresh_from_db()
    assert world.member.is_active is False
    back = client.patch("/orgs/acme/members/member", {"active": True})
    assert back.status_code == 200 and back.data["active"] is True
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"change_role", "deactivate", "reactivate"} <= actions


def test_deactivating_through_the_api_revokes_the_persons_tokens_for_good(world: World) -> None:
    theirs = client_for(world.member, world.org)
    assert theirs.get("/orgs/acme/teams").status_code == 200
    admin = client_for(world.admin, world.org)
    assert admin.patch("/orgs/acme/members/member", {"active": False}).status_code == 200
    assert admin.patch("/orgs/acme/members/member", {"active": True}).status_code == 200
    # Back in, the old token still opens nothing: they make a new one.
    assert theirs.get("/orgs/acme/teams").status_code == 401
    assert AuditEvent.objects.filter(action="revoke_token").count() == 1


def test_members_and_viewers_change_nobody_with_the_reason(world: World) -> None:
    for person in (world.leader, world.member, world.viewer):
        client = client_for(person, world.org)
        response = client.patch("/orgs/acme/members/viewer", {"role": "admin"})
        assert response.status_code == 403, person
        assert response.data["detail"]
        assert client.delete("/orgs/acme/members/viewer").status_code == 403
        assert client.get("/orgs/acme/invitations").status_code == 403
        sent = client.post("/orgs/acme/invitations", {"emails": ["ada@example.com"]})
        assert sent.status_code == 403
    assert role_of(world, world.viewer) == "viewer"
    assert not Invitation.objects.exists()


def test_the_role_rules_answer_403_and_422_naming_the_field(world: World, owner: User) -> None:
    admin = client_for(world.admin, world.org)
    assert admin.patch("/orgs/acme/members/owner", {"role": "admin"}).status_code == 403
    assert admin.patch("/orgs/acme/members/member", {"role": "owner"}).status_code == 403
    own = admin.patch("/orgs/acme/members/admin", {"role": "viewer"})
    assert own.status_code == 403 and "themselves" in own.data["detail"]
    bad = admin.patch("/orgs/acme/members/member", {"role": "boss"})
    assert bad.status_code == 422
    assert admin.patch("/orgs/acme/members/nobody", {"role": "member"}).status_code == 404
    promoted = client_for(owner, world.org).patch("/orgs/acme/members/admin", {"role": "owner"})
    assert promoted.status_code == 200
    assert role_of(world, world.admin) == "owner"


def test_an_outsider_gets_404(world: World) -> None:
    client = client_for(world.outsider, world.other_org)
    assert client.get("/orgs/acme/members").status_code == 404
    assert client.patch("/orgs/acme/members/member", {"role": "viewer"}).status_code == 404


def test_an_admin_invites_lists_and_revokes_invitations(
    world: World, mailoutbox: list, django_capture_on_commit_callbacks: Any
) -> None:
    client = client_for(world.admin, world.org)
    body = {"emails": ["ada@example.com", "bob@example.com"], "role": "viewer", "teams": ["growth"]}
    with django_capture_on_commit_callbacks(execute=True):
        made = client.post("/orgs/acme/invitations", body)
    assert made.status_code == 201
    assert [i["email"] for i in made.data] == ["ada@example.com", "bob@example.com"]
    assert made.data[0]["teams"] == ["growth"] and made.data[0]["state"] == "pending"
    assert len(mailoutbox) == 2
    listed = client.get("/orgs/acme/invitations")
    assert {i["email"] for i in listed.data} == {"ada@example.com", "bob@example.com"}
    first = made.data[0]["id"]
    assert client.delete(f"/orgs/acme/invitations/{first}").status_code == 204
    assert [i["email"] for i in client.get("/orgs/acme/invitations").data] == ["bob@example.com"]
    assert client.delete(f"/orgs/acme/invitations/{first}").status_code == 422


def test_bad_invitations_are_422_naming_the_field(world: World) -> None:
    client = client_for(world.admin, world.org)
    bad = client.post("/orgs/acme/invitations", {"emails": ["ada@example.com", "nope"]})
    assert bad.status_code == 422
    assert bad.data["errors"][0]["path"] == "$.emails"
    assert "nope" in bad.data["errors"][0]["msg"]
    team = client.post("/orgs/acme/invitations", {"emails": ["a@example.com"], "teams": ["x"]})
    assert team.status_code == 422 and team.data["errors"][0]["path"] == "$.teams"
    member = client.post("/orgs/acme/invitations", {"emails": ["member@example.com"]})
    assert member.status_code == 422
    assert not Invitation.objects.exists()
    assert (
        client.post("/orgs/acme/invitations", {"emails": ["a@b.co"], "role": "owner"}).status_code
        == 403
    )


def test_another_organisations_invitation_is_404(world: World, owner: User) -> None:
    from constellation.server.orgs.access import access_org
    from constellation.server.people.actions import do_invite

    outsider = access_org(world.outsider, "globex")
    (theirs,) = do_invite(outsider, ["x@globex.example"], "member", [], world.outsider)
    client = client_for(world.admin, world.org)
    assert client.delete(f"/orgs/acme/invitations/{theirs.pk}").status_code == 404
    assert Invitation.objects.get(pk=theirs.pk).revoked_at is None
