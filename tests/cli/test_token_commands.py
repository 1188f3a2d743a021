"""`okr token create|list|revoke`: a token printed once, stored hashed, revoked by id."""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constellation.cli.main import app
from constellation.server.tokens.models import ApiToken, hash_token
from tests.server.factories import World, make_world

OKR = Path(sys.executable).with_name("okr")
TOKEN = re.compile(r"^(okr_[A-Za-z0-9_-]{20,})$", re.MULTILINE)


@pytest.fixture
def world(db: None) -> World:
    """The standard organisation, people and OKRs of the server's tests."""
    return make_world()


def _run(*args: str) -> object:
    return CliRunner().invoke(app, list(args))


def test_create_prints_the_token_once_with_how_to_use_it(world: World) -> None:
    result = _run("token", "create", "--org", "acme", "--user", "member", "--name", "ci")
    assert result.exit_code == 0, result.output
    [plaintext] = TOKEN.findall(result.output)
    assert f"Authorization: Bearer {plaintext}" in result.output
    assert "shown only this once" in result.output
    token = ApiToken.objects.get()
    assert (token.user, token.organization, token.name) == (world.member, world.org, "ci")
    assert token.token_hash == hash_token(plaintext)
    assert plaintext not in {token.token_hash, token.hint, token.name}


def test_list_shows_tokens_without_their_secrets(world: World) -> None:
    created = _run("token", "create", "--org", "acme", "--user", "viewer", "--name", "laptop")
    [plaintext] = TOKEN.findall(created.output)
    result = _run("token", "list", "--org", "acme")
    assert result.exit_code == 0
    assert "laptop" in result.output and "viewer" in result.output
    assert plaintext not in result.output
    assert f"…{plaintext[-4:]}" in result.output
    assert "live" in result.output


def test_list_says_when_there_are_none(world: World) -> None:
    result = _run("token", "list", "--org", "globex")
    assert result.exit_code == 0
    assert "No API tokens in globex" in result.output


def test_revoke_stops_the_token(world: World) -> None:
    _run("token", "create", "--org", "acme", "--user", "member")
    token = ApiToken.objects.get()
    result = _run("token", "revoke", str(token.pk))
    assert result.exit_code == 0
    assert "Revoked token" in result.output
    token.refresh_from_db()
    assert token.revoked
    again = _run("token", "revoke", str(token.pk))
    assert again.exit_code == 0
    assert "already revoked" in again.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["create", "--org", "nope", "--user", "member"], "no organisation 'nope'"),
        (["create", "--org", "acme", "--user", "nobody"], "no user 'nobody'"),
        (["create", "--org", "acme", "--user", "outsider"], "is not a member of 'acme'"),
        (["create", "--org", "acme", "--user", "member", "--name", "x" * 101], "--name"),
        (["list", "--org", "nope"], "no organisation 'nope'"),
        (["revoke", "999"], "no token with id 999"),
    ],
)
def test_bad_input_exits_2_with_a_clear_message(
    world: World, args: list[str], message: str
) -> None:
    result = _run("token", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not ApiToken.objects.exists()


SEED = """
from constellation.cli.server_commands import setup_django
setup_django()
from tests.server.factories import make_world
make_world()
"""


def test_the_real_command_creates_a_hashed_token_in_a_fresh_data_directory(
    tmp_path: Path,
) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY"}}
    env["OKR_DATA_DIR"] = str(tmp_path / "data")
    cwd = Path(__file__).resolve().parents[2]

    def okr(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OKR), "token", *args], capture_output=True, text=True, env=env, cwd=cwd
        )

    missing = okr("create", "--org", "acme", "--user", "member")
    assert missing.returncode == 2
    assert "no organisation 'acme'" in missing.stderr
    assert "Traceback" not in missing.stderr
    subprocess.run([sys.executable, "-c", SEED], check=True, env=env, cwd=cwd)
    created = okr("create", "--org", "acme", "--user", "member", "--name", "ci")
    assert created.returncode == 0, created.stderr
    [plaintext] = TOKEN.findall(created.stdout)
    database = tmp_path / "data" / "constellation.sqlite3"
    with sqlite3.connect(database) as connection:
        rows = connection.execute("SELECT token_hash, hint, name FROM api_apitoken").fetchall()
    assert rows == [(hash_token(plaintext), plaintext[-4:], "ci")]
    for path in (tmp_path / "data").rglob("*"):
        if path.is_file():
            assert plaintext.encode() not in path.read_bytes()
    listed = okr("list", "--org", "acme")
    assert listed.returncode == 0 and plaintext not in listed.stdout
    revoked = okr("revoke", "1")
    assert revoked.returncode == 0, revoked.stderr


def test_a_database_it_cannot_open_is_exit_2_without_a_traceback(tmp_path: Path) -> None:
    env = dict(os.environ, OKR_DATA_DIR=str(tmp_path), DATABASE_URL="mysql://db.example/okr")
    result = subprocess.run(
        [str(OKR), "token", "list", "--org", "acme"], capture_output=True, text=True, env=env
    )
    assert result.returncode == 2
    assert "cannot open the database" in result.stderr
    assert "Traceback" not in result.stderr


def test_create_makes_a_read_token_unless_write_is_asked(world: World) -> None:
    assert _run("token", "create", "--org", "acme", "--user", "member").exit_code == 0
    result = _run(
        "token", "create", "--org", "acme", "--user", "member", "--name", "ci",
        "--scope", "write", "--expires-in-days", "30",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "write token" in result.output and "expires" in result.output
    tokens = {token.name: token for token in ApiToken.objects.all()}
    assert (tokens[""].scope, tokens[""].expires_at) == ("read", None)
    assert tokens["ci"].scope == "write" and tokens["ci"].expires_at is not None


def test_list_shows_scope_and_expiry(world: World) -> None:
    _run("token", "create", "--org", "acme", "--user", "member", "--expires-in-days", "7")
    result = _run("token", "list", "--org", "acme")
    assert result.exit_code == 0
    assert "scope" in result.output and "read" in result.output
    assert "expires" in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--scope", "admin"], "--scope: the scope is one of read, write"),
        (["--expires-in-days", "0"], "--expires-in-days: a token expires in 1 to 366 days"),
    ],
)
def test_create_refuses_a_bad_scope_or_expiry(world: World, args: list[str], message: str) -> None:
    result = _run("token", "create", "--org", "acme", "--user", "member", *args)
    assert result.exit_code == 2
    assert message in result.output
    assert not ApiToken.objects.exists()
