"""Permission-checked reads: an organisation only for its members, 404 for everyone else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import Http404

from constellation.server.errors import ReadOnly
from constellation.server.orgs.models import Membership, Organization


@dataclass(frozen=True, slots=True)
class Access:
    """A person's view of one organisation."""

    organization: Organization
    membership: Membership

    @property
    def user_id(self) -> int:
        """The id of the person whose view this is."""
        return self.membership.user_id

    @property
    def can_write(self) -> bool:
        """Whether the person may change this organisation's OKRs."""
        return self.membership.can_write

    @property
    def is_admin(self) -> bool:
        """Whether the person administers the organisation."""
        return self.membership.role == Membership.Role.ADMIN

    @property
    def is_leader(self) -> bool:
        """Admins and leaders review and lead."""
        return self.membership.role in {Membership.Role.ADMIN, Membership.Role.LEADER}

    def require_write(self) -> None:
        """Refuse a viewer's write."""
        if not self.can_write:
            raise ReadOnly("viewers cannot change anything in this organisation")


def access_org(user: Any, slug: str, *, write: bool = False) -> Access:
    """The organisation `slug` if `user` belongs to it, else 404 (never 403: no leak)."""
    if user is None or not user.is_authenticated:
        raise Http404("No such organisation")
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=slug)
        .first()
    )
    if membership is None:
        raise Http404("No such organisation")
    access = Access(membership.organization, membership)
    if write:
        access.require_write()
    return access


def organizations_of(user: Any) -> list[Organization]:
    """The organisations a person belongs to."""
    if user is None or not user.is_authenticated:
        return []
    return list(Organization.objects.filter(memberships__user=user))
