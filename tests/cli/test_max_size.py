"""The size limit of an OKR file: the OKR_MAX_FILE_MB setting, or `--max-size MB` on `okr lint`
and `okr import`; a refusal names the file, its size and the setting."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console
from typer.testing import CliRunner

from constellation.cli import (
    lint_command,
    main,  # noqa: F401  (registers every command)
    server_commands,
)
from constellation.cli.app import app
from constellation.server.orgs.models import Organization

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme.yaml"
runner = CliRunner()


@pytest.fixture
def padded(tmp_path: Path) -> Path:
    """The example OKR file, made 2.0 MB by a comment at its end."""
    path = tmp_path / "padded.yaml"
    text = EXAMPLE.read_text(encoding="utf-8")
    path.write_text(text + "# " + "x" * (2 * 1024 * 1024 - len(text) - 3) + "\n")
    return path


def _refusal(path: Path, limit: str) -> str:
    return (
        f"{path}: file is 2.0 MB, over the {limit} MB limit for an OKR file; to read it, raise "
        "the limit with OKR_MAX_FILE_MB (or --max-size on okr lint and okr import)"
    )


def test_lint_refuses_a_file_over_its_max_size(padded: Path) -> None:
    result = runner.invoke(app, ["lint", "--format", "json", "--max-size", "1.5", str(padded)])
    assert result.exit_code == 2
    assert result.stderr.strip() == _refusal(padded, "1.5")
    assert json.loads(result.stdout)["files"] == []


def test_the_setting_sets_the_limit_and_max_size_overrides_it(
    padded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OKR_MAX_FILE_MB", "1")
    refused = runner.invoke(app, ["lint", "--format", "json", str(padded)])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == _refusal(padded, "1")
    allowed = runner.invoke(app, ["lint", "--format", "json", "--max-size", "3", str(padded)])
    assert allowed.exit_code in (0, 1), allowed.output
    assert json.loads(allowed.stdout)["files"][0]["path"] == str(padded)


def test_a_bad_setting_is_named(padded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OKR_MAX_FILE_MB", "ten")
    result = runner.invoke(app, ["lint", str(padded)])
    assert result.exit_code == 2
    assert "OKR_MAX_FILE_MB: must be a positive number of megabytes" in result.stderr
    assert "Traceback" not in result.output


def test_max_size_must_be_positive(padded: Path) -> None:
    result = runner.invoke(app, ["lint", "--max-size", "0", str(padded)])
    assert result.exit_code == 2
    assert "--max-size" in result.output


@pytest.mark.django_db
def test_import_refuses_a_file_over_its_max_size_and_reads_one_under_it(padded: Path) -> None:
    refused = runner.invoke(app, ["import", str(padded), "--org", "acme", "--max-size", "1"])
    assert refused.exit_code == 2
    assert refused.stderr.strip() == _refusal(padded, "1")
    assert not Organization.objects.filter(slug="acme").exists()
    result = runner.invoke(
        app, ["import", str(padded), "--org", "acme", "--max-size", "2.5", "--dry-run"]
    )
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.stdout
    assert not Organization.objects.filter(slug="acme").exists()


@pytest.mark.django_db
def test_a_big_file_shows_what_is_read_on_a_terminal_only(
    padded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(lint_command, "READING_NOTICE_BYTES", 1024)
    for module in (lint_command, server_commands):
        terminal = Console(file=io.StringIO(), force_terminal=True, width=200)
        monkeypatch.setattr(module, "err_console", terminal)
        monkeypatch.setattr(lint_command, "err_console", terminal)
        command = ["lint", "--format", "json"] if module is lint_command else ["import"]
        extra = [] if module is lint_command else ["--org", "acme", "--dry-run"]
        result = runner.invoke(app, [*command, str(padded), *extra])
        assert result.exit_code in (0, 1), result.output
        assert f"reading {padded} (2 MB)" in terminal.file.getvalue()
    piped = Console(file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(lint_command, "err_console", piped)
    runner.invoke(app, ["lint", "--format", "json", str(padded)])
    assert piped.file.getvalue() == ""


@pytest.mark.django_db
def test_export_says_what_it_does_on_a_terminal_and_never_in_the_file(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert runner.invoke(app, ["import", str(EXAMPLE), "--org", "acme"]).exit_code == 0
    terminal = Console(file=io.StringIO(), force_terminal=True, width=200)
    monkeypatch.setattr(server_commands, "err_console", terminal)
    shown = runner.invoke(app, ["export", "--org", "acme"])
    assert shown.exit_code == 0, shown.output
    assert "exporting" in terminal.file.getvalue()
    assert "exporting" not in shown.stdout and shown.stdout.startswith("version: 1")
    piped = Console(file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(server_commands, "err_console", piped)
    quiet = runner.invoke(app, ["export", "--org", "acme"])
    assert quiet.stdout == shown.stdout
    assert piped.file.getvalue() == ""
