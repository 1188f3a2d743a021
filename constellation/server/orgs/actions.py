"""Writes to teams: creating, editing, archiving and staffing them, and the readiness check."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, Final

from django.db.models import Max
from django.utils import timezone
from django.utils.text import slugify

from constellation.core.readiness import Answers, recommend
from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError, Conflict, NotAllowed, NotFound
from constellation.server.orgs.access import Access, require_team, team_powers
from constellation.server.orgs.models import Membership, Team, TeamReadiness

ANSWER_FIELDS = ("exploratory", "measurable_quarterly", "stable_mission", "outcome_metrics")


def do_record_readiness(
    access: Access, team: Team, answers: Answers, *, expected_version: int, actor: Any
) -> TeamReadiness:
    """Store a new readiness check and set the team's phase from its recommendation.

    `expected_version` is the version of the latest check the person saw (0: none); a check
    taken by someone else in the meantime is not replaced silently (`Conflict`). Only someone
    who acts for the team answers for it: a writing member of it, a leader or an admin.
    """
    access.require_write()
    if team.organization_id != access.organization.pk:
        raise ActionError("team", "no such team")
    require_team(access, team, "take this team's readiness check")
    advice = recommend(answers)
    with writes.atomic():
        # Locking the team serialises two checks of the same team taken at once.
        locked = Team.objects.select_for_update().get(pk=team.pk)
        latest = TeamReadiness.objects.filter(team=locked).aggregate(v=Max("version"))["v"] or 0
        if latest != expected_version:
            raise Conflict(
                latest,
                "Someone took this team's readiness check since you opened it (now at check "
                f"{latest}, yours started from {expected_version}). Read their answers, "
                "then send yours again to replace them.",
            )
        check = TeamReadiness.objects.create(
            organization=access.organization,
            team=locked,
            version=latest + 1,
            recommendation=advice.kind,
            phase=advice.phase,
            answered_by=actor if getattr(actor, "pk", None) else None,
            **{name: getattr(answers, name) for name in ANSWER_FIELDS},
        )
        record(
            access.organization.pk,
            actor,
            "readiness",
            locked,
            after={**snapshot(check, [*ANSWER_FIELDS, "recommendation", "version"])},
        )
        if locked.phase != advice.phase:
            before = snapshot(locked, ["phase"])
            Team.objects.filter(pk=locked.pk).update(phase=advice.phase)
            locked.phase = advice.phase
            record(
                access.organization.pk,
                actor,
                "update",
                locked,
                before=before,
                after={"phase": advice.phase},
            )
        team.phase = advice.phase
    return check


# Managing teams: owners and admins do everything; a team's lead renames their own team and
# adds and removes its members; everyone else is refused with the reason.

SLUG_LENGTH = 60


class Keep(enum.Enum):
    """The value of an edit's field that stays as saved."""

    KEEP = "keep"


KEEP: Final = Keep.KEEP


@dataclass(slots=True)
class TeamInput:
    """A new team: its name, an optional slug (else from the name), parent and lead."""

    name: str
    slug: str = ""
    parent: Team | None = None
    lead: Any = None


@dataclass(slots=True)
class TeamEdit:
    """A change of a team: the fields it sets; those left at `KEEP` stay as saved."""

    name: str | Keep = KEEP
    parent: Team | Keep | None = KEEP
    lead: Any = KEEP
    phase: str | Keep = KEEP
    # The whole list of the team's members (their memberships), when it changes.
    members: list[Membership] | Keep = KEEP
    # The version the editor saw; None skips the check (an API client that sends none).
    expected_version: int | None = None

    def changes(self) -> dict[str, Any]:
        """The fields this edit sets, by name."""
        names = ("name", "parent", "lead", "phase", "members")
        return {name: getattr(self, name) for name in names if getattr(self, name) is not KEEP}


# What a team's lead may change of their own team; the rest is for owners and admins.
LEAD_MAY_EDIT = frozenset({"name", "members"})


