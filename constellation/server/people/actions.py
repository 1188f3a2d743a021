"""Writes of an organisation's people: invitations, roles, deactivation and reactivation.

Only owners and admins change people; only an owner makes or unmakes an owner; the last
active owner stays one; nobody changes their own role. Every write is audited in its
transaction, and every invitation email goes through the outbox in the same transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import dateformat, timezone

from constellation.server.audit.actions import record
from constellation.server.errors import ActionError, NotAllowed
from constellation.server.notifications.actions import do_queue_email
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Membership, Team
from constellation.server.people.access import Owned, has_other_active_membership, owned_by
from constellation.server.people.models import Invitation, new_invitation_token
from constellation.server.tokens.actions import do_revoke_tokens_of
from constellation.server.tokens.models import hash_token

ROLES = tuple(Membership.Role.values)
ADMINS_ONLY = "Only owners and admins of {org} manage its people; ask one of them."
OWNERS_ONLY = "Only an owner can make someone an owner or change an owner."


def invitation_days() -> int:
    """How many days an invitation link stays open (setting `INVITATION_DAYS`)."""
    return int(getattr(settings, "INVITATION_DAYS", 7))


def check_manages_people(access: Access) -> None:
    """Refuse anyone but an active owner or admin, saying who may."""
    if not access.is_admin:
        raise NotAllowed(ADMINS_ONLY.format(org=access.organization.name))
    access.require_write()


def check_role(access: Access, role: str, *, current: str | None = None) -> None:
    """Refuse an unknown role, and any owner change by someone who is not an owner."""
    if role not in ROLES:
        raise ActionError("role", f"Choose a role among {', '.join(ROLES)}.")
    touches_owner = Membership.Role.OWNER in {role, current}
    if touches_owner and access.membership.role != Membership.Role.OWNER:
        raise NotAllowed(OWNERS_ONLY)


def normalise_addresses(emails: Iterable[str]) -> list[str]:
    """The addresses, trimmed and lower-cased, each once, in the order given."""
    seen: dict[str, None] = {}
    for email in emails:
        cleaned = email.strip().strip(",;").strip().lower()
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def check_addresses(access: Access, emails: Sequence[str]) -> list[str]:
    """The addresses to invite; refuse none, bad ones, members and pending invitations."""
    addresses = normalise_addresses(emails)
    if not addresses:
        raise ActionError("emails", "Give at least one email address.")
    bad = [address for address in addresses if not _is_email(address)]
    if bad:
        raise ActionError("emails", f"Not an email address: {', '.join(bad)}.")
    members = sorted(
        {
            email.lower()
            for email in Membership.objects.restrict(access)
            .filter(_any_email("user__email", addresses))
            .values_list("user__email", flat=True)
        }
    )
    if members:
        raise ActionError("emails", f"Already in {access.organization.name}: {', '.join(members)}.")
    invited = sorted(
        {
            email.lower()
            for email in Invitation.objects.restrict(access)
            .filter(accepted_at__isnull=True, revoked_at__isnull=True)
            .filter(expires_at__gt=timezone.now(), email__in=addresses)
            .values_list("email", flat=True)
        }
    )
    if invited:
        raise ActionError(
            "emails", f"Already invited (resend their invitation instead): {', '.join(invited)}."
        )
    return addresses


def _is_email(address: str) -> bool:
    try:
        validate_email(address)
    except ValidationError:
        return False
    return True


def _any_email(lookup: str, addresses: list[str]) -> Q:
    """Rows whose address is one of these, whatever its case (people type it as they like)."""
    condition = Q()
    for address in addresses:
        condition |= Q(**{f"{lookup}__iexact": address})
    return condition


def check_teams(access: Access, teams: Iterable[Team]) -> list[Team]:
    """The teams, all of this organisation and not archived."""
    chosen = list(teams)
    foreign = [team for team in chosen if team.organization_id != access.organization.pk]
    if foreign:
        raise ActionError("teams", "No such team in this organisation.")
    archived = [team.name for team in chosen if team.archived_at is not None]
    if archived:
        raise ActionError("teams", f"Archived teams take nobody new: {', '.join(archived)}.")
    return chosen


def _link(token: str) -> str:
    """The absolute address of an invitation's link."""
    path = reverse("invitation", kwargs={"token": token})
    return f"{getattr(settings, 'SITE_URL', '').rstrip('/')}{path}"


