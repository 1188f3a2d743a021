"""Who is calling the API: a personal access token (Bearer) or the web app's own session."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.errors import AuthenticationError, AuthorizationError
from ninja.security import HttpBearer, SessionAuth

from constellation.server.api.errors import FieldError
from constellation.server.errors import NotFound
from constellation.server.orgs.access import Access, access_org
from constellation.server.tokens.access import find_live_token
from constellation.server.tokens.actions import do_note_use
from constellation.server.tokens.models import READ, ApiToken

if TYPE_CHECKING:
    from django.contrib.auth.models import User

BAD_TOKEN = "Invalid or revoked token: send `Authorization: Bearer <token>` with a live token."
EXPIRED_TOKEN = "This token has expired: create a new one (`okr token create` or the Tokens page)."
READ_ONLY_TOKEN = (
    "This token's scope is read: it may only GET. Create a token with the write scope to "
    "change anything."
)
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class BearerToken(HttpBearer):
    """`Authorization: Bearer okr_…`: a token works for its own organisation only."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        """The live token with this plaintext, else a 401 (never falls back to the session)."""
        # Looked up on every call, never cached: a revoked token is refused at once.
        found = find_live_token(token.strip())
        if found is None or not found.user.is_active:
            raise AuthenticationError(401, BAD_TOKEN)
        if found.is_expired(timezone.now()):
            raise AuthenticationError(401, EXPIRED_TOKEN)
        # Refused before any view runs, so no endpoint can forget the scope.
        if found.scope == READ and request.method not in SAFE_METHODS:
            raise AuthorizationError(403, READ_ONLY_TOKEN)
        do_note_use(found)
        request.user = found.user
        # Attributes of this request only (HttpRequest declares no such fields); read back with
        # getattr, so a session-authenticated request simply has none.
        request.organization = found.organization  # type: ignore[attr-defined]
        request.api_token = found  # type: ignore[attr-defined]
        return found


class Session(SessionAuth):
    """The web app's logged-in session; writes need the CSRF token as any form post does."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        """The logged-in person, if any."""
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


def api_user(request: HttpRequest) -> User:
    """The person the API's authentication signed in; 401 for anyone else."""
    user = request.user
    if not user.is_authenticated:
        raise AuthenticationError()
    return user


def refuse_nul(request: HttpRequest) -> None:
    """404 for a NUL in the address, 422 naming a query parameter that holds one."""
    # PostgreSQL cannot compare text with NUL: any lookup by such an id or filter is a 500.
    if "\x00" in request.path:
        raise NotFound("No such object")
    for name, values in request.GET.lists():
        if any("\x00" in value for value in values):
            message = "must not contain the NUL character (\\u0000)"
            raise FieldError(name, message, source="query")


def api_access(request: HttpRequest, org: str, *, write: bool = False) -> Access:
    """The caller's access to organisation `org`; 404 outside it or outside the token's org."""
    refuse_nul(request)
    token = getattr(request, "api_token", None)
    if token is not None and token.organization.slug != org:
        raise NotFound("No such organisation")
    return access_org(request.user, org, write=write)


bearer = BearerToken()
session = Session()
