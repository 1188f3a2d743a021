"""Every write to personal access tokens: create (plaintext shown once), revoke, note a use."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from constellation.server.audit.actions import record
from constellation.server.orgs.models import Organization
from constellation.server.tokens.models import SCOPES, WRITE, ApiToken, hash_token, new_token

# Enough of the end of a token to tell tokens apart in a list; never enough to guess it.
HINT_LENGTH = 4
NAME_LENGTH = 100
# Writing last_used_at on every call would turn each read into a write; once a minute is
# precise enough to tell a live token from a forgotten one.
LAST_USED_PRECISION = timedelta(minutes=1)
# A token for a year at most when it expires at all: longer is what "no expiry" is for.
MAX_EXPIRY_DAYS = 366


class TokenError(ValueError):
    """A token that cannot be created; `field` names the bad input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_token_input(name: str, scope: str, expires_in_days: int | None) -> None:
    """Refuse a name that is too long, an unknown scope or an expiry out of range."""
    if len(name) > NAME_LENGTH:
        raise TokenError("name", f"a token name has at most {NAME_LENGTH} characters")
    if scope not in SCOPES:
        raise TokenError("scope", f"the scope is one of {', '.join(SCOPES)}, not {scope!r}")
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_EXPIRY_DAYS:
        raise TokenError(
            "expires_in_days", f"a token expires in 1 to {MAX_EXPIRY_DAYS} days (or never)"
        )


def do_create_token(
    user: Any,
    organization: Organization,
    name: str = "",
    *,
    actor: Any = None,
    scope: str = WRITE,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    """A new token for `user` in `organization`, and its plaintext (shown once, stored hashed).

    `scope` is "read" (GET only) or "write"; the faces ask for read unless told otherwise.
    `expires_in_days` None means the token lives until revoked.
    """
    name = (name or "").strip()
    check_token_input(name, scope, expires_in_days)
    expires_at = None
    if expires_in_days is not None:
        expires_at = timezone.now() + timedelta(days=expires_in_days)
    plaintext = new_token()
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            organization=organization,
            name=name,
            token_hash=hash_token(plaintext),
            hint=plaintext[-HINT_LENGTH:],
            scope=scope,
            expires_at=expires_at,
        )
        # The audit event names the token, never its plaintext.
        record(
            organization.pk,
            actor if actor is not None else user,
            "create_token",
            token,
            after={
                "name": token.name,
                "user": user.get_username(),
                "hint": token.hint,
                "scope": token.scope,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return token, plaintext


def do_revoke_token(token: ApiToken, actor: Any = None) -> bool:
    """Revoke a token so it no longer opens the API; False when it was already revoked."""
    with transaction.atomic():
        updated = ApiToken.objects.filter(pk=token.pk, revoked=False).update(revoked=True)
        token.revoked = True
        if updated:
            _audit_revoke(token, actor)
    return bool(updated)


def _audit_revoke(token: ApiToken, actor: Any, reason: str = "") -> None:
    """The audit event of one revoked token."""
    record(
        token.organization_id,
        actor,
        "revoke_token",
        token,
        before={"revoked": False},
        after={"revoked": True},
        reason=reason,
    )


def do_revoke_tokens_of(organization: Organization, user: Any, actor: Any = None) -> int:
    """Revoke every live token of `user` in `organization`; how many were revoked.

    Deactivating a person calls this in its transaction: a revoked token stays revoked when
    they come back, so they make new ones. Each token revoked gets its own audit event.
    """
    with transaction.atomic():
        live = list(
            ApiToken.objects.restrict(organization)
            .filter(user=user, revoked=False)
            .select_for_update()
        )
        ApiToken.objects.filter(pk__in=[token.pk for token in live]).update(revoked=True)
        reason = f"{user.get_username()} was deactivated in {organization.name}"
        for token in live:
            token.revoked = True
            _audit_revoke(token, actor, reason)
    return len(live)


def do_note_use(token: ApiToken) -> None:
    """Note that the token opened the API now, at most once a minute."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    # Bookkeeping, not a change anyone made: no audit event, which would also bump the
    # organisation's revision and make every cached page stale on each API call.
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
