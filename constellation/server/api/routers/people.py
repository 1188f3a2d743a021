"""The organisation's people and invitations; only owners and admins change them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from ninja import Router, Status

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.people_schemas import (
    DeactivatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    MemberPatch,
)
from constellation.server.api.schemas import Message, ValidationProblems
from constellation.server.orgs.access import Access, teams_of
from constellation.server.orgs.models import Membership, Team
from constellation.server.people.access import (
    access_invitation,
    access_membership,
    pending_invitations_of,
    people_of,
)
from constellation.server.people.actions import (
    check_manages_people,
    do_change_role,
    do_deactivate,
    do_invite,
    do_reactivate,
    do_revoke_invitation,
)
from constellation.server.people.models import Invitation

router = Router(tags=["people"])
READ = {401: Message, 404: Message}
WRITE = {**READ, 403: Message, 422: ValidationProblems}


def member_out(membership: Membership) -> dict[str, Any]:
    """A membership as the API shows it (its teams prefetched or fetched)."""
    user = membership.user
    return {
        "username": user.get_username(),
        "name": user.get_full_name(),
        "email": user.email,
        "role": membership.role,
        "active": membership.deactivated_at is None,
        "teams": sorted(team.slug for team in membership.teams.all()),
    }


def invitation_out(invitation: Invitation) -> dict[str, Any]:
    """An invitation without its link."""
    return {
        "id": invitation.pk,
        "email": invitation.email,
        "role": invitation.role,
        "teams": sorted(team.slug for team in invitation.teams.all()),
        "state": invitation.state,
        "created_at": invitation.created_at,
        "expires_at": invitation.expires_at,
        "invited_by": invitation.invited_by.get_username() if invitation.invited_by else None,
    }


@router.get("/orgs/{org}/members", response={200: list[MemberOut], **READ})
def list_members(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """Every person of the organisation (deactivated ones too, with `active` false)."""
    access = api_access(request, org)
    return [member_out(membership) for membership in people_of(access)]


def _manager(request: HttpRequest, org: str) -> Access:
    """The caller's access, refused (403) unless they manage people here."""
    access = api_access(request, org)
    check_manages_people(access)
    return access


@router.patch("/orgs/{org}/members/{username}", response={200: MemberOut, **WRITE})
def patch_member(
    request: HttpRequest, org: str, username: str, payload: MemberPatch
) -> dict[str, Any]:
    """Change a person's role, or deactivate (`active` false) or reactivate (true) them."""
    access = _manager(request, org)
    membership = access_membership(access, username)
    # Both changes or neither: a refused role must not leave the person deactivated.
    with transaction.atomic():
        if payload.role is not None:
            do_change_role(access, membership, payload.role, request.user)
        if payload.active is False:
            do_deactivate(access, membership, request.user)
        elif payload.active is True:
            do_reactivate(access, membership, request.user)
    return member_out(access_membership(access, username))


@router.delete("/orgs/{org}/members/{username}", response={200: DeactivatedOut, **WRITE})
def deactivate_member(request: HttpRequest, org: str, username: str) -> dict[str, Any]:
    """Deactivate a person (their history stays); lists what they own, to hand over."""
    access = _manager(request, org)
    membership = access_membership(access, username)
    owned = do_deactivate(access, membership, request.user)
    return {
        "member": member_out(membership),
        "objectives": [{"id": o.slug, "title": o.title} for o in owned.objectives],
        "key_results": [
            {"id": f"{kr.objective.slug}/{kr.slug}", "title": kr.title} for kr in owned.key_results
        ],
    }


@router.get("/orgs/{org}/invitations", response={200: list[InvitationOut], 403: Message, **READ})
def list_invitations(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The invitations neither accepted nor revoked (expired ones too); owners and admins."""
    access = _manager(request, org)
    return [invitation_out(invitation) for invitation in pending_invitations_of(access)]


def _teams(access: Access, slugs: list[str]) -> list[Team]:
    """The organisation's teams of these slugs; 422 naming the unknown ones."""
    found = {team.slug: team for team in teams_of(access).filter(slug__in=slugs)}
    unknown = [slug for slug in slugs if slug not in found]
    if unknown:
        raise FieldError("teams", f"No such team: {', '.join(unknown)}.")
    return [found[slug] for slug in dict.fromkeys(slugs)]


@router.post("/orgs/{org}/invitations", response={201: list[InvitationOut], **WRITE})
def create_invitations(
    request: HttpRequest, org: str, payload: InvitationIn
) -> Status[list[dict[str, Any]]]:
    """Invite one or many addresses; each gets an email with its own link."""
    access = _manager(request, org)
    teams = _teams(access, payload.teams)
    made = do_invite(access, payload.emails, payload.role, teams, request.user)
    return Status(201, [invitation_out(invitation) for invitation in made])


@router.delete("/orgs/{org}/invitations/{invitation_id}", response={204: None, **WRITE})
def revoke_invitation(request: HttpRequest, org: str, invitation_id: int) -> Status[None]:
    """Revoke an invitation: its link no longer works."""
    access = _manager(request, org)
    do_revoke_invitation(access, access_invitation(access, invitation_id), request.user)
    return Status(204, None)