def _email_invitation(invitation: Invitation, token: str, actor: Any) -> None:
    """Queue the invitation email (in the caller's transaction): the link and its expiry."""
    organization = invitation.organization
    who = (actor.get_full_name() or actor.get_username()) if actor is not None else "Someone"
    expires = dateformat.format(timezone.localtime(invitation.expires_at), "j F Y \\a\\t H:i T")
    body = (
        f"{who} invites you to join {organization.name} on Constellation as "
        f"{invitation.role}.\n\n"
        f"Open this link to choose your name and password and join:\n{_link(token)}\n\n"
        f"The link works once and expires on {expires}. If you did not expect this "
        "invitation, ignore this email."
    )
    do_queue_email([invitation.email], f"Join {organization.name} on Constellation", body)


def _open_link(invitation: Invitation) -> str:
    """Give the invitation a new token and expiry; the plaintext token, for the email."""
    token = new_invitation_token()
    invitation.token_hash = hash_token(token)
    invitation.expires_at = timezone.now() + timedelta(days=invitation_days())
    return token


def do_invite(
    access: Access, emails: Sequence[str], role: str, teams: Iterable[Team], actor: Any
) -> list[Invitation]:
    """Invite one or many addresses with a role and teams; each gets an email with its link.

    Refuses the lot when one address is bad, already a member or already invited, naming
    each such address, so nothing is sent twice.
    """
    check_manages_people(access)
    check_role(access, role)
    addresses = check_addresses(access, emails)
    chosen = check_teams(access, teams)
    made = []
    with transaction.atomic():
        for address in addresses:
            invitation = Invitation(
                organization=access.organization,
                email=address,
                role=role,
                invited_by=actor if getattr(actor, "pk", None) else None,
            )
            token = _open_link(invitation)
            invitation.save()
            invitation.teams.set(chosen)
            record(
                access.organization.pk,
                actor,
                "invite",
                invitation,
                after={"email": address, "role": role, "teams": [t.slug for t in chosen]},
            )
            _email_invitation(invitation, token, actor)
            made.append(invitation)
    return made


def check_not_closed(invitation: Invitation) -> None:
    """Refuse an invitation already accepted or revoked."""
    if invitation.accepted_at is not None:
        raise ActionError("invitation", f"{invitation.email} already accepted this invitation.")
    if invitation.revoked_at is not None:
        raise ActionError("invitation", f"The invitation of {invitation.email} was revoked.")


def do_resend_invitation(access: Access, invitation: Invitation, actor: Any) -> Invitation:
    """Send the invitation again with a new link and a new expiry; the old link dies."""
    check_manages_people(access)
    check_role(access, invitation.role)
    check_not_closed(invitation)
    with transaction.atomic():
        token = _open_link(invitation)
        invitation.save(update_fields=["token_hash", "expires_at"])
        record(
            access.organization.pk,
            actor,
            "resend_invitation",
            invitation,
            after={"expires_at": invitation.expires_at.isoformat()},
        )
        _email_invitation(invitation, token, actor)
    return invitation


def do_revoke_invitation(access: Access, invitation: Invitation, actor: Any) -> Invitation:
    """Revoke an invitation: its link no longer opens anything; the record stays."""
    check_manages_people(access)
    check_not_closed(invitation)
    with transaction.atomic():
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at"])
        record(access.organization.pk, actor, "revoke_invitation", invitation)
    return invitation


@dataclass(frozen=True, slots=True)
class NewAccount:
    """What a newcomer chooses when accepting an invitation."""

    username: str
    name: str
    password: str


