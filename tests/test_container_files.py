"""The Dockerfile and compose.yaml name real commands and settings.

No container runtime runs on the test machines, so the files are read instead: every `okr`
command they run exists with the flags they pass, every setting they set is documented in
docs/settings.md, the health check asks a path the server answers, the image runs as an
unprivileged user with its data directory as a volume, and compose migrates once before two
app servers and a worker start. The commands themselves are the ones the suite runs:
`okr migrate` (tests/cli/test_migrate_together.py), `okr serve --no-migrate --no-worker`
(tests/test_wheel.py) and `okr worker` (tests/cli/test_worker_command.py).
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import typer.main
import yaml
from django.urls import resolve

from constellation.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
SETTINGS_DOC = (ROOT / "docs" / "settings.md").read_text()
# Variables of Python itself and of the PostgreSQL image, not Constellation's settings.
NOT_OURS = re.compile(r"^(PYTHON\w+|POSTGRES_\w+)$")


def _instructions() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (keyword, arguments), continuation lines joined."""
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines()]
    found = []
    for line in lines:
        if line and not line.startswith("#"):
            keyword, _, arguments = line.partition(" ")
            found.append((keyword.upper(), arguments.strip()))
    return found


def _final_stage() -> list[tuple[str, str]]:
    steps = _instructions()
    last_from = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last_from:]


def _exec_form(arguments: str) -> list[str]:
    """A JSON-array (exec form) command; the shell form is refused."""
    assert arguments.startswith("["), f"use the exec form: {arguments}"
    return list(json.loads(arguments))


def _compose() -> dict:
    return yaml.safe_load((ROOT / "compose.yaml").read_text())


def _check_okr_command(argv: list[str]) -> None:
    """`okr <command> [flags]`: the command exists and takes every flag given."""
    assert argv[0] == "okr", argv
    group = typer.main.get_command(app)
    command = group.commands[argv[1]]  # type: ignore[attr-defined]
    flags = {flag for param in command.params for flag in param.opts}
    for word in argv[2:]:
        if word.startswith("-"):
            assert word in flags, f"okr {argv[1]} has no flag {word}"


def test_both_stages_start_from_python_311_slim_and_the_wheel_is_built_and_installed() -> None:
    steps = _instructions()
    froms = [arguments for keyword, arguments in steps if keyword == "FROM"]
    assert len(froms) == 2
    assert all(stage.startswith("python:3.11-slim") for stage in froms)
    runs = " ".join(arguments for keyword, arguments in steps if keyword == "RUN")
    assert "python -m build --wheel" in runs
    assert "-c /tmp/constraints.txt /tmp/dist/*.whl" in runs


def test_the_image_runs_as_an_unprivileged_user() -> None:
    users = [arguments for keyword, arguments in _final_stage() if keyword == "USER"]
    assert users and users[-1] not in {"root", "0", "0:0"}
    runs = " ".join(arguments for keyword, arguments in _final_stage() if keyword == "RUN")
    assert "useradd --system --uid 10001 --user-group --home-dir /data" in runs


def test_the_data_directory_is_a_volume_owned_by_that_user() -> None:
    stage = _final_stage()
    env = " ".join(arguments for keyword, arguments in stage if keyword == "ENV")
    assert "OKR_DATA_DIR=/data" in env
    volumes = [json.loads(arguments) for keyword, arguments in stage if keyword == "VOLUME"]
    assert ["/data"] in volumes
    runs = " ".join(arguments for keyword, arguments in stage if keyword == "RUN")
    assert "chown okr:okr /data" in runs


def test_the_health_check_asks_the_liveness_path_with_python_alone() -> None:
    (check,) = [arguments for keyword, arguments in _final_stage() if keyword == "HEALTHCHECK"]
    options, _, command = check.partition(" CMD ")
    argv = _exec_form(command.strip())
    assert argv[0] == "python"
    (url,) = re.findall(r"http://127\.0\.0\.1:8000(/[\w/]*)", argv[-1])
    assert resolve(url).url_name == "healthz"
    assert "--start-period=" in options


def test_the_default_command_serves_without_migrating() -> None:
    (cmd,) = [arguments for keyword, arguments in _final_stage() if keyword == "CMD"]
    argv = _exec_form(cmd)
    assert argv[:3] == ["okr", "serve", "--no-migrate"]
    _check_okr_command(argv)
    exposed = [arguments for keyword, arguments in _final_stage() if keyword == "EXPOSE"]
    assert exposed == [argv[argv.index("--port") + 1]]


def test_every_setting_the_files_set_is_documented() -> None:
    names = set()
    for keyword, arguments in _final_stage():
        if keyword == "ENV":
            names |= {pair.split("=", 1)[0] for pair in shlex.split(arguments)}
    for service in _compose()["services"].values():
        names |= set(service.get("environment", {}))
    ours = sorted(name for name in names if not NOT_OURS.match(name))
    assert "DATABASE_URL" in ours and "SECRET_KEY" in ours
    missing = [name for name in ours if f"`{name}`" not in SETTINGS_DOC]
    assert missing == []


def test_compose_runs_postgresql_a_migration_two_app_servers_and_a_worker() -> None:
    services = _compose()["services"]
    commands = {name: service.get("command") for name, service in services.items()}
    assert services["db"]["image"].startswith("postgres:")
    assert commands["migrate"] == ["okr", "migrate"]
    servers = [name for name, argv in commands.items() if argv and argv[:2] == ["okr", "serve"]]
    assert len(servers) == 2
    workers = [name for name, argv in commands.items() if argv == ["okr", "worker"]]
    assert len(workers) == 1
    for argv in commands.values():
        if argv and argv[0] == "okr":
            _check_okr_command(argv)
    for name in servers:
        assert "--no-migrate" in commands[name] and "--no-worker" in commands[name]


def test_the_servers_and_the_worker_start_after_the_migration_on_one_database() -> None:
    services = _compose()["services"]
    urls = set()
    for name, service in services.items():
        argv = service.get("command") or []
        if not argv or argv[0] != "okr":
            continue
        urls.add(service["environment"]["DATABASE_URL"])
        assert service["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
        assert service["depends_on"]["db"] == {"condition": "service_healthy"}
        if name != "migrate":
            expected = {"condition": "service_completed_successfully"}
            assert service["depends_on"]["migrate"] == expected
        # The image's health check asks 127.0.0.1, which must stay an allowed host.
        assert "127.0.0.1" in service["environment"]["ALLOWED_HOSTS"].split(",")
    (url,) = urls
    assert url.startswith("postgres://") and "@db:5432/" in url
    assert services["migrate"]["restart"] == "no"


def test_the_build_context_keeps_every_file_the_dockerfile_copies() -> None:
    kept = {
        line[1:].rstrip("/")
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.startswith("!")
    }
    for keyword, arguments in _instructions():
        if keyword == "COPY" and not arguments.startswith("--from"):
            sources = arguments.split()[:-1]
            assert set(sources) <= kept, f"COPY {arguments}: add the sources to .dockerignore"
            assert all((ROOT / source).exists() for source in sources)
