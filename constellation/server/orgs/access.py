"""Permission-checked reads: an organisation only for its members, 404 for everyone else."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet

from constellation.server.errors import NotAllowed, NotFound, ReadOnly
from constellation.server.orgs.models import Membership, Organization, Team, TeamReadiness


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
        return self.membership.is_admin

    @property
    def is_leader(self) -> bool:
        """Admins and leaders review and lead."""
        return self.membership.is_admin or self.membership.role == Membership.Role.LEADER

    def require_write(self) -> None:
        """Refuse a viewer's write."""
        if not self.can_write:
            raise ReadOnly("viewers cannot change anything in this organisation")


def access_org(user: Any, slug: str, *, write: bool = False) -> Access:
    """The organisation `slug` if `user` belongs to it, else 404 (never 403: no leak)."""
    if user is None or not user.is_authenticated:
        raise NotFound("No such organisation")
    membership = (
        Membership.objects.select_related("organization")
        .filter(user=user, organization__slug=slug, deactivated_at__isnull=True)
        .first()
    )
    if membership is None:
        raise NotFound("No such organisation")
    access = Access(membership.organization, membership)
    if write:
        access.require_write()
    return access


def organizations_of(user: Any) -> list[Organization]:
    """The organisations a person belongs to."""
    if user is None or not user.is_authenticated:
        return []
    return list(
        Organization.objects.filter(
            memberships__user=user, memberships__deactivated_at__isnull=True
        )
    )


def memberships_of_person(
    user: Any, organization: Organization | None = None
) -> QuerySet[Membership]:
    """The person's own memberships with their organisation, by its name (one, when given)."""
    # A person's list across organisations: scoped by the person, not by one organisation.
    rows = Membership.objects.filter(user=user, deactivated_at__isnull=True).select_related(
        "organization"
    )
    if organization is not None:
        rows = rows.restrict(organization)
    return rows.order_by("organization__name", "organization__slug")


def access_team(access: Access, slug: str) -> Team:
    """One of the organisation's teams by its slug, else NotFound."""
    team = Team.objects.restrict(access).filter(slug=slug).select_related("parent").first()
    if team is None:
        raise NotFound("No such team")
    return team


def find_team(access: Access, slug: str | None) -> Team | None:
    """One of the organisation's teams by its slug, or None (for optional filters and fields)."""
    if not slug:
        return None
    return Team.objects.restrict(access).filter(slug=slug).select_related("parent").first()


def teams_of(access: Access) -> QuerySet[Team]:
    """Every team of the organisation, by name."""
    return Team.objects.restrict(access).select_related("parent").order_by("name")


def active_teams_of(access: Access, keep_id: int | None = None) -> QuerySet[Team]:
    """The teams that take new objectives (not archived), by name; team `keep_id` stays.

    `keep_id` is the team an objective already belongs to, so editing it still offers it.
    """
    rows = teams_of(access)
    if keep_id is None:
        return rows.filter(archived_at__isnull=True)
    return rows.filter(Q(archived_at__isnull=True) | Q(pk=keep_id))


def own_teams(access: Access) -> QuerySet[Team]:
    """The active teams the person belongs to or leads, by name."""
    mine = Q(members=access.membership) | Q(lead_id=access.user_id)
    return teams_of(access).filter(mine, archived_at__isnull=True).distinct()


def teams_with_people(access: Access) -> QuerySet[Team]:
    """Every team with its lead and its active members' memberships (three queries in all)."""
    people = Prefetch("members", active_memberships_of(access))
    return teams_of(access).select_related("lead").prefetch_related(people)


def active_memberships_of(access: Access) -> QuerySet[Membership]:
    """The memberships of the organisation's people who are not deactivated, by username."""
    return memberships_of(access).filter(deactivated_at__isnull=True)


def find_membership(access: Access, username: str | None) -> Membership | None:
    """The active membership of the organisation's person with this username, or None."""
    if not username:
        return None
    return active_memberships_of(access).filter(user__username=username).first()


def team_powers(access: Access, team: Team) -> str:
    """How far the person manages `team`: "admin" (everything), "lead" (their own), or ""."""
    if not access.can_write:
        return ""
    if access.is_admin:
        return "admin"
    return "lead" if team.lead_id is not None and team.lead_id == access.user_id else ""


