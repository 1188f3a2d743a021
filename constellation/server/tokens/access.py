"""Reads of personal access tokens: a person's own, the one a request presents, an operator's.

A person only ever sees their own tokens in one organisation; anyone else's is `NotFound`. The
operator's reads (the `okr token` command, run on the server) see every token, as the admin does.
"""

from __future__ import annotations

from django.db.models import QuerySet

from constellation.server.errors import NotFound
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization
from constellation.server.tokens.models import ApiToken, hash_token


def find_live_token(plaintext: str) -> ApiToken | None:
    """The unrevoked token with this plaintext, with its person and organisation, or None."""
    # Not restricted to an organisation: the token is what tells which one the caller opens.
    return (
        ApiToken.objects.select_related("user", "organization")
        .filter(token_hash=hash_token(plaintext), revoked=False)
        .first()
    )


def tokens_of(access: Access) -> QuerySet[ApiToken]:
    """The person's own tokens in the organisation, newest first."""
    return ApiToken.objects.restrict(access).filter(user_id=access.user_id)


def access_token(access: Access, token_id: int) -> ApiToken:
    """One of the person's own tokens in the organisation, else NotFound (anyone else's too)."""
    token = tokens_of(access).filter(pk=token_id).first()
    if token is None:
        raise NotFound("No such token")
    return token


def tokens_of_organization(organization: Organization) -> QuerySet[ApiToken]:
    """Every token of the organisation with its person, newest first (for operators)."""
    return ApiToken.objects.restrict(organization).select_related("user")


def find_token(token_id: int) -> ApiToken | None:
    """Any token by its id, with its person and organisation (for operators), or None."""
    return ApiToken.objects.select_related("user", "organization").filter(pk=token_id).first()
