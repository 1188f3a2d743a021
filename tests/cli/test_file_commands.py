"""`okr fmt` and `okr new`, through the Typer app and as the real `okr` command."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app
from constellation.cli.file_commands import load_or_exit
from constellation.core.okrfile import load_file
from constellation.core.periods import period_containing

OKR = Path(sys.executable).with_name("okr")
ACME = Path(__file__).resolve().parents[1] / "examples" / "acme.yaml"
runner = CliRunner()

UNORDERED = """\
version: 1
period: 2026-Q3
organization: Acme   # who we are
teams:
  - name: Growth
    id: growth
"""
ORDERED = """\
version: 1
organization: Acme   # who we are
period: 2026-Q3
teams:
  - id: growth
    name: Growth
"""


def test_fmt_rewrites_a_file_in_canonical_order(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_text(UNORDERED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_text(encoding="utf-8") == ORDERED
    assert f"reformatted {path}" in result.output
    assert "1 file reformatted, 0 left unchanged" in result.output


def test_fmt_leaves_a_canonical_file_alone(tmp_path: Path) -> None:
    path = tmp_path / "acme.yaml"
    path.write_bytes(ACME.read_bytes())
    before = path.stat().st_mtime_ns
    result = runner.invoke(app, ["fmt", str(path)])
    assert result.exit_code == 0, result.output
    assert path.read_bytes() == ACME.read_bytes() and path.stat().st_mtime_ns == before
    assert "0 files reformatted, 1 left unchanged" in result.output


def test_fmt_check_writes_nothing_and_exits_1_when_a_file_would_change(tmp_path: Path) -> None:
    messy, tidy = tmp_path / "messy.yaml", tmp_path / "tidy.yaml"
    messy.write_text(UNORDERED, encoding="utf-8")
    tidy.write_text(ORDERED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(messy), str(tidy)])
    assert result.exit_code == 1, result.output
    assert f"would reformat {messy}" in result.output and str(tidy) not in result.output
    assert messy.read_text(encoding="utf-8") == UNORDERED


def test_fmt_check_exits_0_when_every_file_is_canonical(tmp_path: Path) -> None:
    path = tmp_path / "tidy.yaml"
    path.write_text(ORDERED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", "--check", str(path)])
    assert result.exit_code == 0, result.output


def test_fmt_reports_a_bad_file_and_still_formats_the_others(tmp_path: Path) -> None:
    bad, messy = tmp_path / "bad.yaml", tmp_path / "messy.yaml"
    bad.write_text("version: 1\norganization: Acme\nperiod: 2026-Q3\ntittle: x\n", encoding="utf-8")
    messy.write_text(UNORDERED, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(bad), str(messy)])
    assert result.exit_code == 2
    assert f"{bad}:4:1: unknown key 'tittle' in the top level" in result.output
    assert "Traceback" not in result.output
    assert messy.read_text(encoding="utf-8") == ORDERED


def test_fmt_keeps_the_file_mode_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_text(UNORDERED, encoding="utf-8")
    path.chmod(0o640)
    assert runner.invoke(app, ["fmt", str(path)]).exit_code == 0
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["okrs.yaml"]


def test_new_writes_a_starter_file_that_loads_and_says_what_to_do_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["new"])
    assert result.exit_code == 0, result.output
    plan = load_file(tmp_path / "okrs.yaml")
    assert plan.period == period_containing(date.today()).key
    assert "Wrote okrs.yaml" in result.output and "okr lint okrs.yaml" in result.output


def test_new_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    path = tmp_path / "mine.yaml"
    path.write_text("my own OKRs\n", encoding="utf-8")
    result = runner.invoke(app, ["new", str(path)])
    assert result.exit_code == 2
    assert f"{path}: already exists; use --force to overwrite it" in result.output
    assert path.read_text(encoding="utf-8") == "my own OKRs\n"
    forced = runner.invoke(app, ["new", str(path), "--force"])
    assert forced.exit_code == 0, forced.output
    assert load_file(path).objectives


def test_new_refuses_a_directory_and_an_unwritable_place(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", str(tmp_path)])
    assert result.exit_code == 2 and "is a directory" in result.output
    missing = tmp_path / "no" / "such" / "okrs.yaml"
    result = runner.invoke(app, ["new", str(missing)])
    assert result.exit_code == 2 and "cannot be written: No such file or directory" in result.output


def test_new_dash_writes_the_starter_to_standard_output(tmp_path: Path) -> None:
    result = runner.invoke(app, ["new", "-"])
    assert result.exit_code == 0
    assert result.stdout.startswith("# An OKR file") and "version: 1" in result.stdout
    assert list(tmp_path.iterdir()) == []


def test_load_or_exit_prints_problems_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("version: 1\norganization: [Acme]\nperiod: 2026-Q3\n", encoding="utf-8")
    with pytest.raises(typer.Exit) as caught:
        load_or_exit(path)
    assert caught.value.exit_code == 2
    err = capsys.readouterr().err
    assert err == f"{path}:2:15: 'organization' must be text, got a list; put it in quotes\n"


def test_load_or_exit_returns_the_plan_of_a_good_file() -> None:
    assert load_or_exit(ACME).organization == "Acme Analytics"


def test_the_real_okr_command_formats_and_starts_files(tmp_path: Path) -> None:
    messy = tmp_path / "messy.yaml"
    messy.write_text(UNORDERED, encoding="utf-8")
    check = subprocess.run(
        [str(OKR), "fmt", "--check", str(messy)], capture_output=True, text=True, timeout=60
    )
    assert check.returncode == 1 and f"would reformat {messy}" in check.stdout
    done = subprocess.run([str(OKR), "fmt", str(messy)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert messy.read_text(encoding="utf-8") == ORDERED
    new = subprocess.run(
        [str(OKR), "new", "starter.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert new.returncode == 0, new.stderr
    assert load_file(tmp_path / "starter.yaml").levers
    again = subprocess.run(
        [str(OKR), "new", "starter.yaml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert again.returncode == 2 and "already exists" in again.stderr
    assert "Traceback" not in again.stderr
