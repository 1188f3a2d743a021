"""`okr webhook list|add|remove|rotate-secret|test|deliveries`: an organisation's outbound
webhooks from the server's command line, through the same actions as the Integrations page and
the API (an owner or admin named by `--user` acts; the history records them)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar

import typer

from constellation.cli.app import app, console
from constellation.cli.token_commands import _bad_input, _member, _organization, _setup, _when

webhook_app = typer.Typer(
    help="Outbound webhooks: list, add (the signing secret shown once), remove, rotate the "
    "secret, send a test event, read the delivery log.",
    no_args_is_help=True,
)
app.add_typer(webhook_app, name="webhook")

Org = Annotated[str, typer.Option("--org", help="The organisation's slug.")]
User = Annotated[
    str, typer.Option("--user", help="The username of an owner or admin, who acts (audited).")
]
HookId = Annotated[int, typer.Argument(metavar="ID", help="The webhook's id (okr webhook list).")]
T = TypeVar("T")


def _access(org: str, user: str) -> tuple[Any, Any]:
    """The organisation as `user` sees it, able to write, and the person; exit 2 otherwise."""
    from constellation.server.errors import ReadOnly
    from constellation.server.orgs.access import access_org

    organization = _organization(org)
    person = _member(organization, user)
    try:
        return access_org(person, organization.slug, write=True), person
    except ReadOnly:
        _bad_input(f"{user!r} may not change anything in {org!r}: ask an owner or admin")


def _act(action: Callable[[], T]) -> T:
    """Run an action; its refusal is one line naming the option, and exit 2."""
    from constellation.server.errors import ActionError, NotAllowed, NotFound

    try:
        return action()
    except ActionError as error:
        option = {"url": "--url", "events": "--event", "description": "--description"}
        _bad_input(f"{option.get(error.field, error.field)}: {error.message}")
    except NotAllowed as error:
        _bad_input(str(error) or "only owners and admins manage webhooks")
    except NotFound as error:
        _bad_input(f"{error} (see `okr webhook list`)")


def _opened(org: str, user: str, hook_id: int) -> tuple[Any, Any, Any]:
    """The database opened, the organisation as `user` acts in it, the person and webhook
    `hook_id`; exit 2 saying which is wrong."""
    _setup()
    from constellation.server.integrations.access import access_webhook

    access, person = _access(org, user)
    return access, person, _act(lambda: access_webhook(access, hook_id))


def _show_secret(message: str, secret: str | None) -> None:
    """Say what the secret is for, then the secret alone on its line, never wrapped, so a
    script can capture it."""
    console.print(f"{message}; copy it now: it is shown only this once.", soft_wrap=True)
    typer.echo(secret)


@webhook_app.command("list")
def list_webhooks(org: Org, user: User) -> None:
    """List the organisation's webhooks and chat channels (never their secrets)."""
    _setup()
    from constellation.server.integrations.access import webhooks_of

    access, _person = _access(org, user)
    hooks = list(webhooks_of(access))
    if not hooks:
        console.print(f"No webhooks in {org} yet: add one with `okr webhook add`.")
        return
    console.print(f"Webhooks and channels of {org}:")
    for hook in hooks:
        team = f"team {hook.team.name}" if hook.team else "whole organisation"
        about = f"  “{hook.description}”" if hook.description else ""
        console.print(
            f"{hook.pk}  {hook.get_kind_display()}  {hook.url}{about}  "
            f"events: {', '.join(hook.events) or 'all'}  {team}  "
            f"{'enabled' if hook.enabled else 'disabled'}  created {_when(hook.created_at)}",
            soft_wrap=True,
            highlight=False,
        )


@webhook_app.command("add")
def add(
    org: Org,
    user: User,
    url: Annotated[str, typer.Option("--url", help="The https address to deliver to.")],
    event: Annotated[
        list[str] | None,
        typer.Option("--event", help="An event type to send (repeat it; none: every type)."),
    ] = None,
    description: Annotated[
        str, typer.Option("--description", help="What it is for, to recognise it by.")
    ] = "",
) -> None:
    """Subscribe URL to the organisation's events and print its signing secret, this once."""
    _setup()
    from constellation.server.integrations.actions import WebhookInput, do_create_webhook

    access, person = _access(org, user)
    data = WebhookInput(url=url, events=list(event or []), description=description)
    hook, secret = _act(lambda: do_create_webhook(access, data, person))
    events = ", ".join(hook.events) or "every event type"
    _show_secret(
        f"Added webhook {hook.pk} for {events} to {hook.url}. Verify each delivery's "
        "signature with this secret (Standard Webhooks)",
        secret,
    )


@webhook_app.command("remove")
def remove(hook_id: HookId, org: Org, user: User) -> None:
    """Delete a webhook with its delivery log."""
    access, person, hook = _opened(org, user, hook_id)
    from constellation.server.integrations.actions import do_delete_webhook

    address = hook.url
    _act(lambda: do_delete_webhook(access, hook, person))
    console.print(f"Removed webhook {hook_id} ({address}) and its delivery log.")


@webhook_app.command("rotate-secret")
def rotate_secret(hook_id: HookId, org: Org, user: User) -> None:
    """Give a webhook a new signing secret and print it, this once; the old one stops now."""
    access, person, hook = _opened(org, user, hook_id)
    from constellation.server.integrations.actions import do_rotate_webhook_secret

    secret = _act(lambda: do_rotate_webhook_secret(access, hook, person))
    _show_secret(
        f"Webhook {hook_id} signs with a new secret from now on; the old one no longer verifies",
        secret,
    )


@webhook_app.command("test")
def send_test(hook_id: HookId, org: Org, user: User) -> None:
    """Queue a `webhook.test` event for a webhook; the worker sends it and logs the answer."""
    access, person, hook = _opened(org, user, hook_id)
    from constellation.server.integrations.actions import do_send_test_event

    delivery = _act(lambda: do_send_test_event(access, hook, person))
    console.print(
        f"Queued test event {delivery.message_id} for webhook {hook_id}: the worker sends "
        f"it; see `okr webhook deliveries {hook_id} --org {org} --user {user}`.",
        soft_wrap=True,
    )


@webhook_app.command("deliveries")
def deliveries(
    hook_id: HookId,
    org: Org,
    user: User,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many, newest first.")] = 20,
) -> None:
    """A webhook's deliveries, newest first: event, state, attempts and the last answer."""
    access, _person, hook = _opened(org, user, hook_id)
    from constellation.server.integrations.access import deliveries_of

    rows = list(deliveries_of(access, hook)[:limit])
    if not rows:
        console.print(f"Webhook {hook_id} has delivered nothing yet.")
        return
    console.print(f"Deliveries of webhook {hook_id} ({hook.url}), newest first:")
    for delivery in rows:
        tries = list(delivery.tries.all())
        last = tries[-1] if tries else None
        answer = "no attempt yet"
        if last is not None:
            answer = f"HTTP {last.status_code}" if last.status_code else (last.error or "no answer")
        console.print(
            f"{delivery.message_id}  {delivery.event_type}  {_when(delivery.created_at)}  "
            f"{delivery.state}  {delivery.attempts} attempt(s)  last: {answer}",
            soft_wrap=True,
            highlight=False,
        )
