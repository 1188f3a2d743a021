"""The teams page (the org chart with leads and members) and managing one team.

Owners and admins create, rename, move, archive teams and set their lead; a team's lead
renames their own team and adds and removes its members. The actions refuse everyone else.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.orgs.access import (
    Access,
    access_team,
    find_membership,
    team_memberships,
    team_powers,
    teams_with_people,
)
from constellation.server.orgs.actions import (
    check_manage_team,
    do_add_team_member,
    do_archive_team,
    do_create_team,
    do_edit_team,
    do_remove_team_member,
    do_unarchive_team,
)
from constellation.server.orgs.models import Membership, Team
from constellation.server.web.forms import add_action_error
from constellation.server.web.team_forms import NewTeamForm, TeamMemberForm, TeamSettingsForm
from constellation.server.web.views.permissions import org_view

WRITE = ("GET", "HEAD", "POST")


@dataclass(slots=True)
class TeamRow:
    """One team of the tree: how deep it sits, its members, and whether it is the person's."""

    team: Team
    depth: int
    members: list[Membership] = field(default_factory=list)
    mine: bool = False

    @property
    def indent(self) -> str:
        """The left margin that shows the depth."""
        return f"{self.depth * 1.5:g}rem"


def team_tree(access: Access, teams: list[Team]) -> tuple[list[TeamRow], list[TeamRow]]:
    """The active teams in tree order (children under their parent) and the archived ones."""
    active = [team for team in teams if team.archived_at is None]
    ids = {team.pk for team in active}
    children: dict[int | None, list[Team]] = {}
    for team in active:
        # A team under an archived (or missing) parent shows at the top of the tree.
        parent = team.parent_id if team.parent_id in ids else None
        children.setdefault(parent, []).append(team)
    rows: list[TeamRow] = []
    stack = [(team, 0) for team in reversed(children.get(None, []))]
    while stack:
        team, depth = stack.pop()
        rows.append(_row(access, team, depth))
        stack.extend((child, depth + 1) for child in reversed(children.get(team.pk, [])))
    archived = [_row(access, team, 0) for team in teams if team.archived_at is not None]
    return rows, archived


def _row(access: Access, team: Team, depth: int) -> TeamRow:
    members = list(team.members.all())
    mine = team.lead_id == access.user_id or any(
        member.pk == access.membership.pk for member in members
    )
    return TeamRow(team, depth, members, mine)


@org_view(write=True, methods=WRITE)
def teams_page(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/teams/`: the team tree, my teams first; admins create teams here."""
    form = None
    status = 200
    if access.is_admin and access.can_write:
        form = NewTeamForm(request.POST or None, access=access)
    if request.method == "POST":
        check_manage_team(access, None, "create teams", lead_may=False)
        assert form is not None  # an admin who may write always has the form
        status = 422
        if form.is_valid():
            try:
                team = do_create_team(access, form.team_input(), request.user)
            except ActionError as error:
                add_action_error(form, error)
            else:
                messages.success(request, f"Team {team.name} created.")
                return redirect("team", org=access.organization.slug, team=team.slug)
    rows, archived = team_tree(access, list(teams_with_people(access)))
    context = {
        "access": access,
        "organization": access.organization,
        "mine": [TeamRow(row.team, 0, row.members, True) for row in rows if row.mine],
        "rows": rows,
        "archived": archived,
        "form": form,
    }
    return render(request, "web/teams.html", context, status=status)


def _settings_page(
    request: HttpRequest,
    access: Access,
    team: Team,
    form: TeamSettingsForm | None = None,
    member_form: TeamMemberForm | None = None,
    status: int = 200,
) -> HttpResponse:
    powers = team_powers(access, team)
    context = {
        "access": access,
        "organization": access.organization,
        "team": team,
        "powers": powers,
        "form": form or TeamSettingsForm.for_team(access, team, powers),
        "member_form": member_form or TeamMemberForm(access=access, team=team),
        "members": list(team_memberships(access, team)),
    }
    return render(request, "web/team_settings.html", context, status=status)


def _back(access: Access, team: Team) -> HttpResponse:
    url = reverse("team-settings", kwargs={"org": access.organization.slug, "team": team.slug})
    return redirect(url)


@org_view(write=True, methods=WRITE)
def team_settings(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/settings/`: rename, move, lead, phase, archive and members."""
    found = access_team(access, team)
    powers = team_powers(access, found)
    if request.method != "POST":
        if not powers:
            return redirect("team", org=access.organization.slug, team=found.slug)
        return _settings_page(request, access, found)
    check_manage_team(access, found, "change this team", lead_may=True)
    form = TeamSettingsForm(request.POST, access=access, team=found, powers=powers)
    if form.is_valid():
        try:
            found = do_edit_team(access, found, form.edit(), request.user)
        except Conflict as conflict:
            form.add_error(None, conflict.message)
            form.with_version(conflict.current_version)
            return _settings_page(request, access, found, form=form, status=409)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Team {found.name} saved.")
            return _back(access, found)
    return _settings_page(request, access, found, form=form, status=422)


@org_view(write=True, methods=("POST",))
def team_archive(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/archive/` (POST): archive, or bring back with `restore=yes`."""
    found = access_team(access, team)
    if request.POST.get("restore") == "yes":
        found = do_unarchive_team(access, found, request.user)
        messages.success(request, f"Team {found.name} is active again.")
    else:
        found = do_archive_team(access, found, request.user)
        messages.success(request, f"Team {found.name} archived; its history stays readable.")
    return _back(access, found)


@org_view(write=True, methods=("POST",))
def team_members(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/members/` (POST): add `username`, or remove it with `remove=yes`."""
    found = access_team(access, team)
    username = request.POST.get("username", "")
    membership = find_membership(access, username)
    removing = request.POST.get("remove") == "yes"
    # Refused first when the person may not manage the team at all (403 saying why).
    check_manage_team(access, found, "change this team's members", lead_may=True)
    form = TeamMemberForm(request.POST, access=access, team=found)
    try:
        if membership is None:
            raise ActionError("username", f"no member of this organisation is {username!r}")
        if removing:
            do_remove_team_member(access, found, membership, request.user)
        else:
            do_add_team_member(access, found, membership, request.user)
    except ActionError as error:
        add_action_error(form, error)
        return _settings_page(request, access, found, member_form=form, status=422)
    verb = "removed from" if removing else "added to"
    name = membership.user.get_full_name() or membership.user.username
    messages.success(request, f"{name} {verb} {found.name}.")
    return _back(access, found)
