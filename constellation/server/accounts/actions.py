"""Every write of accounts: the first admin's setup, organisations and accounts made by an
operator, and a person's profile. Each refusal is an `ActionError` naming the field."""

from __future__ import annotations

import hashlib
import secrets
import zoneinfo
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email, validate_slug
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from constellation.server.accounts.access import site_has_users
from constellation.server.accounts.models import Profile, SetupLink
from constellation.server.audit.actions import record
from constellation.server.errors import ActionError, NotFound
from constellation.server.notifications.actions import do_queue_email
from constellation.server.orgs.models import Membership, Organization
from constellation.server.tokens.models import hash_token

SLUG_LENGTH = 60
NAME_LENGTH = 200
USERNAME_LENGTH = 150


@dataclass(frozen=True, slots=True)
class NewOrganization:
    """An organisation to create: its slug (in every address) and its name."""

    slug: str
    name: str


@dataclass(frozen=True, slots=True)
class NewAccount:
    """An account to create; `password` empty means none yet (a set-password link follows)."""

    username: str
    email: str
    password: str = ""
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True, slots=True)
class ProfileEdit:
    """What a person may change about themselves."""

    first_name: str
    last_name: str
    email: str
    time_zone: str
    email_notifications: bool
    email_digests: bool


def do_create_setup_link() -> str | None:
    """A new one-time setup link's token while the site has no user, else None."""
    if site_has_users():
        return None
    token = secrets.token_urlsafe(32)
    SetupLink.objects.create(token_hash=hash_token(token))
    return token


def check_organization(data: NewOrganization) -> NewOrganization:
    """Refuse a bad or taken slug and an empty or too long name; the cleaned input."""
    slug, name = data.slug.strip(), data.name.strip()
    if not slug:
        raise ActionError("slug", "the organisation needs a slug (letters, digits, - and _)")
    try:
        validate_slug(slug)
    except ValidationError:
        raise ActionError(
            "slug", f"{slug!r} is not a slug: use letters, digits, hyphens and underscores"
        ) from None
    if len(slug) > SLUG_LENGTH:
        raise ActionError("slug", f"the slug is longer than {SLUG_LENGTH} characters")
    if Organization.objects.filter(slug__iexact=slug).exists():
        raise ActionError("slug", f"an organisation with the slug {slug!r} exists already")
    if not name:
        raise ActionError("name", "the organisation needs a name")
    if len(name) > NAME_LENGTH:
        raise ActionError("name", f"the name is longer than {NAME_LENGTH} characters")
    return NewOrganization(slug=slug, name=name)


def check_email(email: str, *, user: Any = None) -> str:
    """Refuse a malformed address or one another account uses; the cleaned address."""
    email = email.strip()
    try:
        validate_email(email)
    except ValidationError:
        raise ActionError("email", f"{email!r} is not an email address") from None
    others = get_user_model().objects.filter(email__iexact=email)
    if user is not None:
        others = others.exclude(pk=user.pk)
    if others.exists():
        raise ActionError("email", f"another account uses {email} already")
    return email


def check_password(password: str, user: Any = None) -> None:
    """Refuse a password Django's validators (AUTH_PASSWORD_VALIDATORS) call weak."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        raise ActionError("password", " ".join(error.messages)) from None


def check_account(data: NewAccount) -> NewAccount:
    """Refuse a bad or taken username, a bad or taken email, and a weak password."""
    username = data.username.strip()
    if not username:
        raise ActionError("username", "the account needs a username")
    try:
        get_user_model().username_validator(username)
    except ValidationError:
        raise ActionError(
            "username", f"{username!r} is not a username: use letters, digits and @ . + - _"
        ) from None
    if len(username) > USERNAME_LENGTH:
        raise ActionError("username", f"the username is longer than {USERNAME_LENGTH} characters")
    if get_user_model().objects.filter(username__iexact=username).exists():
        raise ActionError("username", f"the username {username!r} is taken")
    email = check_email(data.email)
    probe = get_user_model()(username=username, email=email, first_name=data.first_name)
    if data.password:
        check_password(data.password, probe)
    return NewAccount(
        username, email, data.password, data.first_name.strip(), data.last_name.strip()
    )


def check_role(role: str) -> str:
    """Refuse a role that is not one of the organisation's roles."""
    if role not in Membership.Role.values:
        known = ", ".join(Membership.Role.values)
        raise ActionError("role", f"{role!r} is not a role; one of: {known}")
    return role


@transaction.atomic
def do_create_organization(data: NewOrganization, actor: Any = None) -> Organization:
    """Create an empty organisation (audited in it); refused when the input is bad."""
    data = check_organization(data)
    organization = Organization.objects.create(slug=data.slug, name=data.name)
    record(organization.pk, actor, "create_organization", organization, after={"slug": data.slug})
    return organization


