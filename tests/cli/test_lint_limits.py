"""`okr lint` caps its report (the first findings and a count of the rest, in every format)
and refuses what `okr import` refuses: texts longer than the server's columns."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from typer.testing import CliRunner

from constellation.cli import (
    lint_command,
    main,  # noqa: F401  (registers every command)
)
from constellation.cli.app import app
from constellation.core.okrfile import OkrFileError, load_text
from constellation.core.okrfile.schema import MAX_LENGTH

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "constellation" / "schemas" / "lint.schema.json").read_text())
LIMIT = lint_command.REPORT_LIMIT
HEAD = """\
version: 1
organization: Acme Analytics
period: 2026-Q3
teams:
  - id: growth
    name: Growth
objectives:
"""
runner = CliRunner()


def _objective(number: int, extra: str = "") -> str:
    return (
        f"  - id: o{number}\n    team: growth\n    title: Teams reach value sooner {number}\n"
        f"{extra}    key_results:\n      - title: Launch the new onboarding flow {number}\n"
    )


def _file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "okrs.yaml"
    path.write_text(text)
    return path


def _many_findings(tmp_path: Path, count: int) -> Path:
    return _file(tmp_path, HEAD + "".join(_objective(n) for n in range(count)))


def test_the_text_report_lists_the_first_findings_and_counts_the_rest(tmp_path: Path) -> None:
    result = runner.invoke(app, ["lint", str(_many_findings(tmp_path, LIMIT + 300))])
    assert result.stdout.count("      hint: ") == LIMIT  # one hint a finding
    # The summary counts every finding, shown or not: each objective has three.
    assert "1300 errors, 2603 warnings, 0 info in 1 file" in result.stdout
    assert "… and 2,903 more findings not shown: the report lists the first 1,000." in (
        result.stdout
    )
    assert result.exit_code == 1


def test_json_and_sarif_reports_are_capped_and_keep_their_contract(tmp_path: Path) -> None:
    path = _many_findings(tmp_path, LIMIT + 300)
    result = runner.invoke(app, ["lint", str(path), "--format", "json"])
    document = json.loads(result.stdout)
    jsonschema.validate(document, SCHEMA)
    findings = [f for file in document["files"] for f in file["findings"]]
    assert len(findings) == LIMIT
    assert "more findings not shown" in result.stderr
    sarif = json.loads(runner.invoke(app, ["lint", str(path), "--format", "sarif"]).stdout)
    run = sarif["runs"][0]
    assert len(run["results"]) == LIMIT
    assert run["properties"]["findingsNotShown"] >= 300
    github = runner.invoke(app, ["lint", str(path), "--format", "github"]).stdout
    assert github.count("\n::") + github.startswith("::") == LIMIT


def test_the_problems_of_an_unreadable_file_are_capped_too(tmp_path: Path) -> None:
    text = HEAD + "".join(_objective(n, "    colour: blue\n") for n in range(LIMIT + 500))
    result = runner.invoke(app, ["lint", str(_file(tmp_path, text)), "--format", "github"])
    assert result.exit_code == 2
    assert result.stderr.count("unknown key 'colour'") == LIMIT
    assert f"more problems not shown: the report lists the first 1,000 of {LIMIT + 500:,}" in (
        result.stderr.replace("\n", " ")
    )
    assert result.stdout.count("::error ") == LIMIT


def test_lint_refuses_a_title_longer_than_import_takes(tmp_path: Path) -> None:
    limit = MAX_LENGTH["objective"]["title"]
    text = HEAD + _objective(1).replace("Teams reach value sooner 1", "x" * 4_000_000)
    result = runner.invoke(app, ["lint", str(_file(tmp_path, text))])
    assert result.exit_code == 2
    assert f"'title' is longer than {limit} characters (4,000,000)" in result.stderr


def test_every_column_limit_is_checked_by_the_loader() -> None:
    for kind, limits in MAX_LENGTH.items():
        assert limits, kind
    text = HEAD.replace("name: Growth", "name: " + "g" * 201) + _objective(1)
    try:
        load_text(text, "okrs.yaml")
    except OkrFileError as error:
        assert "'name' is longer than 200 characters (201)" in str(error)
    else:
        raise AssertionError("a team name longer than its column was taken")