def subteams_of(access: Access, team: Team) -> QuerySet[Team]:
    """The teams directly under `team` in the org chart, by name."""
    return Team.objects.restrict(access).filter(parent=team).order_by("name")


def members_of(access: Access) -> QuerySet[Any]:
    """Every active member of the organisation (viewers included), by username.

    Deactivated people are left out: nothing new is handed to them (owner, lead).
    """
    return (
        get_user_model()
        .objects.filter(
            memberships__organization=access.organization,
            memberships__deactivated_at__isnull=True,
        )
        .order_by("username")
        .distinct()
    )


def find_member(access: Access, username: str | None) -> Any | None:
    """The organisation's member with this username, or None (also for no username)."""
    if not username:
        return None
    return members_of(access).filter(username=username).first()


def memberships_of(access: Access) -> QuerySet[Membership]:
    """Every membership of the organisation with its person."""
    return Membership.objects.restrict(access).select_related("user").order_by("user__username")


def team_memberships(access: Access, team: Team) -> QuerySet[Membership]:
    """The memberships of the people listed in `team`, with their person, by username."""
    return memberships_of(access).filter(teams=team)


def active_team_memberships(access: Access, team: Team) -> QuerySet[Membership]:
    """The memberships of the team's people who are not deactivated, by username."""
    return team_memberships(access, team).filter(deactivated_at__isnull=True)


def memberships_of_usernames(access: Access, usernames: list[str]) -> QuerySet[Membership]:
    """The organisation's memberships of these usernames, with their person (unknown: absent)."""
    return memberships_of(access).filter(user__username__in=usernames)


def speaks_for(access: Access, team: Team) -> bool:
    """Whether the person acts for the team: a writing member of it, or a leader or admin."""
    if not access.can_write:
        return False
    if access.is_leader or team.lead_id == access.user_id:
        return True
    return access.membership.teams.filter(pk=team.pk).exists()


def require_team(access: Access, team: Team, doing: str) -> None:
    """Refuse anyone who does not act for `team` (viewers first, with the viewer's reason)."""
    access.require_write()
    if not speaks_for(access, team):
        raise NotAllowed(
            f"Only members of {team.name}, leaders and admins can {doing}; "
            "ask an admin to add you to the team."
        )


def latest_readiness(access: Access, team: Team) -> TeamReadiness | None:
    """The team's most recent readiness check, if it took one."""
    return (
        TeamReadiness.objects.restrict(access)
        .filter(team=team)
        .select_related("answered_by")
        .order_by("-version")
        .first()
    )


def find_organization(slug: str) -> Organization | None:
    """The organisation `slug`, for the operator at the command line (no person's view)."""
    return Organization.objects.filter(slug=slug).first()


def all_organizations() -> QuerySet[Organization]:
    """Every organisation, by slug: for an operator's command that runs on each."""
    return Organization.objects.order_by("slug")


def organization_slugs(limit: int = 20) -> list[str]:
    """The slugs of the first organisations, to name them when one is not found."""
    return list(Organization.objects.values_list("slug", flat=True)[:limit])


def operator_access(organization: Organization) -> Access:
    """The command line's view of an organisation: its operator reads it as a viewer would.

    The membership is never saved: it lends the read-only role to reads that take an Access.
    """
    reader = Membership(organization=organization, role=Membership.Role.VIEWER)
    return Access(organization, reader)


def find_user(username: str) -> Any | None:
    """The person with this username, in any organisation (the operator's lookup)."""
    return get_user_model().objects.filter(username=username).first()


def is_member(user: Any, organization: Organization) -> bool:
    """Whether the person belongs to the organisation."""
    return Membership.objects.restrict(organization).filter(user=user).exists()


def sign_in_list(slug: str) -> list[Membership]:
    """The active people of the organisation `slug` who have a usable password, with their
    teams, ordered by role: only for a demo served on the loopback address (its login page
    lists them, so a visitor can play each part). Nobody else's login page lists anyone."""
    order = [role.value for role in Membership.Role]
    memberships = (
        Membership.objects.filter(
            organization__slug=slug, deactivated_at__isnull=True, user__is_active=True
        )
        .select_related("user")
        .prefetch_related(Prefetch("teams", queryset=Team.objects.order_by("name")))
    )
    usable = [m for m in memberships if m.user.has_usable_password()]
    return sorted(usable, key=lambda m: (order.index(m.role), m.user.username))
