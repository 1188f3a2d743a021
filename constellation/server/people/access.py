"""Reads of an organisation's people and invitations, and of an invitation by its link."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, QuerySet
from django.utils import timezone

from constellation.server.errors import NotFound
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership
from constellation.server.people.models import Invitation
from constellation.server.tokens.models import hash_token


@dataclass(frozen=True, slots=True)
class Owned:
    """What a person owns in one organisation, to hand over before they leave."""

    objectives: list[Any] = field(default_factory=list)
    key_results: list[Any] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.objectives or self.key_results)


def people_of(access: Access) -> QuerySet[Membership]:
    """Every membership with its person and teams: active people first, then by username."""
    return (
        Membership.objects.restrict(access)
        .select_related("user")
        .prefetch_related("teams")
        # Nulls first on every database: SQLite and PostgreSQL disagree by default.
        .order_by(F("deactivated_at").asc(nulls_first=True), "user__username")
    )


def access_membership(access: Access, username: str) -> Membership:
    """The membership of `username` in the organisation (deactivated too), else NotFound."""
    membership = (
        Membership.objects.restrict(access)
        .select_related("user")
        .filter(user__username=username)
        .first()
    )
    if membership is None:
        raise NotFound("No such person in this organisation")
    return membership


def pending_invitations_of(access: Access) -> QuerySet[Invitation]:
    """Invitations neither accepted nor revoked (expired ones too: they can be resent)."""
    return (
        Invitation.objects.restrict(access)
        .filter(accepted_at__isnull=True, revoked_at__isnull=True)
        .select_related("invited_by")
        .prefetch_related("teams")
        .order_by("-created_at", "-pk")
    )


def access_invitation(access: Access, invitation_id: int) -> Invitation:
    """One of the organisation's invitations by its id, else NotFound."""
    invitation = (
        Invitation.objects.restrict(access)
        .filter(pk=invitation_id)
        .prefetch_related("teams")
        .first()
    )
    if invitation is None:
        raise NotFound("No such invitation")
    return invitation


def find_invitation(token: str) -> Invitation | None:
    """The invitation a link's token opens, in whatever state (the link needs no sign-in)."""
    if not token or "\x00" in token:
        return None
    return (
        Invitation.objects.filter(token_hash=hash_token(token))
        .select_related("organization", "invited_by")
        .prefetch_related("teams")
        .first()
    )


def find_pending_invitation(email: str) -> Invitation | None:
    """The newest open invitation of this address in any organisation (for single sign-on)."""
    if not email:
        return None
    return (
        Invitation.objects.filter(
            email__iexact=email.strip(),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        )
        .select_related("organization")
        .prefetch_related("teams")
        .order_by("-created_at", "-pk")
        .first()
    )


def owned_by(access: Access, user: Any) -> Owned:
    """The objectives and key results `user` owns in the organisation (any state)."""
    # Through the person's reverse relations: the OKRs sit above this app, which must not
    # import them, and their managers restrict to the organisation all the same.
    objectives = user.owned_objectives.restrict(access).order_by("period__key", "slug")
    key_results = (
        user.owned_key_results.restrict(access)
        .select_related("objective")
        .order_by("objective__slug", "position", "slug")
    )
    return Owned(objectives=list(objectives), key_results=list(key_results))


def active_owner_count(access: Access) -> int:
    """How many active owners the organisation has."""
    return (
        Membership.objects.restrict(access)
        .filter(role=Membership.Role.OWNER, deactivated_at__isnull=True)
        .count()
    )


def has_other_active_membership(user: Any, membership: Membership) -> bool:
    """Whether the person belongs, active, to another organisation than this membership's."""
    return (
        Membership.objects.filter(user=user, deactivated_at__isnull=True)
        .exclude(pk=membership.pk)
        .exists()
    )


def landing_team(membership: Membership) -> Any | None:
    """The first of a membership's teams by name, where a newcomer lands (None: no team)."""
    return membership.teams.order_by("name").first()
