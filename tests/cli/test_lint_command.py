"""`okr lint`: text, JSON and SARIF output, exit codes, --strict, and bad files among good ones."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path

import jsonschema
import pytest
from rich.console import Console
from typer.testing import CliRunner

from constellation.cli import (
    lint_command,
    main,  # noqa: F401  (registers every command)
)
from constellation.cli.app import app
from constellation.core.coach import RULES
from constellation.core.generate import generate_plan_text

ROOT = Path(__file__).resolve().parents[2]
OKR = ROOT / ".venv" / "bin" / "okr"
SCHEMA = json.loads((ROOT / "constellation" / "schemas" / "lint.schema.json").read_text())
runner = CliRunner()

STRATEGY = """\
strategy:
  levers:
    - id: self-serve
      title: Win self-serve small businesses
"""
HEAD = (
    """\
version: 1
organization: Acme Analytics
period: 2026-Q3
"""
    + STRATEGY
    + """\
teams:
  - id: company
    name: Acme
  - id: growth
    name: Growth
    parent: company
objectives:
"""
)
SOUND = (
    HEAD
    + """\
  - id: activation
    team: growth
    title: New teams get to value in their first week
    focus: customer
    levers: [self-serve]
    key_results:
      - title: Raise week-1 activation from 34% to 50%
        baseline: 34
        target: 50
      - title: Cut time to first report from 3 days to 1 day
        baseline: 3
        target: 1
"""
)
WARNED = (
    SOUND
    + """\
      - id: wizard
        title: Launch the onboarding wizard
        type: milestone
"""
)
FAILING = (
    HEAD
    + """\
  - id: reports
    team: growth
    title: Customers find answers in their reports
    focus: customer
    levers: [self-serve]
    key_results:
      - id: builder
        title: Ship the report builder
        type: milestone
      - id: templates
        title: Publish ten report templates
        type: milestone
