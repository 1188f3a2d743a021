"""`okr score`: a real OKR file scored as tables or JSON, on a given day or today."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app

runner = CliRunner()

PLAN = """\
version: 1
organization: Acme Analytics
period: 2026-Q3
strategy:
  levers:
    - id: self-serve
      title: Win self-serve small businesses
teams:
  - id: company
    name: Acme
  - id: growth
    name: Growth [web]
    parent: company
objectives:
  - id: activation
    team: growth
    title: New teams get to value in their first week
    levers: [self-serve]
    key_results:
      - id: week1-activation
        title: Raise week-1 activation from 34% to 50%
        baseline: 34
        target: 50
        unit: "%"
        check_ins:
          - {on: 2026-07-16, value: 38, confidence: 8}
          - {on: 2026-07-31, value: 42, confidence: 7}
      - id: guided-setup
        title: Ship guided setup
        type: milestone
        done: true
  - id: retention
    team: company
    title: Small businesses stay with us because we pay off
    commitment: aspirational
    levers: [self-serve]
    key_results:
      - id: logo-retention
        title: Raise 90-day logo retention from 78% to 85%
        baseline: 78
        target: 85
        current: 82
        unit: "%"
        confidence: 3
"""


@pytest.fixture
def okr_file(tmp_path: Path) -> Path:
    """A real OKR file on disk."""
    path = tmp_path / "okrs.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return path


def _json(*args: str) -> dict:
    """Run `okr score ... --format json` and read its document."""
    result = runner.invoke(app, ["score", *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_it_prints_a_table_per_team_with_objectives_and_key_results(okr_file: Path) -> None:
    result = runner.invoke(app, ["score", str(okr_file), "--at", "2026-08-15"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "Acme (company)" in out and "Growth [web] (growth)" in out
    assert out.index("Acme (company)") < out.index("Growth [web] (growth)")
    for text in ("activation", "week1-activation", "guided-setup", "retention", "42% → 50%"):
        assert text in out
    assert "on track" in out and "off track" in out
    assert "Scored on 2026-08-15: 2 objectives (1 on track, 0 at risk, 1 off track)" in out


def test_it_prints_titles_literally_and_ranges_against_their_bounds(tmp_path: Path) -> None:
    path = tmp_path / "uptime.yaml"
    path.write_text(
        """\
version: 1
organization: Acme
period: 2026-Q3
teams:
  - id: ops
    name: Ops
objectives:
  - id: steady
    team: ops
    title: "Customers never see [red]downtime[/red]"
    key_results:
      - title: Keep uptime between 99.5 and 100
        type: range
        healthy: 99.5..100
        current: 99.9
        unit: "%"
"""
    )
    result = runner.invoke(app, ["score", str(path), "--at", "2026-08-15"])
    assert result.exit_code == 0, result.output
    assert "[red]downtime[/red]" in result.stdout
    assert "99.9% in 99.5..100" in result.stdout
    # The id derived from the title is not shown beside the title it repeats.
    assert "keep-uptime" not in result.stdout


def test_it_writes_the_scores_as_json(okr_file: Path) -> None:
    document = _json(str(okr_file), "--at", "2026-08-15")
    assert list(document) == ["path", "at", "objectives"]
    assert document["path"] == str(okr_file) and document["at"] == "2026-08-15"
    activation, retention = document["objectives"]
    assert activation["progress"] == 0.75 and activation["expected"] == 0.5
    assert activation["grade"] == {"value": 0.8, "band": "green", "expected": 1.0, "met": False}
    assert activation["status"] == "on_track"
    week1 = activation["key_results"][0]
    assert (week1["current"], week1["progress"], week1["unit"]) == (42, 0.5, "%")
    assert week1["forecast"]["points"] == 3
    assert week1["forecast"]["target_date"] == "2026-08-30"
    assert retention["grade"]["expected"] == 0.7
    assert retention["expected"] == 0.35
    assert retention["status"] == "off_track"  # confidence 3 overrides


def test_the_day_changes_what_is_expected(okr_file: Path) -> None:
    early = _json(str(okr_file), "--at", "2026-07-03")["objectives"][0]
    late = _json(str(okr_file), "--at", "2026-09-30")["objectives"][0]
    assert early["status"] == "on_track" and early["expected"] < 0.05
    assert late["expected"] == 1.0 and late["status"] == "at_risk"


def test_it_scores_on_today_by_default(okr_file: Path) -> None:
    assert _json(str(okr_file))["at"] == date.today().isoformat()


@pytest.mark.parametrize("day", ["2026-02-30", "tomorrow", "15/08/2026", "20260815", ""])
def test_it_refuses_a_bad_date_with_exit_2(okr_file: Path, day: str) -> None:
    result = runner.invoke(app, ["score", str(okr_file), "--at", day])
    assert result.exit_code == 2
    assert "is not a date; expected YYYY-MM-DD" in result.output
    assert "Traceback" not in result.output


def test_it_refuses_a_missing_file_with_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.yaml"
    result = runner.invoke(app, ["score", str(missing)])
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.output
    assert "Traceback" not in result.output


def test_it_refuses_an_invalid_file_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(PLAN.replace("        baseline: 34", "        baseline: lots"))
    result = runner.invoke(app, ["score", str(path), "--format", "json"])
    assert result.exit_code == 2
    assert f"{path}:22:" in result.output
    assert "Traceback" not in result.output


def test_it_scores_the_example_of_the_specification() -> None:
    example = Path(__file__).resolve().parents[1] / "examples" / "acme.yaml"
    document = _json(str(example), "--at", "2026-08-15")
    assert [o["id"] for o in document["objectives"]] == ["company-retention", "activation"]
    activation = document["objectives"][1]
    assert activation["key_results"][0]["progress"] == 0.4375
    assert activation["progress"] == pytest.approx(0.2188, abs=1e-4)


def _okr() -> list[str]:
    """The installed `okr` command, or the module when the package is not installed."""
    script = Path(sys.executable).parent / "okr"
    return [str(script)] if script.exists() else [sys.executable, "-m", "constellation.cli.main"]


def test_it_runs_as_a_real_command(okr_file: Path) -> None:
    done = subprocess.run(
        [*_okr(), "score", str(okr_file), "--at", "2026-08-15", "--format", "json"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [o["status"] for o in document["objectives"]] == ["on_track", "off_track"]


def test_it_refuses_a_bad_date_as_a_real_command(okr_file: Path) -> None:
    done = subprocess.run(
        [*_okr(), "score", str(okr_file), "--at", "2026-13-01"],
        capture_output=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert b"is not a date" in done.stderr and b"Traceback" not in done.stderr