def check_manage_team(access: Access, team: Team | None, doing: str, *, lead_may: bool) -> None:
    """Refuse anyone but an admin (or, when `lead_may`, the team's own lead)."""
    access.require_write()
    if team is not None and team.organization_id != access.organization.pk:
        raise NotFound("No such team")
    if access.is_admin:
        return
    powers = team_powers(access, team) if team is not None else ""
    if lead_may and powers == "lead":
        return
    who = "owners, admins and the team's lead" if lead_may else "owners and admins"
    raise NotAllowed(f"Only {who} can {doing}; ask an admin of the organisation.")


def check_team_name(name: str) -> str:
    """The name stripped, or a refusal naming `name`."""
    cleaned = (name or "").strip()
    if not cleaned:
        raise ActionError("name", "a team needs a name")
    if len(cleaned) > 200:
        raise ActionError("name", "keep the name under 200 characters")
    return cleaned


def check_lead(access: Access, lead: Any) -> None:
    """Refuse a lead who is not an active member of the organisation."""
    if lead is None:
        return
    active = Membership.objects.restrict(access).filter(user=lead, deactivated_at__isnull=True)
    if not active.exists():
        raise ActionError("lead", "the lead must be a member of this organisation")


def check_parent(access: Access, team: Team | None, parent: Team | None) -> None:
    """Refuse a parent from elsewhere, an archived one, or one inside the team (a cycle)."""
    if parent is None:
        return
    if parent.organization_id != access.organization.pk:
        raise ActionError("parent", "no such team in this organisation")
    if parent.archived_at is not None:
        raise ActionError("parent", f"{parent.name} is archived; choose an active team")
    if team is None:
        return
    # Walk up from the new parent: meeting the team means it would sit under itself.
    parents = dict(Team.objects.restrict(access).values_list("pk", "parent_id"))
    seen: set[int] = set()
    node: int | None = parent.pk
    while node is not None and node not in seen:
        if node == team.pk:
            raise ActionError(
                "parent", f"{parent.name} is inside {team.name}: a team cannot sit under itself"
            )
        seen.add(node)
        node = parents.get(node)


def _team_slug(access: Access, name: str, given: str) -> str:
    """The given slug if free (else a refusal naming `slug`), or a free one from the name."""
    taken = set(Team.objects.restrict(access).values_list("slug", flat=True))
    if given:
        slug = slugify(given)
        if not slug or slug != given.strip().lower():
            raise ActionError("slug", "use lowercase letters, digits and hyphens")
        if slug in taken:
            raise ActionError("slug", f"the organisation already has a team {slug!r}")
        return slug[:SLUG_LENGTH]
    base = slugify(name)[: SLUG_LENGTH - 4].strip("-") or "team"
    slug, number = base, 2
    while slug in taken:
        slug, number = f"{base}-{number}", number + 1
    return slug


TEAM_FIELDS = ["name", "slug", "parent", "lead", "phase", "archived_at"]


def do_create_team(access: Access, data: TeamInput, actor: Any) -> Team:
    """Create a team (owners and admins); the slug comes from the name unless given."""
    check_manage_team(access, None, "create teams", lead_may=False)
    name = check_team_name(data.name)
    check_parent(access, None, data.parent)
    check_lead(access, data.lead)
    with writes.atomic():
        team = Team.objects.create(
            organization=access.organization,
            slug=_team_slug(access, name, data.slug),
            name=name,
            parent=data.parent,
            lead=data.lead,
        )
        record(access.organization.pk, actor, "create", team, after=snapshot(team, TEAM_FIELDS))
    return team


