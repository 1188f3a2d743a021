"""`okr org create` and `okr user create`: the first admin from a script, bad input refused."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.utils import timezone
from typer.testing import CliRunner, Result

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app
from constellation.core.periods import period_containing
from constellation.server.okrs.models import Period
from constellation.server.orgs.models import Membership, Organization

OKR = Path(sys.executable).with_name("okr")
runner = CliRunner()
pytestmark = pytest.mark.django_db


def okr(*args: str, stdin: str | None = None) -> Result:
    """Run `okr ARGS` in this process."""
    return runner.invoke(app, list(args), input=stdin)


def test_an_organisation_and_its_owner_with_a_password_from_stdin() -> None:
    created = okr("org", "create", "acme", "--name", "Acme Analytics")
    assert created.exit_code == 0, created.output
    assert "Created the organisation 'acme' (Acme Analytics)" in created.stdout
    # Its people can draft at once: the current quarter is there.
    quarter = period_containing(timezone.localdate()).key
    assert list(Period.objects.values_list("key", flat=True)) == [quarter]
    user = okr(
        "user", "create", "ada", "--email", "ada@acme.example", "--org", "acme",
        "--role", "owner", "--password-stdin",
        stdin="a long enough passphrase\n",
    )  # fmt: skip
    assert user.exit_code == 0, user.output
    assert "Created the account 'ada' as owner of acme." in user.stdout
    assert "/accounts/password-reset/" not in user.stdout
    ada = User.objects.get(username="ada")
    assert ada.check_password("a long enough passphrase")
    membership = Membership.objects.get(user=ada)
    assert (membership.organization.slug, membership.role) == ("acme", "owner")


def test_without_a_password_it_prints_a_one_time_link_to_set_one() -> None:
    result = okr("user", "create", "bob", "--email", "bob@example.com")
    assert result.exit_code == 0, result.output
    link = result.stdout.strip().splitlines()[-1]
    assert link.startswith("http://localhost:8000/accounts/password-reset/")
    bob = User.objects.get(username="bob")
    assert not bob.has_usable_password()
    assert not Membership.objects.filter(user=bob).exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("org", "create", "not a slug", "--name", "X"), "is not a slug"),
        (("org", "create", "acme", "--name", "Again"), "exists already"),
        (("org", "create", "fresh", "--name", " "), "needs a name"),
        (("user", "create", "bad name!", "--email", "x@example.com"), "is not a username"),
        (("user", "create", "taken", "--email", "new@example.com"), "is taken"),
        (("user", "create", "new", "--email", "nope"), "is not an email address"),
        (("user", "create", "new", "--email", "taken@example.com"), "another account uses"),
        (("user", "create", "new", "--email", "n@example.com", "--org", "nope"), "no organisation"),
        (("user", "create", "new", "--email", "n@example.com", "--role", "owner"), "--role needs"),
        (
            ("user", "create", "new", "--email", "n@example.com", "--org", "acme", "--role", "god"),
            "is not a role",
        ),
    ],
)
def test_bad_input_is_refused_with_one_line_and_exit_2(args: tuple[str, ...], message: str) -> None:
    Organization.objects.create(slug="acme", name="Acme")
    User.objects.create_user("taken", "taken@example.com", "whatever-it-is")
    result = okr(*args)
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert User.objects.count() == 1 and Organization.objects.count() == 1


def test_a_weak_password_is_refused_and_nothing_is_created() -> None:
    result = okr(
        "user", "create", "ada", "--email", "a@example.com", "--password-stdin", stdin="short\n"
    )
    assert result.exit_code == 2
    assert "password: This password is too short" in result.stderr
    assert not User.objects.exists()


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(OKR_DATA_DIR=str(tmp_path / "data"), SITE_URL="https://okr.example.com")
    return env


def test_migrate_on_an_empty_database_prints_a_new_setup_link_each_time(tmp_path: Path) -> None:
    env = _environment(tmp_path)

    def migrate() -> str:
        done = subprocess.run(
            [str(OKR), "migrate"], env=env, capture_output=True, text=True, timeout=120, check=False
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    first, second = migrate(), migrate()
    links = [line for out in (first, second) for line in out.split() if "/setup/" in line]
    assert len(links) == 2 and links[0] != links[1]
    assert links[0].startswith("https://okr.example.com/setup/")
    made = subprocess.run(
        [str(OKR), "user", "create", "ada", "--email", "ada@example.com"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert "/setup/" not in migrate()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _setup_link(process: subprocess.Popen[str]) -> str:
    """The setup link `okr serve` prints before it starts serving."""
    assert process.stdout is not None
    seen = []
    for line in process.stdout:
        seen.append(line)
        found = [word for word in line.split() if "/setup/" in word]
        if found:
            return found[0]
        if "Serving on" in line:
            break
    raise AssertionError("no setup link in:\n" + "".join(seen))


def test_serve_on_an_empty_database_prints_a_setup_link_that_opens(tmp_path: Path) -> None:
    port = _free_port()
    env = _environment(tmp_path)
    env.pop("SITE_URL")
    command = [str(OKR), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-worker"]
    process = subprocess.Popen(
        [*command, "--workers", "1"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True,
    )  # fmt: skip
    try:
        link = _setup_link(process)
        assert link.startswith(f"http://127.0.0.1:{port}/setup/")
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(link, timeout=5) as response:
                    assert "Set up Constellation" in response.read().decode()
                    break
            except (urllib.error.URLError, ConnectionError) as error:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise AssertionError(f"the setup link did not open: {error}") from None
                time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
