"""Who may sign in with single sign-on: returning people, invited addresses, allowed domains.

The provider has already proved who the person is (the OpenID Connect backend checked the
signed ID token); this module decides only whether that person may come in, and where to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from constellation.server.accounts.models import SsoIdentity
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError
from constellation.server.orgs.models import Membership, Organization
from constellation.server.people.access import find_pending_invitation
from constellation.server.people.actions import do_accept_invitation_as

# Django's username alphabet; anything else in an email's local part becomes a dot.
NOT_USERNAME = re.compile(r"[^\w.@+-]+")


@dataclass(frozen=True, slots=True)
class SsoClaims:
    """What the provider says about the person who signed in."""

    issuer: str
    subject: str
    email: str
    # None when the provider sends no `email_verified` claim at all.
    email_verified: bool | None
    given_name: str = ""
    family_name: str = ""


@dataclass(frozen=True, slots=True)
class SsoPolicy:
    """Who may join through single sign-on (from the OIDC_* settings)."""

    organization: str
    allowed_domains: tuple[str, ...] = ()
    new_role: str = Membership.Role.MEMBER


class SsoRefused(Exception):
    """A sign-in refused, with the reason in words for the person."""


def sign_in_with_sso(claims: SsoClaims, policy: SsoPolicy) -> Any:
    """The person these claims sign in as, joining an organisation on a first login.

    A returning person (found by the provider's subject, else by the verified address, with an
    active membership anywhere) signs in. Otherwise the address joins through its pending
    invitation (the invited role and teams), else through an allowed domain (the policy's
    organisation and role). A deactivated person, an unverified address and anyone else are
    refused with `SsoRefused`. The subject is kept, so the next login finds the same person
    even after the address changes at the provider.
    """
    email = claims.email.strip()
    if not email or "@" not in email:
        raise SsoRefused("Your provider did not send an email address, so you cannot sign in.")
    # The address finds invitations and accounts, so it must be one the provider vouches for;
    # a provider that sends no `email_verified` at all is trusted only when the operator says
    # so (OIDC_TRUST_EMAIL), since otherwise anyone at it could claim any address.
    trusted = claims.email_verified is True or (
        claims.email_verified is None and settings.OIDC_TRUST_EMAIL
    )
    if not trusted:
        raise SsoRefused(f"Your provider has not verified {email}; verify it there first.")
    with transaction.atomic():
        user = _find_user(claims)
        memberships = list(user.memberships.select_related("organization")) if user else []
        invitation = find_pending_invitation(email)
        if invitation is not None and not _member_of(memberships, invitation.organization_id):
            user = _join_by_invitation(email, claims, invitation, user)
        elif user is not None and not user.is_active:
            raise SsoRefused(f"{email} has been deactivated; ask an admin.")
        elif user is None or not any(m.deactivated_at is None for m in memberships):
            if memberships:
                _refuse_if_deactivated(email, memberships, memberships[0].organization_id)
            user = _join_by_domain(email, claims, policy, user)
        SsoIdentity.objects.get_or_create(
            issuer=claims.issuer, subject=claims.subject, defaults={"user": user}
        )
        return user


def email_domain(email: str) -> str:
    """The domain of an address, lower case."""
    return email.rsplit("@", 1)[-1].strip().lower()


def _find_user(claims: SsoClaims) -> Any | None:
    """The person the provider's subject was linked to, else the one with the address."""
    linked = (
        SsoIdentity.objects.filter(issuer=claims.issuer, subject=claims.subject)
        .select_related("user")
        .first()
    )
    if linked is not None:
        return linked.user
    # Two accounts with one address would make the match a guess: refuse instead.
    found = list(get_user_model().objects.filter(email__iexact=claims.email.strip())[:2])
    if len(found) > 1:
        raise SsoRefused(f"More than one account uses {claims.email}; ask an admin.")
    if not found:
        return None
    # An account already linked to another person at this provider is theirs: a second
    # subject showing the same address must not take it over.
    if SsoIdentity.objects.filter(issuer=claims.issuer, user=found[0]).exists():
        raise SsoRefused(
            f"{claims.email} is already linked to another sign-in at your provider; ask an admin."
        )
    return found[0]


def _member_of(memberships: list[Membership], org_id: int) -> bool:
    return any(membership.organization_id == org_id for membership in memberships)


def _join_by_invitation(email: str, claims: SsoClaims, invitation: Any, user: Any | None) -> Any:
    # An invitation to another organisation reactivates an account (as the invitation link
    # does); the organisation that deactivated the person is never rejoined this way.
    user = user or _create_user(email, claims)
    try:
        do_accept_invitation_as(invitation, user)
    except ActionError as error:
        raise SsoRefused(error.message) from error
    return user


def _refuse_if_deactivated(email: str, memberships: list[Membership], org_id: int) -> None:
    for membership in memberships:
        if membership.organization_id == org_id and membership.deactivated_at is not None:
            name = membership.organization.name
            raise SsoRefused(f"{email} has been deactivated in {name}; ask an admin.")


def _join_by_domain(email: str, claims: SsoClaims, policy: SsoPolicy, user: Any | None) -> Any:
    organization = Organization.objects.filter(slug=policy.organization).first()
    allowed = {domain.lower().lstrip("@") for domain in policy.allowed_domains}
    if organization is None or email_domain(email) not in allowed:
        name = organization.name if organization else "this organisation"
        raise SsoRefused(f"{email} is not invited to {name}; ask an admin to invite you.")
    role = policy.new_role if policy.new_role in Membership.Role.values else "member"
    # A newcomer by domain never becomes an owner: that is for an owner to give.
    if role == Membership.Role.OWNER:
        role = Membership.Role.MEMBER
    user = user or _create_user(email, claims)
    membership = Membership.objects.create(organization=organization, user=user, role=role)
    record(
        organization.pk,
        user,
        "join_by_sso",
        membership,
        after=snapshot(membership, ["user", "role"]),
        reason=f"single sign-on: {email_domain(email)} is an allowed domain",
    )
    return user


def _create_user(email: str, claims: SsoClaims) -> Any:
    model = get_user_model()
    base = NOT_USERNAME.sub(".", email.split("@", 1)[0]).strip(".")[:140] or "person"
    username, number = base, 1
    while model.objects.filter(username__iexact=username).exists():
        number += 1
        username = f"{base}{number}"
    # No password: create_user stores an unusable one, so only the provider signs them in.
    return model.objects.create_user(
        username,
        email=email,
        first_name=claims.given_name[:150],
        last_name=claims.family_name[:150],
    )