@transaction.atomic
def do_create_account(
    data: NewAccount,
    organization: Organization | None = None,
    role: str = Membership.Role.MEMBER,
    actor: Any = None,
) -> Any:
    """Create an account (with no usable password when none is given) and its membership.

    Without a password the person chooses one through a set-password link
    (`access.set_password_url`).
    """
    data = check_account(data)
    role = check_role(role)
    user = get_user_model().objects.create_user(
        data.username,
        data.email,
        data.password or None,
        first_name=data.first_name,
        last_name=data.last_name,
    )
    if organization is not None:
        membership = Membership.objects.create(organization=organization, user=user, role=role)
        after = {"username": user.username, "role": role}
        record(organization.pk, actor, "create_account", membership, after=after)
    return user


@transaction.atomic
def do_complete_setup(token: str, organization: NewOrganization, owner: NewAccount) -> Any:
    """Use a setup link: create the organisation and its owner; the link is dead afterwards.

    Refused (`NotFound`) once the link was used or anyone has an account. Every open link is
    locked first, so two people submitting two links at once cannot both become the first
    owner: the second waits, then finds an account and is refused.
    """
    open_links = SetupLink.objects.select_for_update().filter(used_at__isnull=True)
    link = next((row for row in open_links if row.token_hash == hash_token(token)), None)
    if link is None or site_has_users():
        raise NotFound("This setup link is no longer valid")
    if not owner.password:
        raise ActionError("password", "choose a password")
    data = check_organization(organization)
    created = do_create_organization(data)
    user = do_create_account(owner, created, Membership.Role.OWNER)
    SetupLink.objects.filter(pk=link.pk).update(used_at=timezone.now())
    return user


def check_time_zone(name: str) -> str:
    """Refuse a name that is not a time zone of the IANA database (e.g. Europe/Paris)."""
    name = name.strip()
    if name not in zoneinfo.available_timezones():
        raise ActionError("time_zone", f"{name!r} is not a time zone, e.g. Europe/Paris")
    return name


@transaction.atomic
def do_update_profile(user: Any, edit: ProfileEdit) -> Profile:
    """Save what a person changed about themselves: name, time zone, which emails.

    A new email address is not saved here: it waits for `do_confirm_email`, through a link
    sent to that address (`email_change_link`), so nobody can claim an address they do not
    read (single sign-on and invitations find people by their address).
    """
    if edit.email.strip().lower() != (user.email or "").lower():
        check_email(edit.email, user=user)
    time_zone = check_time_zone(edit.time_zone)
    first, last = edit.first_name.strip()[:150], edit.last_name.strip()[:150]
    get_user_model().objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.first_name, user.last_name = first, last
    profile, _ = Profile.objects.update_or_create(
        user=user,
        defaults={
            "time_zone": time_zone,
            "email_notifications": edit.email_notifications,
            "email_digests": edit.email_digests,
        },
    )
    return profile


EMAIL_CHANGE_SALT = "constellation.accounts.email-change"
EMAIL_CHANGE_DAYS = 2


def do_request_email_change(user: Any, email: str) -> None:
    """Email a confirmation link to the new address; the address changes only once it is used."""
    address = check_email(email, user=user)
    token = signing.dumps({"user": user.pk, "email": address}, salt=EMAIL_CHANGE_SALT)
    link = settings.SITE_URL.rstrip("/") + reverse("confirm-email", kwargs={"token": token})
    body = (
        f"Someone asked to use {address} for the Constellation account {user.get_username()}.\n"
        f"If it was you, open this link within {EMAIL_CHANGE_DAYS} days to confirm:\n\n{link}\n\n"
        "If it was not you, ignore this email: nothing changes."
    )
    do_queue_email([address], "Confirm your new email address", body)


def do_confirm_email(user: Any, token: str) -> str:
    """Change the person's address to the one the link was sent to; the new address."""
    try:
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_DAYS * 86400)
    except signing.BadSignature as error:
        raise ActionError("token", "This confirmation link is not valid or has expired.") from error
    if data.get("user") != user.pk:
        raise ActionError("token", "This confirmation link belongs to another account.")
    address = check_email(str(data.get("email", "")), user=user)
    with transaction.atomic():
        get_user_model().objects.filter(pk=user.pk).update(email=address)
    user.email = address
    return str(address)


# Password-reset emails one address may be sent in an hour: enough to retry, too few to flood.
RESET_EMAILS_PER_HOUR = 3


def take_reset_email_slot(address: str) -> bool:
    """Whether another password-reset email may go to `address` now (and count it if so).

    Counted in Django's cache (shared by every process where a shared cache is configured);
    the reset page answers the same either way, so the limit tells nobody anything.
    """
    key = "password-reset:" + hashlib.sha256(address.strip().lower().encode()).hexdigest()
    cache.add(key, 0, timeout=3600)
    try:
        sent = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=3600)
        sent = 1
    return sent <= RESET_EMAILS_PER_HOUR
