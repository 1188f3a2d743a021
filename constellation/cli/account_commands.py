"""`okr org create` and `okr user create`: the first admin (and others) from a script."""

from __future__ import annotations

import sys
from typing import Annotated, Any, NoReturn

import typer

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.cli.server_commands import _database_or_exit

org_app = typer.Typer(help="Organisations: create one for real use.", no_args_is_help=True)
user_app = typer.Typer(
    help="Accounts: create one, with a role in an organisation.", no_args_is_help=True
)
app.add_typer(org_app, name="org")
app.add_typer(user_app, name="user")

ROLES = "owner, admin, leader, member or viewer"


def _bad_input(command: str, message: str) -> NoReturn:
    """One line on standard error, then exit 2."""
    err_console.print(f"okr {command}: {message}", markup=False, highlight=False, soft_wrap=True)
    raise typer.Exit(EXIT_BAD_INPUT)


@org_app.command("create")
def create_org(
    slug: Annotated[str, typer.Argument(help="In every address: letters, digits, hyphens.")],
    name: Annotated[str, typer.Option("--name", help="The organisation's name.")],
) -> None:
    """Create an empty organisation (add its owner with `okr user create --org SLUG`)."""
    _database_or_exit("org create")
    from django.db import transaction

    from constellation.server.accounts.actions import NewOrganization, do_create_organization
    from constellation.server.errors import ActionError
    from constellation.server.okrs.actions import do_start_first_period

    try:
        # One transaction: the organisation never exists without its first period, in which
        # its people can draft at once.
        with transaction.atomic():
            organization = do_create_organization(NewOrganization(slug=slug, name=name))
            do_start_first_period(organization)
    except ActionError as refused:
        _bad_input("org create", refused.message)
    console.print(
        f"Created the organisation {organization.slug!r} ({organization.name}). Add its owner "
        f"with: okr user create USERNAME --email EMAIL --org {organization.slug} --role owner",
        markup=False,
        soft_wrap=True,
    )


def _password_from_stdin() -> str:
    """The first line of standard input, without its line ending."""
    return sys.stdin.readline().rstrip("\r\n")


def _organization(slug: str | None) -> Any:
    """The organisation `slug` (None when not given), else exit 2 naming the known ones."""
    if slug is None:
        return None
    from constellation.server.orgs.access import find_organization, organization_slugs

    organization = find_organization(slug)
    if organization is None:
        known = ", ".join(organization_slugs()) or "none yet"
        _bad_input("user create", f"no organisation {slug!r} (known: {known})")
    return organization


@user_app.command("create")
def create_user(
    username: Annotated[str, typer.Argument(help="The name to log in with.")],
    email: Annotated[str, typer.Option("--email", help="Their email address.")],
    org: Annotated[
        str | None, typer.Option("--org", help="Make them a member of this organisation.")
    ] = None,
    role: Annotated[
        str | None, typer.Option("--role", help=f"Their role in --org: {ROLES} (default member).")
    ] = None,
    password_stdin: Annotated[
        bool,
        typer.Option(
            "--password-stdin",
            help="Read the password from standard input; else print a link to choose one.",
        ),
    ] = False,
) -> None:
    """Create an account; without --password-stdin print a one-time link to set the password."""
    if role is not None and org is None:
        _bad_input("user create", "--role needs --org: a role is held in an organisation")
    role = role or "member"
    password = _password_from_stdin() if password_stdin else ""
    if password_stdin and not password:
        _bad_input("user create", "--password-stdin: standard input held no password")
    _database_or_exit("user create")
    from constellation.server.accounts.access import set_password_url
    from constellation.server.accounts.actions import NewAccount, check_role, do_create_account
    from constellation.server.errors import ActionError

    try:
        check_role(role)
    except ActionError as refused:
        _bad_input("user create", f"--role: {refused.message}")
    organization = _organization(org)
    try:
        user = do_create_account(NewAccount(username, email, password), organization, role)
    except ActionError as refused:
        _bad_input("user create", f"{refused.field}: {refused.message}")
    where = f" as {role} of {organization.slug}" if organization is not None else ""
    console.print(f"Created the account {user.username!r}{where}.", markup=False)
    if not password:
        console.print(
            "Send them this one-time link to choose a password "
            "(it works once and expires in a few days):",
            markup=False,
        )
        typer.echo(set_password_url(user))
