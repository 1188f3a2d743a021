"""The wheel is the product: built with `python -m build`, it carries every template, static
file, migration and the coach's model, and installed alone in a fresh virtual environment it
migrates a database and serves pages over HTTP.

The environment's libraries are installed once per lock (constraints.txt and pyproject.toml)
into a virtual environment kept under ~/.cache; each run reinstalls the freshly built wheel
into it, so a re-run takes seconds rather than a download.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "constellation-wheel"
VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]


def _shipped_files() -> list[str]:
    """Every file of the package that is not Python source: what package data must carry."""
    listed = subprocess.run(
        ["git", "ls-files", "constellation"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return sorted(name for name in listed if not name.endswith(".py"))


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `python -m build --wheel` makes from this tree."""
    out = tmp_path_factory.mktemp("dist")
    done = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = out.glob("*.whl")
    return built


def _clean_environment(**extra: str) -> dict[str, str]:
    """This process's environment without what would import the source tree instead."""
    drop = {"PYTHONPATH", "DATABASE_URL", "DJANGO_SETTINGS_MODULE", "OKR_DATA_DIR", "VIRTUAL_ENV"}
    return {k: v for k, v in os.environ.items() if k not in drop} | extra


@pytest.fixture(scope="module")
def venv(wheel: Path) -> Path:
    """A virtual environment with the lock's libraries and this wheel installed."""
    lock = (ROOT / "constraints.txt").read_bytes() + (ROOT / "pyproject.toml").read_bytes()
    home = CACHE / hashlib.sha256(lock).hexdigest()[:16]
    python = home / "bin" / "python"
    env = _clean_environment()
    if not (home / "complete").exists():
        shutil.rmtree(home, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(home)], check=True, timeout=120)
        _pip(python, env, str(wheel), "-c", str(ROOT / "constraints.txt"))
        (home / "complete").write_text(wheel.name)
    # The libraries stay; the package itself is always this run's wheel.
    _pip(python, env, "--no-deps", "--force-reinstall", str(wheel))
    checked = subprocess.run(
        [str(python), "-m", "pip", "check"], env=env, capture_output=True, text=True, check=False
    )
    assert checked.returncode == 0, checked.stdout
    return home


def _pip(python: Path, env: dict[str, str], *arguments: str) -> None:
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def test_the_wheel_carries_templates_static_files_migrations_and_the_coach_model(
    wheel: Path,
) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    missing = [name for name in _shipped_files() if name not in names]
    assert missing == []
    assert "constellation/core/language/reader_model.json" in names
    assert "constellation/server/web/templates/web/base.html" in names
    assert any(name.startswith("constellation/server/web/static/web/vendor/") for name in names)
    assert "constellation/server/okrs/migrations/0001_initial.py" in names
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)


def test_the_wheel_names_its_licence_version_and_classifiers(wheel: Path) -> None:
    archive = zipfile.ZipFile(wheel)
    (metadata,) = [n for n in archive.namelist() if n.endswith(".dist-info/METADATA")]
    text = archive.read(metadata).decode()
    assert f"Version: {VERSION}\n" in text
    assert "License-Expression: Apache-2.0" in text
    assert "Classifier: Framework :: Django :: 5.2" in text


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def served(venv: Path, tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """`okr migrate`, then `okr serve --no-migrate`, from the wheel's environment alone."""
    env = _clean_environment(OKR_DATA_DIR=str(tmp_path / "data"))
    okr = str(venv / "bin" / "okr")
    migrated = subprocess.run(
        [okr, "migrate"], env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert migrated.returncode == 0, migrated.stderr
    port = _free_port()
    command = [okr, "serve", "--no-migrate", "--no-worker", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        _wait_healthy(base, server)
        yield base, env
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _wait_healthy(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            output = server.stdout.read().decode() if server.stdout else ""
            pytest.fail(f"the server exited with {server.returncode}:\n{output}")
        try:
            if _get(base + "healthz")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    pytest.fail(f"{base}healthz did not answer within 60 s")


def test_the_installed_wheel_migrates_and_serves_the_login_page_and_its_files(
    served: tuple[str, dict[str, str]], venv: Path
) -> None:
    base, env = served
    status, page = _get(base + "accounts/login/")
    assert status == 200
    assert "<form" in page
    linked = [part.split('"')[0] for part in page.split('="/static/')[1:]]
    assert any(name.endswith(".css") for name in linked), page
    for name in linked:
        assert _get(base + "static/" + name)[0] == 200, name
    # The package imported is the installed one, not this source tree.
    where = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "import constellation; print(constellation.__file__)"],
        env=env,
        cwd="/",
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert where.startswith(str(venv)), where


def test_the_installed_okr_prints_the_version_of_pyproject(venv: Path) -> None:
    done = subprocess.run(
        [str(venv / "bin" / "okr"), "--version"],
        env=_clean_environment(),
        cwd="/",
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stdout.strip() == f"okr (constellation-okr) {VERSION}"
