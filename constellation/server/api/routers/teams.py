"""The organisation's teams: the org chart, each team's lead and members, and managing them.

Owners and admins create, edit and archive teams; a team's lead renames their own team and
changes its members; the actions refuse everyone else with a 403 saying why.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status
from ninja.errors import ValidationError

from constellation.server.api.auth import api_access
from constellation.server.api.errors import error_item
from constellation.server.api.lookups import body_member, body_team
from constellation.server.api.schemas import ConflictMessage, Message, TeamOut, ValidationProblems
from constellation.server.api.team_schemas import TeamDetail, TeamIn, TeamPatch
from constellation.server.orgs.access import (
    Access,
    access_team,
    active_team_memberships,
    memberships_of_usernames,
    teams_of,
)
from constellation.server.orgs.actions import (
    TeamEdit,
    TeamInput,
    check_manage_team,
    do_archive_team,
    do_create_team,
    do_edit_team,
    do_unarchive_team,
)
from constellation.server.orgs.models import Membership, Team

router = Router(tags=["teams"])
READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 409: ConflictMessage, 422: ValidationProblems}


def _detail(access: Access, team: Team) -> dict[str, Any]:
    """A team as the API shows it, with its lead and members (two queries)."""
    members = [
        {
            "username": m.user.username,
            "name": m.user.get_full_name() or m.user.username,
            "role": m.role,
        }
        for m in active_team_memberships(access, team)
    ]
    return {
        "id": team.slug,
        "name": team.name,
        "parent": team.parent.slug if team.parent else None,
        "phase": team.phase or None,
        "lead": team.lead.username if team.lead else None,
        "archived": team.archived_at is not None,
        "archived_at": team.archived_at,
        "members": members,
        "version": team.version,
    }


@router.get("/orgs/{org}/teams", response={200: list[TeamOut], **READ})
def list_teams(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's teams (the org chart), archived ones included."""
    access = api_access(request, org)
    return [
        {
            "id": team.slug,
            "name": team.name,
            "parent": team.parent.slug if team.parent else None,
            "phase": team.phase or None,
        }
        for team in teams_of(access)
    ]


@router.post("/orgs/{org}/teams", response={201: TeamDetail, **WRITE})
def create_team(request: HttpRequest, org: str, payload: TeamIn) -> Any:
    """Create a team (owners and admins)."""
    access = api_access(request, org, write=True)
    check_manage_team(access, None, "create teams", lead_may=False)  # 403 before any 422
    data = TeamInput(
        name=payload.name,
        slug=payload.id or "",
        parent=body_team(access, payload.parent, "parent") if payload.parent else None,
        lead=body_member(access, payload.lead, "lead"),
    )
    team = do_create_team(access, data, request.user)
    return Status(201, _detail(access, access_team(access, team.slug)))


@router.get("/orgs/{org}/teams/{team}", response={200: TeamDetail, **READ})
def get_team(request: HttpRequest, org: str, team: str) -> dict[str, Any]:
    """One team with its lead and members."""
    access = api_access(request, org)
    return _detail(access, access_team(access, team))


def _edit(access: Access, payload: TeamPatch) -> TeamEdit:
    """The fields the body sets, with its slugs and usernames read (422 for unknown ones)."""
    given = payload.model_fields_set
    edit = TeamEdit(expected_version=payload.version)
    if payload.members is not None:
        edit.members = _members(access, payload.members)
    if payload.name is not None:
        edit.name = payload.name
    if "parent" in given:
        edit.parent = body_team(access, payload.parent, "parent") if payload.parent else None
    if "lead" in given:
        edit.lead = body_member(access, payload.lead, "lead")
    if "phase" in given:
        edit.phase = payload.phase or ""
    return edit


def _members(access: Access, usernames: list[str]) -> list[Membership]:
    """The memberships of these usernames, or a 422 naming the first unknown one."""
    found = {m.user.username: m for m in memberships_of_usernames(access, usernames)}
    problems = [
        error_item(["body", "members", index], f"no member of this organisation is {name!r}")
        for index, name in enumerate(usernames)
        if name not in found
    ]
    if problems:
        raise ValidationError(problems)
    return [found[username] for username in dict.fromkeys(usernames)]


@router.patch("/orgs/{org}/teams/{team}", response={200: TeamDetail, **WRITE})
def patch_team(request: HttpRequest, org: str, team: str, payload: TeamPatch) -> Any:
    """Rename, move, set the lead or phase, set the members (usernames), archive or restore."""
    access = api_access(request, org, write=True)
    found = access_team(access, team)
    # Whoever may not change the team at all hears so before any 422 about the body; only
    # owners and admins archive, refused before anything else changes.
    archiving = payload.archived is not None
    check_manage_team(access, found, "archive or change this team", lead_may=not archiving)
    found = do_edit_team(access, found, _edit(access, payload), request.user)
    if payload.archived is True:
        found = do_archive_team(access, found, request.user)
    elif payload.archived is False:
        found = do_unarchive_team(access, found, request.user)
    return _detail(access, access_team(access, found.slug))


@router.delete("/orgs/{org}/teams/{team}", response={204: None, **WRITE})
def archive_team(request: HttpRequest, org: str, team: str) -> Any:
    """Archive the team (owners and admins): no new objectives; its history stays readable."""
    access = api_access(request, org, write=True)
    do_archive_team(access, access_team(access, team), request.user)
    return Status(204, None)
