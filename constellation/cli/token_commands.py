"""`okr token create|list|revoke`: personal access tokens for the REST API."""

from __future__ import annotations

from typing import Annotated, Any, NoReturn

import typer
from rich.table import Table

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.cli.server_commands import setup_django

token_app = typer.Typer(
    help="Personal access tokens for the REST API (stored hashed; shown once).",
    no_args_is_help=True,
)
app.add_typer(token_app, name="token")


def _bad_input(message: str) -> NoReturn:
    err_console.print(f"error: {message}", soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


def _setup() -> None:
    """Django and its database, or exit 2 saying what is wrong with the configuration."""
    try:
        setup_django()
    except Exception as error:
        # Settings and connection problems (a bad DATABASE_URL, a server that is down) are
        # the operator's input: a clear message, never a traceback.
        from django.core.exceptions import ImproperlyConfigured
        from django.db import DatabaseError

        if not isinstance(error, ValueError | ImproperlyConfigured | DatabaseError):
            raise
        _bad_input(f"cannot open the database: {error}".strip())


def _organization(slug: str) -> Any:
    """The organisation `slug`, else exit 2 naming the ones that exist."""
    from constellation.server.orgs.access import find_organization, organization_slugs

    organization = find_organization(slug)
    if organization is None:
        known = ", ".join(organization_slugs()) or "none yet"
        _bad_input(f"no organisation {slug!r} (known: {known})")
    return organization


def _member(organization: Any, username: str) -> Any:
    """The user `username`, a member of the organisation, else exit 2."""
    from constellation.server.orgs.access import find_user, is_member

    user = find_user(username)
    if user is None:
        _bad_input(f"no user {username!r}")
    if not is_member(user, organization):
        _bad_input(
            f"{username!r} is not a member of {organization.slug!r}: "
            "a token opens only an organisation its owner belongs to"
        )
    return user


def _when(moment: Any) -> str:
    """A moment as the list shows it; "never" for none."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment else "never"


def _state(token: Any, now: Any) -> str:
    """revoked, expired or live."""
    if token.revoked:
        return "revoked"
    return "expired" if token.is_expired(now) else "live"


@token_app.command("create")
def create(
    org: Annotated[str, typer.Option("--org", help="The organisation's slug.")],
    user: Annotated[str, typer.Option("--user", help="The username the token acts as.")],
    name: Annotated[str, typer.Option("--name", help="A name to recognise it by.")] = "",
    scope: Annotated[
        str, typer.Option("--scope", help="read (GET only, the default) or write.")
    ] = "read",
    expires_in_days: Annotated[
        int | None,
        typer.Option("--expires-in-days", help="Days until it stops working (default: never)."),
    ] = None,
) -> None:
    """Create a token for USER in ORG and print it, this once."""
    _setup()
    from constellation.server.tokens.actions import TokenError, do_create_token

    organization = _organization(org)
    person = _member(organization, user)
    try:
        token, plaintext = do_create_token(
            person, organization, name, scope=scope, expires_in_days=expires_in_days
        )
    except TokenError as error:
        _bad_input(f"--{error.field.replace('_', '-')}: {error.message}")
    expiry = f"expires {token.expires_at:%Y-%m-%d %H:%M}" if token.expires_at else "no expiry"
    console.print(
        f"Created {token.scope} token {token.pk} ({token.name or 'no name'}, {expiry}) "
        f"for {user} in {org}. "
        "Copy it now: it is shown only this once and stored hashed.",
        soft_wrap=True,
    )
    # Plain output, never wrapped, so the token can be copied or captured by a script.
    typer.echo(plaintext)
    console.print(f"Use it as:  Authorization: Bearer {plaintext}", soft_wrap=True)
    console.print(
        f'  curl -H "Authorization: Bearer {plaintext}" '
        f"http://localhost:8000/api/v1/orgs/{org}/objectives",
        soft_wrap=True,
    )


@token_app.command("list")
def list_tokens(
    org: Annotated[str, typer.Option("--org", help="The organisation's slug.")],
) -> None:
    """List the organisation's tokens (never their secrets)."""
    _setup()
    from django.utils import timezone

    from constellation.server.tokens.access import tokens_of_organization

    organization = _organization(org)
    tokens = list(tokens_of_organization(organization))
    if not tokens:
        console.print(f"No API tokens in {organization.slug} yet.")
        return
    table = Table(title=f"API tokens of {organization.slug}")
    columns = ("id", "user", "name", "ends with", "scope", "created", "expires", "last used")
    for column in (*columns, "state"):
        table.add_column(column)
    now = timezone.now()
    for token in tokens:
        table.add_row(
            str(token.pk),
            token.user.get_username(),
            token.name or "-",
            f"…{token.hint}",
            token.scope,
            _when(token.created_at),
            _when(token.expires_at),
            _when(token.last_used_at),
            _state(token, now),
        )
    console.print(table)


@token_app.command("revoke")
def revoke(
    token_id: Annotated[int, typer.Argument(metavar="ID", help="The token's id (okr token list).")],
) -> None:
    """Revoke a token: it stops opening the API at once."""
    _setup()
    from constellation.server.tokens.access import find_token
    from constellation.server.tokens.actions import do_revoke_token

    token = find_token(token_id)
    if token is None:
        _bad_input(f"no token with id {token_id} (see `okr token list --org SLUG`)")
    if not do_revoke_token(token):
        console.print(f"Token {token_id} was already revoked.")
        return
    console.print(
        f"Revoked token {token_id} ({token.name or 'no name'}) of "
        f"{token.user.get_username()} in {token.organization.slug}."
    )
