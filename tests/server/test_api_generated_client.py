"""A client generated from the API's OpenAPI document (openapi-python-client) works against a
live server: it lists objectives and checks in.

The generator cannot live in the project's virtualenv (it pins `typer<0.28`), so it is
installed once into a virtualenv of its own under the cache directory and reused (see
docs/dependencies.md). The generated client (httpx and attrs, which that virtualenv has) runs
there too, as a script, against the server this test starts on 127.0.0.1.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

from constellation.server.tokens.actions import do_create_token
from constellation.server.tracking.models import CheckIn
from tests.server.api_helpers import openapi
from tests.server.factories import make_world

GENERATOR_VERSION = "0.29.1"
DOCS = Path(__file__).resolve().parents[2] / "docs" / "dependencies.md"
# No formatting hooks (ruff may not be on PATH) and a package name of our own.
CONFIG = """\
project_name_override: constellation-client
package_name_override: constellation_client
post_hooks: []
"""
SCRIPT = """
import datetime, json, sys
sys.path.insert(0, sys.argv[1])
from constellation_client import AuthenticatedClient
from constellation_client.api.check_ins import create_check_in
from constellation_client.api.objectives import list_objectives
from constellation_client.models import CheckInIn

url, token = sys.argv[2], sys.argv[3]
client = AuthenticatedClient(base_url=url, token=token, raise_on_unexpected_status=True)
page = list_objectives.sync(client=client, org="acme", at=datetime.date(2026, 11, 15))
made = create_check_in.sync(
    client=client,
    org="acme",
    objective="activation",
    key_result="week1-activation",
    body=CheckInIn(value=47.0, confidence=8, note="from the generated client"),
)
print(json.dumps({
    "page": type(page).__name__,
    "objectives": sorted(o.id for o in page.objectives),
    "count": page.count,
    "made": type(made).__name__,
    "author": made.check_in.author,
    "current": made.key_result.current,
    "note": made.check_in.note,
}))
"""


def _cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "constellation-test" / f"openapi-client-venv-{GENERATOR_VERSION}"


def _run(*command: Any, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(part) for part in command], capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="session")
def generator_venv() -> Path:
    """The generator's own virtualenv, made once: reused when its `complete` mark says it was
    installed whole (a lock keeps two test processes from building it at once)."""
    venv = _cache()
    venv.parent.mkdir(parents=True, exist_ok=True)
    with (venv.parent / f"{venv.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        mark = venv / "complete"
        if mark.exists():
            return venv
        shutil.rmtree(venv, ignore_errors=True)
        made = _run(sys.executable, "-m", "venv", venv)
        if made.returncode == 0:
            wanted = f"openapi-python-client=={GENERATOR_VERSION}"
            made = _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wanted)
        if made.returncode != 0:
            shutil.rmtree(venv, ignore_errors=True)
            pytest.skip(
                f"openapi-python-client {GENERATOR_VERSION} cannot be installed (no access to "
                f"PyPI?): {made.stderr.strip()[-300:]}"
            )
        mark.write_text(GENERATOR_VERSION, encoding="utf-8")
    return venv


def test_the_generator_version_is_the_one_documented() -> None:
    assert f"openapi-python-client {GENERATOR_VERSION}" in DOCS.read_text(encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_lists_objectives_and_checks_in(
    live_server: Any, tmp_path: Path, generator_venv: Path
) -> None:
    world = make_world()
    _, token = do_create_token(world.member, world.org, "generated client")
    schema = tmp_path / "openapi.json"
    schema.write_text(json.dumps(openapi()), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    package = tmp_path / "client" / "constellation_client"
    generated = _run(
        generator_venv / "bin" / "openapi-python-client",
        "generate",
        "--path",
        schema,
        "--output-path",
        package,
        "--meta",
        "none",
        "--config",
        config,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    assert (package / "api" / "check_ins" / "create_check_in.py").exists()
    script = tmp_path / "use_client.py"
    script.write_text(textwrap.dedent(SCRIPT), encoding="utf-8")
    used = _run(generator_venv / "bin" / "python", script, package.parent, live_server.url, token)
    assert used.returncode == 0, used.stderr
    result = json.loads(used.stdout)
    assert result["page"] == "ObjectiveList" and result["count"] == 2
    assert result["objectives"] == ["activation", "retention"]
    assert result["made"] == "CheckInCreated"
    assert (result["author"], result["current"]) == ("member", 47)
    assert CheckIn.objects.get(key_result=world.key_result).note == "from the generated client"