"""
)
INVALID = "version: 1\norganization: Acme\nperiod: 2026-Q3\nobjectives:\n  - id: x\n    tittle: X\n"


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    written = {}
    for name, text in {
        "sound": SOUND,
        "warned": WARNED,
        "failing": FAILING,
        "invalid": INVALID,
    }.items():
        path = tmp_path / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        written[name] = path
    return written


def invoke(*args: object):
    return runner.invoke(app, ["lint", *map(str, args)])


def test_a_sound_file_exits_0_with_no_findings(files: dict[str, Path]) -> None:
    result = invoke(files["sound"])
    assert result.exit_code == 0, result.output
    assert "no findings" in result.stdout
    assert "0 errors, 0 warnings, 0 info in 1 file" in result.stdout


def test_warnings_exit_0_unless_strict(files: dict[str, Path]) -> None:
    assert invoke(files["warned"]).exit_code == 0
    assert invoke(files["warned"], "--strict").exit_code == 1
    assert invoke(files["sound"], "--strict").exit_code == 0


def test_an_error_exits_1(files: dict[str, Path]) -> None:
    result = invoke(files["failing"])
    assert result.exit_code == 1
    assert "only-outputs" in result.stdout


def test_text_groups_findings_by_objective_with_line_and_hint(files: dict[str, Path]) -> None:
    result = invoke(files["warned"], files["failing"])
    out = result.stdout
    assert "activation — New teams get to value in their first week" in out
    assert "reports — Customers find answers in their reports" in out
    assert "warning output-kr (line 27):" in out
    assert "hint: Ask what changes for users once the onboarding wizard is live" in out
    assert "1 error, 3 warnings, 0 info in 2 files" in out
    assert "\x1b[" not in out  # no colour codes when the output is not a terminal
    assert out.index(str(files["warned"])) < out.index(str(files["failing"]))


def test_plan_wide_findings_have_their_own_group(tmp_path: Path) -> None:
    path = tmp_path / "nolevers.yaml"
    text = WARNED.replace(STRATEGY, "").replace("    levers: [self-serve]\n", "")
    path.write_text(text, encoding="utf-8")
    result = invoke(path)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "warning no-strategy (file):" in out
    assert out.index("plan: strategy, teams and KPIs") < out.index("activation — ")


def test_json_follows_the_spec_and_validates_against_the_schema(files: dict[str, Path]) -> None:
    result = invoke(files["warned"], files["failing"], "--format", "json")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    assert [f["path"] for f in document["files"]] == [str(files["warned"]), str(files["failing"])]
    [finding] = document["files"][0]["findings"]
    assert list(finding) == ["rule", "severity", "object", "line", "message", "hint"]
    assert (finding["rule"], finding["object"], finding["line"]) == (
        "output-kr",
        "activation/wizard",
        27,
    )
    rules = {(f["rule"], f["object"]) for f in document["files"][1]["findings"]}
    assert rules >= {("only-outputs", "reports"), ("output-kr", "reports/builder")}


def test_the_schema_knows_every_rule() -> None:
    assert SCHEMA["$defs"]["finding"]["properties"]["rule"]["enum"] == list(RULES)
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_sarif_has_the_tool_its_rules_and_located_results(files: dict[str, Path]) -> None:
    result = invoke(files["failing"], "--format", "sarif")
    assert result.exit_code == 1
    log = json.loads(result.stdout)
    assert log["version"] == "2.1.0" and "sarif" in log["$schema"]
    driver = log["runs"][0]["tool"]["driver"]
    assert driver["name"] == "okr"
    described = {rule["id"]: rule for rule in driver["rules"]}
    assert set(described) == set(RULES)
    assert described["only-outputs"]["defaultConfiguration"]["level"] == "error"
    assert described["okrs-may-not-fit"]["defaultConfiguration"]["level"] == "note"
    assert described["output-kr"]["fullDescription"]["text"] == RULES["output-kr"].principle
    results = log["runs"][0]["results"]
    only = next(r for r in results if r["ruleId"] == "only-outputs")
    assert only["level"] == "error"
    location = only["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == files["failing"].as_posix()
    assert location["region"]["startLine"] == 15
    assert only["message"]["text"].startswith("Every key result")


def test_a_bad_file_exits_2_and_the_others_are_still_linted(files: dict[str, Path]) -> None:
    result = invoke(files["invalid"], files["warned"], "--format", "json")
    assert result.exit_code == 2
    assert f"{files['invalid']}:6:5:" in result.stderr
    assert "tittle" in result.stderr
    assert "Traceback" not in result.output
    document = json.loads(result.stdout)
    assert [f["path"] for f in document["files"]] == [str(files["warned"])]


def test_a_missing_file_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    result = invoke(tmp_path / "nowhere.yaml")
    assert result.exit_code == 2
    assert "nowhere.yaml" in result.stderr
    assert "Traceback" not in result.output


def test_the_real_okr_command_lints_a_file(files: dict[str, Path]) -> None:
    completed = subprocess.run(
        [str(OKR), "lint", "--format", "json", str(files["warned"]), str(files["invalid"])],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "Traceback" not in completed.stderr
    assert f"{files['invalid']}:6:5:" in completed.stderr
    document = json.loads(completed.stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["files"][0]["findings"][0]["rule"] == "output-kr"


def test_a_terminal_gets_coloured_severities(
    files: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    screen = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(lint_command, "console", screen)
    assert invoke(files["failing"]).exit_code == 1
    text = screen.file.getvalue()
    assert "\x1b[" in text and "only-outputs" in text


def test_a_big_plan_shows_progress_on_a_terminal_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.yaml"
    path.write_text(generate_plan_text(30), encoding="utf-8")
    monkeypatch.setattr(lint_command, "PROGRESS_THRESHOLD", 10)
    terminal = Console(file=io.StringIO(), force_terminal=True, width=100)
    monkeypatch.setattr(lint_command, "err_console", terminal)
    result = invoke(path, "--format", "json")
    assert json.loads(result.stdout)["files"][0]["path"] == str(path)
    assert "linting" in terminal.file.getvalue()
    piped = Console(file=io.StringIO(), force_terminal=False)
    monkeypatch.setattr(lint_command, "err_console", piped)
    invoke(path, "--format", "json")
    assert piped.file.getvalue() == ""


def test_the_text_summary_counts_files_that_could_not_be_linted(files: dict[str, Path]) -> None:
    result = invoke(files["invalid"], files["sound"])
    assert result.exit_code == 2
    assert "0 errors, 0 warnings, 0 info in 1 file; 1 file could not be linted" in result.stdout
