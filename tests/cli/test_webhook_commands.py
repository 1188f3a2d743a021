"""`okr webhook`: an organisation's webhooks from the command line, through the same actions
as the Integrations page and the API; deliveries reach a real receiver on 127.0.0.1."""

from __future__ import annotations

from typing import Any

import pytest
from standardwebhooks import Webhook as Verifier
from standardwebhooks.webhooks import WebhookVerificationError
from typer.testing import CliRunner

from constellation.cli.main import app
from constellation.server.audit.models import AuditEvent
from constellation.server.integrations.models import Delivery, Webhook
from tests.server.factories import World, make_world
from tests.server.receivers import receiver, run_queued

AS_ADMIN = ("--org", "acme", "--user", "admin")


@pytest.fixture
def world(db: None) -> World:
    """The standard organisation, people and OKRs of the server's tests."""
    return make_world()


def _run(*args: str) -> Any:
    return CliRunner().invoke(app, list(args))


def _secret(output: str) -> str:
    [secret] = [line for line in output.splitlines() if line.startswith("whsec_")]
    return secret


def test_an_admin_adds_a_webhook_tests_it_and_reads_its_delivery_log(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as hooks:
        added = _run("webhook", "add", *AS_ADMIN, "--url", hooks.url, "--event", "kpi.unhealthy")
        assert added.exit_code == 0, added.output
        assert "shown only this once" in added.output
        secret = _secret(added.output)
        hook = Webhook.objects.get()
        assert (hook.url, hook.events, hook.created_by) == (
            hooks.url,
            ["kpi.unhealthy"],
            world.admin,
        )
        assert AuditEvent.objects.filter(action="create_webhook", actor=world.admin).exists()
        listed = _run("webhook", "list", *AS_ADMIN)
        assert listed.exit_code == 0 and "kpi.unhealthy" in listed.output
        assert secret not in listed.output
        with django_capture_on_commit_callbacks(execute=True):
            tested = _run("webhook", "test", str(hook.pk), *AS_ADMIN)
        assert tested.exit_code == 0 and "Queued test event msg_" in tested.output
        assert run_queued("deliver_job") == [1]
    [got] = hooks.received
    Verifier(secret).verify(got.body, got.headers)
    assert got.json["type"] == "webhook.test"
    log = _run("webhook", "deliveries", str(hook.pk), *AS_ADMIN)
    assert log.exit_code == 0, log.output
    assert "webhook.test" in log.output and "delivered" in log.output and "200" in log.output


def test_a_rotated_secret_signs_from_then_on_and_removing_drops_the_log(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as hooks:
        added = _run("webhook", "add", *AS_ADMIN, "--url", hooks.url)
        old = _secret(added.output)
        hook = Webhook.objects.get()
        rotated = _run("webhook", "rotate-secret", str(hook.pk), *AS_ADMIN)
        assert rotated.exit_code == 0 and "old one no longer verifies" in rotated.output
        new = _secret(rotated.output)
        assert new != old
        with django_capture_on_commit_callbacks(execute=True):
            assert _run("webhook", "test", str(hook.pk), *AS_ADMIN).exit_code == 0
        assert run_queued("deliver_job") == [1]
    [got] = hooks.received
    Verifier(new).verify(got.body, got.headers)
    with pytest.raises(WebhookVerificationError):
        Verifier(old).verify(got.body, got.headers)
    removed = _run("webhook", "remove", str(hook.pk), *AS_ADMIN)
    assert removed.exit_code == 0 and "Removed webhook" in removed.output
    assert not Webhook.objects.exists() and not Delivery.objects.exists()
    assert "No webhooks in acme yet" in _run("webhook", "list", *AS_ADMIN).output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "--org", "acme", "--user", "member", "--url", "https://x.example"], "admins"),
        (["add", "--org", "acme", "--user", "viewer", "--url", "https://x.example"], "may not"),
        (["add", "--org", "acme", "--user", "outsider", "--url", "https://x.example"], "member"),
        (["add", "--org", "nope", "--user", "admin", "--url", "https://x.example"], "nope"),
        (["add", *AS_ADMIN, "--url", "ftp://x.example"], "--url:"),
        (["add", *AS_ADMIN, "--url", "https://x.example", "--event", "nonsense"], "--event:"),
        (["remove", "999", *AS_ADMIN], "No such webhook"),
        (["deliveries", "999", *AS_ADMIN], "okr webhook list"),
    ],
)
def test_refusals_are_one_line_naming_what_is_wrong(
    world: World, args: list[str], message: str
) -> None:
    result = _run("webhook", *args)
    assert result.exit_code == 2, result.output
    assert message in result.output and "Traceback" not in result.output
    assert not Webhook.objects.exists()