def do_edit_team(access: Access, team: Team, edit: TeamEdit, actor: Any) -> Team:
    """Rename, move, set the lead, phase or members, all or nothing.

    A team's lead may rename their own team and set its members, and nothing more.
    """
    changes = edit.changes()
    lead_may = set(changes) <= LEAD_MAY_EDIT
    check_manage_team(access, team, "move a team or change its lead", lead_may=lead_may)
    members = changes.pop("members", None)
    for membership in members or []:
        _check_membership(access, membership)
    if "name" in changes:
        changes["name"] = check_team_name(changes["name"])
    if "parent" in changes:
        check_parent(access, team, changes["parent"])
    if "lead" in changes:
        check_lead(access, changes["lead"])
    if changes.get("phase", "") not in ("", *Team.Phase.values):
        raise ActionError("phase", f"choose one of {', '.join(Team.Phase.values)}")
    with writes.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if edit.expected_version is not None and edit.expected_version != locked.version:
            raise Conflict(
                locked.version,
                f"{locked.name} was changed by someone else since you opened it: "
                "check the current values below, then save again.",
            )
        before = snapshot(locked, list(changes))
        for name, value in changes.items():
            setattr(locked, name, value)
        if changes or members is not None:
            locked.version += 1
            locked.save(update_fields=[*changes, "version"])
        after = snapshot(locked, list(changes))
        if after != before:
            record(access.organization.pk, actor, "update", locked, before=before, after=after)
        if members is not None:
            do_set_team_members(access, locked, members, actor)
    return locked


def _set_archived(access: Access, team: Team, archived: bool, actor: Any) -> Team:
    """Archive or bring back a team (owners and admins), audited."""
    doing = "archive teams" if archived else "bring back archived teams"
    check_manage_team(access, team, doing, lead_may=False)
    with writes.atomic():
        locked = Team.objects.select_for_update().get(pk=team.pk)
        if (locked.archived_at is not None) == archived:
            return locked
        before = snapshot(locked, ["archived_at"])
        locked.archived_at = timezone.now() if archived else None
        locked.save(update_fields=["archived_at"])
        action = "archive" if archived else "unarchive"
        after = snapshot(locked, ["archived_at"])
        record(access.organization.pk, actor, action, locked, before=before, after=after)
    return locked


def do_archive_team(access: Access, team: Team, actor: Any) -> Team:
    """Archive a team: it takes no new objectives; its history stays readable."""
    return _set_archived(access, team, True, actor)


def do_unarchive_team(access: Access, team: Team, actor: Any) -> Team:
    """Bring an archived team back: it takes new objectives again."""
    return _set_archived(access, team, False, actor)


def _check_membership(access: Access, membership: Membership) -> None:
    """Refuse a membership of another organisation or a deactivated person."""
    if membership.organization_id != access.organization.pk:
        raise ActionError("username", "no such member in this organisation")
    if membership.deactivated_at is not None:
        raise ActionError("username", f"{membership.user} is deactivated")


def do_add_team_member(access: Access, team: Team, membership: Membership, actor: Any) -> None:
    """List a person in the team (admins, or the team's own lead)."""
    check_manage_team(access, team, "add members to this team", lead_may=True)
    _check_membership(access, membership)
    with writes.atomic():
        if membership.teams.filter(pk=team.pk).exists():
            return
        membership.teams.add(team)
        after = {"member": membership.user.get_username()}
        record(access.organization.pk, actor, "add_member", team, after=after)


def do_remove_team_member(access: Access, team: Team, membership: Membership, actor: Any) -> None:
    """Take a person off the team (admins, or the team's own lead)."""
    check_manage_team(access, team, "remove members from this team", lead_may=True)
    if membership.organization_id != access.organization.pk:
        raise ActionError("username", "no such member in this organisation")
    with writes.atomic():
        if not membership.teams.filter(pk=team.pk).exists():
            return
        membership.teams.remove(team)
        before = {"member": membership.user.get_username()}
        record(access.organization.pk, actor, "remove_member", team, before=before)


def do_set_team_members(
    access: Access, team: Team, memberships: list[Membership], actor: Any
) -> None:
    """Make the team's members exactly these people, adding and removing in one transaction."""
    check_manage_team(access, team, "change this team's members", lead_may=True)
    for membership in memberships:
        _check_membership(access, membership)
    wanted = {membership.pk: membership for membership in memberships}
    with writes.atomic():
        current = {m.pk: m for m in Membership.objects.restrict(access).filter(teams=team)}
        for pk in current.keys() - wanted.keys():
            do_remove_team_member(access, team, current[pk], actor)
        for pk in wanted.keys() - current.keys():
            do_add_team_member(access, team, wanted[pk], actor)
