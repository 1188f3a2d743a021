"""What the people endpoints take and return: members, roles and invitations."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from ninja import Field

from constellation.server.api.schemas import Out, Strict

Role = Literal["owner", "admin", "leader", "member", "viewer"]


class MemberOut(Out):
    """A person of the organisation with their role and teams."""

    username: str
    name: str = Field(description="Their full name, empty when unknown.")
    email: str
    role: Role
    active: bool = Field(description="False once deactivated: their history stays.")
    teams: list[str] = Field(description="The slugs of their teams.")


class MemberPatch(Strict):
    """A change of a person: a new role, or `active` false (deactivate) or true (reactivate)."""

    role: Role | None = None
    active: bool | None = None


class OwnedItem(Out):
    """An objective or key result a deactivated person owns, to hand over."""

    id: str = Field(description="An objective's slug, or `<objective>/<key result>`.")
    title: str


class DeactivatedOut(Out):
    """A deactivated person and what they own in the organisation."""

    member: MemberOut
    objectives: list[OwnedItem]
    key_results: list[OwnedItem]


class InvitationIn(Strict):
    """One or many addresses to invite, with the role and teams each gets."""

    emails: list[str] = Field(description="Email addresses; each gets its own link.")
    role: Role = "member"
    teams: list[str] = Field(default_factory=list, description="Team slugs to join.")


class InvitationOut(Out):
    """An invitation (its link is only in the email)."""

    id: int
    email: str
    role: Role
    teams: list[str]
    state: Literal["pending", "expired", "accepted", "revoked"]
    created_at: dt.datetime
    expires_at: dt.datetime
    invited_by: str | None