def check_open(invitation: Invitation) -> None:
    """Refuse a link that was used, revoked or has expired, saying what to do."""
    check_not_closed(invitation)
    if invitation.expires_at <= timezone.now():
        raise ActionError(
            "invitation",
            "This invitation has expired. Ask an admin of "
            f"{invitation.organization.name} to send it again.",
        )


def check_new_account(account: NewAccount, email: str) -> None:
    """Refuse a taken address, a taken or empty username, and a weak password.

    The address is the invitation's: a second account with it would make single sign-on's
    match by address a guess (it refuses then), so its owner joins with the account they have.
    """
    User = get_user_model()
    if User.objects.filter(email__iexact=email.strip()).exists():
        raise ActionError(
            "__all__",
            f"An account already uses {email}: log in with it, then open this link again to join.",
        )
    username = account.username.strip()
    if not username:
        raise ActionError("username", "Choose a username.")
    try:
        User._meta.get_field("username").run_validators(username)
    except ValidationError as error:
        raise ActionError("username", " ".join(error.messages)) from error
    if User.objects.filter(username__iexact=username).exists():
        raise ActionError("username", f"The username {username} is taken; choose another.")
    candidate = User(username=username, email=email, first_name=account.name.strip()[:150])
    try:
        password_validation.validate_password(account.password, candidate)
    except ValidationError as error:
        raise ActionError("password", " ".join(error.messages)) from error


def do_accept_invitation(
    invitation: Invitation, *, account: NewAccount | None = None, user: Any = None
) -> Membership:
    """Accept as a new person (`account`) or as a signed-in `user`; their membership.

    A new person's account gets the invited address; the membership the invited role and teams.
    """
    check_open(invitation)
    if user is not None and getattr(user, "is_authenticated", False):
        return do_accept_invitation_as(invitation, user)
    if account is None:
        raise ActionError("username", "Choose a username, your name and a password.")
    check_new_account(account, invitation.email)
    with transaction.atomic():
        first, _, last = account.name.strip().partition(" ")
        try:
            with transaction.atomic():
                created = get_user_model().objects.create_user(
                    account.username.strip(),
                    invitation.email,
                    account.password,
                    first_name=first[:150],
                    last_name=last[:150],
                )
        except IntegrityError as error:  # taken between the check and the insert
            raise ActionError(
                "username", "That username was just taken; choose another."
            ) from error
        return do_accept_invitation_as(invitation, created)


def check_invited_address(invitation: Invitation, user: Any) -> None:
    """Refuse `user` when their address is not the invited one (whatever its case).

    Whoever holds a forwarded or leaked link must not join under their own account: the
    invitation is for its address, and only that address's account takes it.
    """
    email = (getattr(user, "email", "") or "").strip()
    if email.lower() != invitation.email.strip().lower():
        raise ActionError(
            "invitation",
            f"This invitation is for {invitation.email}; you are signed in as "
            f"{user.get_username()} ({email or 'no email address'}). Log out, then open the "
            "link again.",
        )


def do_accept_invitation_as(invitation: Invitation, user: Any) -> Membership:
    """Join `user` to the invitation's organisation with its role and teams; mark it used.

    Single sign-on calls this for an invited address; the web's accept page for a signed-in
    person. Only the account with the invited address joins. The invitation is locked, so one
    link never makes two memberships.
    """
    with transaction.atomic():
        locked = Invitation.objects.select_for_update().select_related("organization")
        invitation = locked.get(pk=invitation.pk)
        check_open(invitation)
        organization = invitation.organization
        existing = Membership.objects.restrict(organization).filter(user=user).first()
        if existing is not None:
            raise ActionError(
                "invitation",
                f"You are already in {organization.name}"
                + (
                    " (deactivated: ask an admin to reactivate you)."
                    if existing.deactivated_at
                    else "."
                ),
            )
        check_invited_address(invitation, user)
        membership = Membership.objects.create(
            organization=organization, user=user, role=invitation.role
        )
        membership.teams.set(invitation.teams.all())
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        invitation.accepted_at = timezone.now()
        invitation.accepted_by = user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        record(
            organization.pk,
            user,
            "accept_invitation",
            invitation,
            after={"username": user.get_username(), "role": invitation.role},
        )
    return membership


