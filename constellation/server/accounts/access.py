"""Reads of accounts: whether the site still needs its first admin, setup links, profiles."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from constellation.server.accounts.models import Profile, SetupLink
from constellation.server.tokens.models import hash_token


def site_has_users() -> bool:
    """Whether anyone has an account yet; from then on no setup link works."""
    return get_user_model().objects.exists()


def setup_link_state(token: str) -> str:
    """`open`, `used` (used, or the site has people now) or `unknown` for a setup token."""
    link = SetupLink.objects.filter(token_hash=hash_token(token)).first()
    if link is None:
        return "unknown"
    if link.used_at is not None or site_has_users():
        return "used"
    return "open"


def setup_url(token: str) -> str:
    """The full address of a setup link, after SITE_URL."""
    return _site_url(reverse("setup", kwargs={"token": token}))


def set_password_url(user: Any) -> str:
    """A one-time link to choose a password: Django's reset token, dead once it is used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return _site_url(reverse("password-reset-confirm", kwargs={"uidb64": uid, "token": token}))


def _site_url(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def profile_of(user: Any) -> Profile:
    """The person's profile; an unsaved one with the defaults when they never saved theirs."""
    return Profile.objects.filter(user=user).first() or Profile(user=user)


def users_with_email(email: str) -> list[Any]:
    """The active accounts whose address is `email` (case aside), for password resets."""
    users = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True)
    return [user for user in users if user.email.casefold() == email.strip().casefold()]
