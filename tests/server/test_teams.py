"""Managing teams: creating, renaming, moving, archiving and staffing them, on every face."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed, ReadOnly
from constellation.server.orgs.access import access_org, active_teams_of
from constellation.server.orgs.actions import (
    TeamEdit,
    TeamInput,
    do_add_team_member,
    do_archive_team,
    do_create_team,
    do_edit_team,
    do_remove_team_member,
    do_unarchive_team,
)
from constellation.server.orgs.models import Membership, Team
from tests.server.factories import World, make_user

pytestmark = pytest.mark.django_db


def access_of(user):
    return access_org(user, "acme")


def membership(world: World, user) -> Membership:
    return Membership.objects.get(organization=world.org, user=user)


def make_lead(world: World) -> None:
    """The member leads Growth."""
    Team.objects.filter(pk=world.team.pk).update(lead=world.member)
    world.team.refresh_from_db()


def teams_url(org: str = "acme") -> str:
    return reverse("teams", kwargs={"org": org})


def version_of(slug: str) -> int:
    return Team.objects.get(organization__slug="acme", slug=slug).version


def settings_url(team: str = "growth") -> str:
    return reverse("team-settings", kwargs={"org": "acme", "team": team})


def members_url(team: str = "growth") -> str:
    return reverse("team-members", kwargs={"org": "acme", "team": team})


def archive_url(team: str = "growth") -> str:
    return reverse("team-archive", kwargs={"org": "acme", "team": team})


# The actions.


def test_an_admin_creates_a_team_with_a_slug_from_its_name_and_an_audit_event(
    world: World,
) -> None:
    team = do_create_team(
        access_of(world.admin),
        TeamInput(name="Data Platform", parent=world.team, lead=world.member),
        world.admin,
    )
    assert (team.slug, team.parent, team.lead) == ("data-platform", world.team, world.member)
    event = AuditEvent.objects.get(action="create", object_type="team")
    assert event.after["name"] == "Data Platform"
    again = do_create_team(access_of(world.admin), TeamInput(name="Data Platform"), world.admin)
    assert again.slug == "data-platform-2"


def test_it_refuses_a_slug_the_organisation_already_has(world: World) -> None:
    with pytest.raises(ActionError) as refused:
        do_create_team(access_of(world.admin), TeamInput(name="G", slug="growth"), world.admin)
    assert refused.value.field == "slug"


def test_only_admins_create_teams(world: World) -> None:
    for user in (world.member, world.leader):
        with pytest.raises(NotAllowed):
            do_create_team(access_of(user), TeamInput(name="Mine"), user)
    with pytest.raises(ReadOnly):
        do_create_team(access_of(world.viewer), TeamInput(name="Mine"), world.viewer)
    assert not Team.objects.filter(name="Mine").exists()


def test_it_refuses_cycles(world: World) -> None:
    company = world.team.parent
    child = Team.objects.create(organization=world.org, slug="kids", name="Kids", parent=world.team)
    admin = access_of(world.admin)
    for parent in (child, world.team):
        with pytest.raises(ActionError) as refused:
            do_edit_team(admin, company, TeamEdit(parent=parent), world.admin)
        assert refused.value.field == "parent"
    with pytest.raises(ActionError):
        do_edit_team(admin, world.team, TeamEdit(parent=world.team), world.admin)
    company.refresh_from_db()
    assert company.parent is None
    moved = do_edit_team(admin, child, TeamEdit(parent=company), world.admin)
    assert moved.parent == company


def test_the_lead_must_be_a_member_of_the_organisation(world: World) -> None:
    with pytest.raises(ActionError) as refused:
        do_edit_team(access_of(world.admin), world.team, TeamEdit(lead=world.outsider), world.admin)
    assert refused.value.field == "lead"
    do_edit_team(access_of(world.admin), world.team, TeamEdit(lead=world.leader), world.admin)
    assert Team.objects.get(pk=world.team.pk).lead == world.leader


def test_a_lead_renames_and_staffs_their_own_team_and_nothing_more(world: World) -> None:
    make_lead(world)
    lead = access_of(world.member)
    renamed = do_edit_team(lead, world.team, TeamEdit(name="Growth Squad"), world.member)
    assert renamed.name == "Growth Squad"
    do_add_team_member(lead, renamed, membership(world, world.leader), world.member)
    assert membership(world, world.leader).teams.filter(pk=world.team.pk).exists()
    do_remove_team_member(lead, renamed, membership(world, world.leader), world.member)
    assert not membership(world, world.leader).teams.exists()
    for edit in (TeamEdit(parent=None), TeamEdit(lead=world.leader), TeamEdit(phase="mature")):
        with pytest.raises(NotAllowed):
            do_edit_team(lead, renamed, edit, world.member)
    with pytest.raises(NotAllowed):
        do_archive_team(lead, renamed, world.member)
    company = Team.objects.get(slug="company")
    with pytest.raises(NotAllowed):
        do_edit_team(lead, company, TeamEdit(name="Mine now"), world.member)
    with pytest.raises(NotAllowed):
        do_add_team_member(lead, company, membership(world, world.member), world.member)
    assert Team.objects.get(slug="company").name == "Acme"


def test_a_member_of_a_team_cannot_manage_it(world: World) -> None:
    membership(world, world.member).teams.add(world.team)
    with pytest.raises(NotAllowed):
        do_edit_team(access_of(world.member), world.team, TeamEdit(name="X"), world.member)
    with pytest.raises(NotAllowed):
        do_add_team_member(
            access_of(world.member), world.team, membership(world, world.leader), world.member
        )
    assert Team.objects.get(pk=world.team.pk).name == "Growth"


def test_archiving_keeps_the_team_and_takes_it_out_of_drafting(world: World) -> None:
    admin = access_of(world.admin)
    archived = do_archive_team(admin, world.team, world.admin)
    assert archived.archived_at is not None
    assert world.team not in active_teams_of(admin)
    assert world.team in active_teams_of(admin, world.team.pk)
    assert AuditEvent.objects.filter(action="archive", object_id=world.team.pk).exists()
    back = do_unarchive_team(admin, archived, world.admin)
    assert back.archived_at is None
    assert world.team in active_teams_of(admin)


# The pages.


def test_the_teams_page_shows_the_tree_leads_members_and_my_teams_first(
    client, world: World
) -> None:
    make_lead(world)
    membership(world, world.leader).teams.add(world.team)
    client.force_login(world.member)
    html = client.get(teams_url()).content.decode()
    mine = html.split('id="my-teams"')[1].split("</section>")[0]
    assert "Growth" in mine and "Acme</a>" not in mine
    tree = html.split('id="team-tree"')[1].split("</section>")[0]
    assert tree.index(">Acme</a>") < tree.index(">Growth</a>")
    assert 'style="margin-left: 1.5rem"><a href="/o/acme/teams/growth/">' in tree
    assert "lead member" in tree and "leader" in tree
    assert 'id="new-team"' not in html
    assert 'href="/o/acme/teams/"' in html  # in the navigation


def test_archived_teams_are_in_their_own_collapsed_section(client, world: World) -> None:
    do_archive_team(access_of(world.admin), world.team, world.admin)
    client.force_login(world.viewer)
    html = client.get(teams_url()).content.decode()
    archived = html.split('<details class="card" id="archived-teams">')[1].split("</details>")[0]
    assert ">Growth</a>" in archived
    assert ">Growth</a>" not in html.split('id="team-tree"')[1].split("</section>")[0]
    page = client.get(reverse("team", kwargs={"org": "acme", "team": "growth"}))
    assert page.status_code == 200
    assert "New teams get to value in their first week" in page.content.decode()


def test_an_admin_creates_a_team_from_the_page(client, world: World) -> None:
    client.force_login(world.admin)
    assert 'id="new-team"' in client.get(teams_url()).content.decode()
    response = client.post(
        teams_url(), {"name": "Platform", "slug": "", "parent": world.team.pk, "lead": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == "/o/acme/teams/platform/"
    assert Team.objects.get(slug="platform").parent == world.team


def test_a_refused_new_team_keeps_what_was_typed(client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(teams_url(), {"name": "Another growth", "slug": "growth"})
    assert response.status_code == 422
    html = response.content.decode()
    assert 'value="Another growth"' in html
    assert "already has a team" in html


def test_a_member_cannot_create_a_team(client, world: World) -> None:
    client.force_login(world.member)
    assert client.post(teams_url(), {"name": "Sneaky"}).status_code == 403
    assert not Team.objects.filter(name="Sneaky").exists()


def test_the_query_count_is_the_same_for_3_and_30_teams(client, world: World) -> None:
    client.force_login(world.admin)

    def add(count: int) -> None:
        for number in range(count):
            team = Team.objects.create(
                organization=world.org,
                slug=f"t{Team.objects.count()}",
                name=f"T{number}",
                parent=world.team,
                lead=world.member,
            )
            membership(world, world.leader).teams.add(team)

    add(1)
    client.get(teams_url())
    with CaptureQueriesContext(connection) as few:
        assert client.get(teams_url()).status_code == 200
    add(27)
    with CaptureQueriesContext(connection) as many:
        assert client.get(teams_url()).status_code == 200
    assert len(many) == len(few)


def test_the_team_page_offers_manage_to_admins_and_its_lead_only(client, world: World) -> None:
    make_lead(world)
    page = reverse("team", kwargs={"org": "acme", "team": "growth"})
    for user, shown in ((world.admin, True), (world.member, True), (world.leader, False)):
        client.force_login(user)
        assert ('id="manage"' in client.get(page).content.decode()) is shown
    client.force_login(world.leader)
    assert client.get(settings_url()).status_code == 302


def test_an_admin_moves_sets_the_lead_and_archives_on_the_settings_page(
    client, world: World
) -> None:
    other = Team.objects.create(organization=world.org, slug="other", name="Other")
    client.force_login(world.admin)
    html = client.get(settings_url()).content.decode()
    assert 'name="parent"' in html and 'id="team-archive"' in html
    response = client.post(
        settings_url(),
        {
            "name": "Growth",
            "parent": other.pk,
            "lead": world.leader.pk,
            "phase": "growth",
            "version": version_of("growth"),
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(pk=world.team.pk)
    assert (team.parent, team.lead, team.phase) == (other, world.leader, "growth")
    assert client.post(archive_url()).status_code == 302
    assert Team.objects.get(pk=world.team.pk).archived_at is not None
    client.post(archive_url(), {"restore": "yes"})
    assert Team.objects.get(pk=world.team.pk).archived_at is None


def test_a_cycle_is_refused_on_the_page_keeping_what_was_typed(client, world: World) -> None:
    client.force_login(world.admin)
    response = client.post(
        settings_url("company"),
        {"name": "Acme renamed", "parent": world.team.pk, "version": version_of("company")},
    )
    assert response.status_code == 422
    html = response.content.decode()
    assert "cannot sit under itself" in html
    assert 'value="Acme renamed"' in html
    assert Team.objects.get(slug="company").name == "Acme"


def test_a_lead_renames_and_staffs_their_team_on_the_page(client, world: World) -> None:
    make_lead(world)
    client.force_login(world.member)
    html = client.get(settings_url()).content.decode()
    assert 'name="parent"' not in html and 'id="team-archive"' not in html
    renamed = {"name": "Growth Squad", "version": version_of("growth")}
    assert client.post(settings_url(), renamed).status_code == 302
    assert Team.objects.get(pk=world.team.pk).name == "Growth Squad"
    assert client.post(members_url(), {"username": "leader"}).status_code == 302
    assert membership(world, world.leader).teams.filter(pk=world.team.pk).exists()
    response = client.post(members_url(), {"username": "leader", "remove": "yes"})
    assert response.status_code == 302
    assert not membership(world, world.leader).teams.exists()
    # Extra fields a lead may not set are not read: the parent stays.
    client.post(settings_url(), {"name": "Growth", "parent": "", "version": version_of("growth")})
    assert Team.objects.get(pk=world.team.pk).parent is not None
    assert client.post(archive_url()).status_code == 403
    assert Team.objects.get(pk=world.team.pk).archived_at is None


def test_a_member_of_another_team_is_refused_and_nothing_changes(client, world: World) -> None:
    make_lead(world)
    before = AuditEvent.objects.count()
    client.force_login(world.member)
    assert client.post(settings_url("company"), {"name": "Mine"}).status_code == 403
    assert client.post(members_url("company"), {"username": "member"}).status_code == 403
    assert client.post(archive_url("company")).status_code == 403
    assert Team.objects.get(slug="company").name == "Acme"
    assert not membership(world, world.member).teams.exists()
    assert AuditEvent.objects.count() == before


def test_adding_an_unknown_person_is_refused_naming_the_field(client, world: World) -> None:
    make_user("stranger")
    client.force_login(world.admin)
    response = client.post(members_url(), {"username": "stranger"})
    assert response.status_code == 422
    assert "no member of this organisation" in response.content.decode()


# Drafting and the dashboard use teams at once.


def test_a_new_team_is_offered_for_drafting_at_once_and_an_archived_one_is_not(
    client, world: World
) -> None:
    do_create_team(access_of(world.admin), TeamInput(name="Fresh"), world.admin)
    do_archive_team(access_of(world.admin), world.team, world.admin)
    client.force_login(world.admin)
    html = client.get(reverse("objective-new", kwargs={"org": "acme"})).content.decode()
    options = html.split('name="team"')[1].split("</select>")[0]
    assert ">Fresh</option>" in options
    assert ">Growth</option>" not in options


def test_an_archived_team_takes_no_new_objective(world: World) -> None:
    from constellation.server.okrs.drafting import ObjectiveInput, do_create_objective

    archived = do_archive_team(access_of(world.admin), world.team, world.admin)
    with pytest.raises(ActionError) as refused:
        do_create_objective(
            access_of(world.admin),
            ObjectiveInput(title="Something new", team=archived, period=world.period),
            world.admin,
        )
    assert refused.value.field == "team"


def test_the_dashboard_shows_a_new_team_at_once(client, world: World) -> None:
    from constellation.server.okrs.drafting import ObjectiveInput, do_create_objective

    team = do_create_team(access_of(world.admin), TeamInput(name="Fresh"), world.admin)
    do_create_objective(
        access_of(world.admin),
        ObjectiveInput(title="Fresh team ships weekly", team=team, period=world.period),
        world.admin,
    )
    client.force_login(world.admin)
    html = client.get(reverse("dashboard", kwargs={"org": "acme"})).content.decode()
    assert "Fresh team ships weekly" in html
    assert f'id="team-{team.slug}"' in html


def test_an_edit_made_on_a_stale_page_is_refused_and_keeps_what_was_typed(
    client, world: World
) -> None:
    client.force_login(world.admin)
    seen = version_of("growth")
    assert client.post(settings_url(), {"name": "Growth One", "version": seen}).status_code == 302
    stale = client.post(settings_url(), {"name": "Growth Two", "version": seen})
    assert stale.status_code == 409
    html = stale.content.decode()
    assert "changed by someone else" in html and 'value="Growth Two"' in html
    assert f'name="version" value="{seen + 1}"' in html
    assert Team.objects.get(pk=world.team.pk).name == "Growth One"