def check_changes_person(access: Access, membership: Membership, doing: str) -> None:
    """Refuse a change of someone else's organisation's person, or of oneself."""
    check_manages_people(access)
    if membership.organization_id != access.organization.pk:
        raise ActionError("member", "No such person in this organisation.")
    if membership.user_id == access.user_id:
        raise NotAllowed(f"Nobody can {doing} themselves; ask another owner or admin.")


def check_keeps_an_owner(access: Access, membership: Membership) -> None:
    """Refuse to take away the last active owner (call with the owners locked)."""
    if membership.role != Membership.Role.OWNER or membership.deactivated_at is not None:
        return
    owners = Membership.objects.restrict(access).filter(
        role=Membership.Role.OWNER, deactivated_at__isnull=True
    )
    if not owners.exclude(pk=membership.pk).exists():
        raise ActionError(
            "role",
            f"{membership.user.get_username()} is the last owner of "
            f"{access.organization.name}: make someone else an owner first.",
        )


def _lock_owners(access: Access) -> None:
    """Lock the organisation's owners, so two changes at once never remove the last one."""
    list(
        Membership.objects.restrict(access)
        .filter(role=Membership.Role.OWNER)
        .select_for_update()
        .values_list("pk", flat=True)
    )


def do_change_role(access: Access, membership: Membership, role: str, actor: Any) -> Membership:
    """Give a person another role in the organisation (owners: only by an owner)."""
    check_changes_person(access, membership, "change the role of")
    check_role(access, role, current=membership.role)
    if role == membership.role:
        return membership
    with transaction.atomic():
        _lock_owners(access)
        check_keeps_an_owner(access, membership)
        before = membership.role
        membership.role = role
        membership.save(update_fields=["role"])
        record(
            access.organization.pk,
            actor,
            "change_role",
            membership,
            before={"role": before},
            after={"role": role},
        )
    return membership


def do_deactivate(access: Access, membership: Membership, actor: Any) -> Owned:
    """Deactivate a person: their history stays, they no longer open the organisation.

    Someone with no other active membership can no longer sign in at all. Their API tokens of
    this organisation are revoked, so reactivating them later never revives a token that may
    have leaked meanwhile. Returns what they own here, so it can be handed over.
    """
    check_changes_person(access, membership, "deactivate")
    check_role(access, membership.role, current=membership.role)
    if membership.deactivated_at is None:
        with transaction.atomic():
            _lock_owners(access)
            check_keeps_an_owner(access, membership)
            membership.deactivated_at = timezone.now()
            membership.save(update_fields=["deactivated_at"])
            user = membership.user
            if user.is_active and not has_other_active_membership(user, membership):
                user.is_active = False
                user.save(update_fields=["is_active"])
            do_revoke_tokens_of(access.organization, user, actor)
            record(
                access.organization.pk,
                actor,
                "deactivate",
                membership,
                after={"deactivated_at": membership.deactivated_at.isoformat()},
            )
    return owned_by(access, membership.user)


def do_reactivate(access: Access, membership: Membership, actor: Any) -> Membership:
    """Let a deactivated person back in with the role they had; they can sign in again."""
    check_changes_person(access, membership, "reactivate")
    check_role(access, membership.role, current=membership.role)
    if membership.deactivated_at is None:
        return membership
    with transaction.atomic():
        before = membership.deactivated_at.isoformat()
        membership.deactivated_at = None
        membership.save(update_fields=["deactivated_at"])
        user = membership.user
        if not user.is_active:
            user.is_active = True
            user.save(update_fields=["is_active"])
        record(
            access.organization.pk,
            actor,
            "reactivate",
            membership,
            before={"deactivated_at": before},
            after={"deactivated_at": None},
        )
    return membership
