"""Production settings: behind a TLS proxy, the Content-Security-Policy, private files, and
`check --deploy` clean with the settings docs/settings.md documents for production."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client, override_settings

from tests.server.api_helpers import add_objectives, client_for
from tests.server.factories import World

ROOT = Path(__file__).resolve().parents[2]
SECURITY_NAMES = (
    "SECURE_PROXY_SSL_HEADER",
    "SECURE_SSL_REDIRECT",
    "SECURE_REDIRECT_EXEMPT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "CSRF_TRUSTED_ORIGINS",
)


def production_environment(data_dir: Path) -> dict[str, str]:
    """The environment docs/settings.md's "Production" block sets, in a fresh data folder."""
    block = (ROOT / "docs" / "settings.md").read_text().split("## Production", 1)[1]
    script = block.split("```sh", 1)[1].split("```", 1)[0]
    variables = dict(re.findall(r"^export ([A-Z_]+)=(\S+)", script, re.MULTILINE))
    assert {"OKR_BEHIND_TLS_PROXY", "SITE_URL", "ALLOWED_HOSTS", "SECRET_KEY"} <= set(variables)
    variables["SECRET_KEY"] = "k" * 20 + "-a-long-random-production-key-of-fifty-characters"
    variables.pop("DATABASE_URL", None)  # SQLite in the data folder: same checks, no server
    kept = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    return {**kept, **variables, "OKR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}


def _django(environment: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "django", *args],
        env={**environment, "DJANGO_SETTINGS_MODULE": "constellation.server.settings"},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def _settings_under(environment: dict[str, str]) -> dict[str, Any]:
    """The security settings the server computes from `environment`, read in a new process."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); "
        f"print(json.dumps({{n: getattr(settings, n, None) for n in {SECURITY_NAMES!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env={**environment, "DJANGO_SETTINGS_MODULE": "constellation.server.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    values: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    values["SECURE_PROXY_SSL_HEADER"] = tuple(values["SECURE_PROXY_SSL_HEADER"] or ()) or None
    return values


def test_check_deploy_prints_no_warning_with_the_documented_production_settings(
    tmp_path: Path,
) -> None:
    result = _django(
        production_environment(tmp_path), "check", "--deploy", "--fail-level", "WARNING"
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_without_them(tmp_path: Path) -> None:
    environment = production_environment(tmp_path)
    del environment["OKR_BEHIND_TLS_PROXY"]

    result = _django(environment, "check", "--deploy")

    assert "security.W008" in result.stderr and "security.W004" in result.stderr


def test_one_setting_turns_on_everything_a_tls_proxy_needs(tmp_path: Path) -> None:
    values = _settings_under(production_environment(tmp_path))

    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31_536_000
    assert values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert "https://okr.example.com" in values["CSRF_TRUSTED_ORIGINS"]


@pytest.fixture
def behind_proxy(tmp_path: Path) -> Any:
    """The settings a TLS proxy's deployment computes, applied to this process."""
    values = _settings_under(production_environment(tmp_path))
    values.pop("CSRF_TRUSTED_ORIGINS")
    with override_settings(**values, ALLOWED_HOSTS=["okr.example.com"]):
        yield


def test_behind_the_proxy_api_next_links_are_https(world: World, behind_proxy: Any) -> None:
    add_objectives(world, 3)
    token = client_for(world.member, world.org).token

    response = Client().get(
        "/api/v1/orgs/acme/objectives",
        {"limit": 2},
        headers={"Authorization": f"Bearer {token}", "X-Forwarded-Proto": "https"},
        HTTP_HOST="okr.example.com",
    )

    assert response.status_code == 200
    assert response.json()["next"].startswith("https://okr.example.com/api/v1/")
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")


def test_behind_the_proxy_plain_http_is_redirected_but_health_checks_are_not(
    db: None, behind_proxy: Any
) -> None:
    client = Client(HTTP_HOST="okr.example.com")

    response = client.get("/accounts/login/?next=/o/acme/")

    assert response.status_code == 301
    assert response["Location"] == "https://okr.example.com/accounts/login/?next=/o/acme/"
    assert client.get("/healthz").status_code == 200


def test_pages_and_api_answers_carry_the_content_security_policy(world: World) -> None:
    page = Client().get("/accounts/login/")
    api = Client().get("/api/v1/orgs/acme/objectives")

    for response in (page, api):
        policy = response["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy
        assert (
            "script-src 'self'" in policy
            and "unsafe-inline" not in policy.split("style-src-attr")[0]
        )


def test_no_template_runs_inline_script() -> None:
    templates = ROOT / "constellation" / "server" / "web" / "templates"
    for path in templates.rglob("*.html"):
        text = path.read_text()
        inline = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", text)
        handlers = re.findall(r"\son[a-z]+=[\"']", text)
        assert (inline, handlers) == ([], []), path


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_the_data_folder_database_and_its_journal_are_the_owners_alone(tmp_path: Path) -> None:
    data = tmp_path / "data"
    environment = {
        **production_environment(data),
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
    }
    del environment["SECRET_KEY"]  # made and kept in the data folder

    result = _django(environment, "migrate", "--verbosity", "0")
    assert result.returncode == 0, result.stderr
    database = data / "constellation.sqlite3"
    with sqlite3.connect(database) as open_database:  # WAL mode: -wal and -shm while open
        open_database.execute("select count(*) from django_migrations").fetchone()
        wal, shm = Path(f"{database}-wal"), Path(f"{database}-shm")
        assert wal.exists() and shm.exists()
        assert (_mode(wal), _mode(shm)) == (0o600, 0o600)

    assert _mode(data) == 0o700
    assert _mode(database) == 0o600
    assert _mode(data / "secret_key") == 0o600
    assert _mode(data / "emails") == 0o700


def test_an_existing_data_folder_readable_by_others_is_tightened(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    (data / "constellation.sqlite3").touch(mode=0o644)
    data.chmod(0o755)

    assert _django(production_environment(data), "check").returncode == 0

    assert (_mode(data), _mode(data / "constellation.sqlite3")) == (0o700, 0o600)


def test_uploads_kept_on_disk_are_the_owners_alone() -> None:
    from django.conf import settings

    assert (settings.FILE_UPLOAD_PERMISSIONS, settings.FILE_UPLOAD_DIRECTORY_PERMISSIONS) == (
        0o600,
        0o700,
    )
