"""The caller's own personal access tokens in one organisation."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router, Status
from ninja.errors import AuthorizationError

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.schemas import (
    Message,
    TokenCreated,
    TokenIn,
    TokenOut,
    ValidationProblems,
)
from constellation.server.tokens.access import access_token, tokens_of
from constellation.server.tokens.actions import TokenError, do_create_token, do_revoke_token
from constellation.server.tokens.models import ApiToken

router = Router(tags=["tokens"])
READ = {401: Message, 404: Message}
USAGE = "Send it as `Authorization: Bearer {token}`; it is shown only this once."
NOT_FROM_A_TOKEN = (
    "Tokens are created from a signed-in session or the command line, never by a token."
)


def token_out(token: ApiToken) -> dict[str, Any]:
    """A token without its secret."""
    return {
        "id": token.pk,
        "name": token.name,
        "hint": token.hint,
        "created_at": token.created_at,
        "last_used_at": token.last_used_at,
        "revoked": token.revoked,
        "scope": token.scope,
        "expires_at": token.expires_at,
    }


@router.get("/orgs/{org}/tokens", response={200: list[TokenOut], **READ})
def list_tokens(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The caller's tokens in this organisation, newest first."""
    access = api_access(request, org)
    return [token_out(token) for token in tokens_of(access)]


@router.post(
    "/orgs/{org}/tokens",
    response={201: TokenCreated, **READ, 403: Message, 422: ValidationProblems},
    description=(
        "Viewers may create tokens too: a token never grants more than its owner's role. "
        "Only the web app's session may call this: a token never creates a token (403)."
    ),
)
def create_token(
    request: HttpRequest, response: HttpResponse, org: str, payload: TokenIn
) -> Status[dict[str, Any]]:
    """A new token for the caller in this organisation; its plaintext is in this answer only."""
    # The plaintext is in this answer only: no cache may keep a copy.
    response["Cache-Control"] = "no-store"
    access = api_access(request, org)  # first: another organisation's stays a 404
    # A leaked token must not be able to mint further tokens that outlive its revocation.
    if getattr(request, "api_token", None) is not None:
        raise AuthorizationError(403, NOT_FROM_A_TOKEN)
    try:
        token, plaintext = do_create_token(
            request.user,
            access.organization,
            payload.name,
            scope=payload.scope,
            expires_in_days=payload.expires_in_days,
        )
    except TokenError as error:
        raise FieldError(error.field, error.message) from error
    body = {**token_out(token), "token": plaintext, "usage": USAGE.format(token=plaintext)}
    return Status(201, body)


@router.delete("/orgs/{org}/tokens/{token_id}", response={204: None, **READ})
def revoke_token(request: HttpRequest, org: str, token_id: int) -> Status[None]:
    """Revoke one of the caller's own tokens here (anyone else's: 404)."""
    access = api_access(request, org)
    do_revoke_token(access_token(access, token_id), request.user)
    return Status(204, None)
