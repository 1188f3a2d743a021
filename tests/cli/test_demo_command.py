"""`okr demo` and `okr serve`: built, served over real HTTP, logged into, stopped."""

from __future__ import annotations

import http.cookiejar
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from typer.testing import CliRunner

from constellation.cli.demo_commands import is_loopback
from constellation.cli.main import app
from constellation.server.okrs.models import Objective

ROOT = Path(__file__).resolve().parents[2]
OKR = ROOT / ".venv" / "bin" / "okr"
runner = CliRunner()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data directory; the command's change to OKR_DATA_DIR is undone afterwards."""
    monkeypatch.setenv("OKR_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OKR_DEBUG", "0")
    return tmp_path


def test_loopback_hosts_are_told_apart() -> None:
    assert is_loopback("127.0.0.1")
    assert is_loopback("localhost")
    assert is_loopback("::1")
    assert is_loopback("[::1]")
    assert not is_loopback("0.0.0.0")
    assert not is_loopback("192.168.1.20")
    assert not is_loopback("okr.example.com")


@pytest.mark.django_db
def test_demo_without_serving_builds_and_offers_the_login(data_dir: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir)])
    assert result.exit_code == 0, result.output
    assert "Built the demo organisation 'demo'" in result.output
    assert "log in as demo / demo" in result.output
    assert User.objects.get(username="demo").check_password("demo")
    again = runner.invoke(app, ["demo", "--no-serve", "--data-dir", str(data_dir)])
    assert again.exit_code == 0, again.output
    assert "Reusing the demo organisation 'demo' (0 new check-ins)" in again.output
    # 25 this quarter (one of them a draft sent for review) and 8 reviewed last quarter.
    assert Objective.objects.filter(organization__slug="demo").count() == 34


@pytest.mark.django_db
def test_demo_on_a_public_host_offers_no_login(data_dir: Path) -> None:
    result = runner.invoke(app, ["demo", "--no-serve", "--host", "0.0.0.0"])
    assert result.exit_code == 0, result.output
    assert "only offered on a loopback address" in result.output
    assert "demo / demo" not in result.output
    assert not User.objects.get(username="demo").has_usable_password()


def test_a_port_in_use_is_refused_with_a_message(data_dir: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        for command in (["demo"], ["serve", "--host", "127.0.0.1"]):
            result = runner.invoke(app, [*command, "--port", str(port)])
            assert result.exit_code == 2, result.output
            assert f"cannot listen on 127.0.0.1:{port}" in result.output
            assert "Traceback" not in result.output


def test_an_unknown_host_is_refused_with_a_message(data_dir: Path) -> None:
    result = runner.invoke(app, ["demo", "--host", "no-such-host.invalid", "--port", "8000"])
    assert result.exit_code == 2
    assert "cannot listen on host 'no-such-host.invalid'" in result.output


def _environment(data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    env["OKR_DATA_DIR"] = str(data_dir)
    return env


@pytest.fixture
def stop() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Servers started by a test, interrupted (as with Ctrl-C) at its end."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_healthy(base: str, process: subprocess.Popen[bytes], seconds: float) -> float:
    """Seconds until /healthz answers 200; fails when the server dies or takes too long."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if process.poll() is not None:
            output = process.stdout.read().decode() if process.stdout else ""
            pytest.fail(f"the server exited with {process.returncode}:\n{output}")
        try:
            with urllib.request.urlopen(base + "healthz", timeout=2) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{base}healthz did not answer within {seconds} s")


def _log_in(base: str, username: str, password: str) -> tuple[urllib.request.OpenerDirector, str]:
    """Log in through the login form; returns the opener and the page landed on."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    with opener.open(base + "accounts/login/", timeout=10) as response:
        assert response.status == 200
    csrf = next(cookie.value for cookie in jar if cookie.name == "csrftoken")
    form = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf}
    ).encode()
    request = urllib.request.Request(
        base + "accounts/login/", data=form, headers={"Referer": base + "accounts/login/"}
    )
    with opener.open(request, timeout=30) as response:
        assert response.status == 200
        return opener, response.geturl()


def test_okr_demo_serves_the_demo_and_logs_in_with_demo_demo(
    tmp_path: Path, stop: list[subprocess.Popen[bytes]]
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    command = [str(OKR), "demo", "--port", str(port), "--data-dir", str(tmp_path / "data")]
    process = subprocess.Popen(
        command, env=_environment(tmp_path), stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    stop.append(process)
    _wait_healthy(base, process, 60)
    # On this machine the login page names the demo's people, so a visitor can play each part.
    with urllib.request.urlopen(base + "accounts/login/", timeout=10) as response:
        login_page = response.read().decode()
    assert "People of the demo" in login_page
    assert "Amara Okafor" in login_page and "<code>amara</code>" in login_page
    opener, landed = _log_in(base, "demo", "demo")
    assert "/accounts/login/" not in landed
    with opener.open(base + "o/demo/", timeout=30) as response:
        page = response.read().decode()
    assert response.status == 200
    assert "Small businesses stay with us because we pay off" in page
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    output = process.stdout.read().decode() if process.stdout else ""
    assert f"Open {base} and log in as demo / demo" in output
    assert "Traceback" not in output


def test_okr_demo_refuses_a_wrong_password(
    tmp_path: Path, stop: list[subprocess.Popen[bytes]]
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    process = subprocess.Popen(
        [str(OKR), "demo", "--port", str(port)],
        env=_environment(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    stop.append(process)
    _wait_healthy(base, process, 60)
    _, landed = _log_in(base, "demo", "not the password")
    assert "/accounts/login/" in landed


def test_okr_serve_migrates_a_fresh_data_dir_and_serves_static_files(
    tmp_path: Path, stop: list[subprocess.Popen[bytes]]
) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}/"
    env = _environment(tmp_path) | {"OKR_DEBUG": "1"}
    process = subprocess.Popen(
        [str(OKR), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    stop.append(process)
    _wait_healthy(base, process, 60)
    with urllib.request.urlopen(base + "accounts/login/", timeout=10) as response:
        page = response.read().decode()
    stylesheets = [part.split('"')[0] for part in page.split('href="')[1:] if ".css" in part]
    assert stylesheets, "the login page links no stylesheet"
    with urllib.request.urlopen(urllib.parse.urljoin(base, stylesheets[0]), timeout=10) as css:
        assert css.status == 200
    # DEBUG is off whatever the environment says: an unknown page is a plain 404.
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(base + "no-such-page/", timeout=10)
    assert missing.value.code == 404
    assert b"URLconf" not in missing.value.read()
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=15) == 0
    output = process.stdout.read().decode() if process.stdout else ""
    assert f"Serving on {base} with 1 workers" in output
    assert (tmp_path / "constellation.sqlite3").exists()
