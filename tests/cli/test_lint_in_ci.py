"""The `okr` command in CI: GitHub annotations, unreadable files in SARIF, pre-commit hooks,
`--version` and shell completion."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest
import yaml

from constellation.core.coach.findings import Finding
from constellation.core.coach.report import github_annotations
from constellation.core.okrfile.problems import Problem
from tests.cli.test_lint_command import INVALID, SOUND, files, invoke  # noqa: F401  (a fixture)

ROOT = Path(__file__).resolve().parents[2]
OKR = [sys.executable, "-m", "constellation.cli.main"]


def test_github_format_annotates_each_finding_on_its_file_and_line(
    files: dict[str, Path],  # noqa: F811
) -> None:
    result = invoke(files["warned"], files["failing"], "--format", "github")
    assert result.exit_code == 1, result.output
    lines = result.stdout.splitlines()
    warned = files["warned"].as_posix()
    assert any(
        line.startswith(f"::warning file={warned},line=27,title=okr output-kr::")
        and "(hint: Ask what changes for users" in line
        for line in lines
    ), lines
    failing = files["failing"].as_posix()
    assert any(
        line.startswith(f"::error file={failing},line=15,title=okr only-outputs::")
        for line in lines
    )
    assert all(re.match(r"::(error|warning|notice) file=", line) for line in lines)


def test_github_format_reports_an_unreadable_file_as_an_error_and_exits_2(
    files: dict[str, Path],  # noqa: F811
) -> None:
    result = invoke(files["invalid"], files["sound"], "--format", "github")
    assert result.exit_code == 2
    lines = result.stdout.splitlines()
    assert len(lines) == 3  # every problem of the file, and no finding of the sound one
    invalid = files["invalid"].as_posix()
    assert all(line.startswith(f"::error file={invalid},line=") for line in lines)
    [line] = [line for line in lines if "tittle" in line]
    assert line.startswith(f"::error file={invalid},line=6,col=5,title=okr%3A unreadable file::")


def test_annotations_escape_what_the_runner_would_misread() -> None:
    finding = Finding(
        rule="output-kr",
        severity="warning",
        object="a/b",
        line=3,
        message="100% done\nnext line",
        hint="h",
    )
    problem = Problem("dir,with:odd/okrs.yaml", 2, None, "bad value: 50%")
    out = github_annotations([("okrs.yaml", [finding])], [problem]).splitlines()
    assert out[0] == (
        "::error file=dir%2Cwith%3Aodd/okrs.yaml,line=2,title=okr%3A unreadable file"
        "::bad value: 50%25"
    )
    assert out[1] == (
        "::warning file=okrs.yaml,line=3,title=okr output-kr::100%25 done%0Anext line (hint: h)"
    )


def test_sarif_reports_an_unreadable_file_as_an_error_notification(
    files: dict[str, Path],  # noqa: F811
) -> None:
    result = invoke(files["invalid"], files["failing"], "--format", "sarif")
    assert result.exit_code == 2
    run = json.loads(result.stdout)["runs"][0]
    assert any(r["ruleId"] == "only-outputs" for r in run["results"])
    [invocation] = run["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert len(notes) == 3 and all(note["level"] == "error" for note in notes)
    [note] = [note for note in notes if "tittle" in note["message"]["text"]]
    location = note["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == files["invalid"].as_posix()
    assert location["region"] == {"startLine": 6, "startColumn": 5}


def test_sarif_of_readable_files_has_no_failed_invocation(
    files: dict[str, Path],  # noqa: F811
) -> None:
    run = json.loads(invoke(files["sound"], "--format", "sarif").stdout)["runs"][0]
    assert "invocations" not in run


def test_version_prints_the_installed_version() -> None:
    done = subprocess.run([*OKR, "--version"], capture_output=True, text=True, check=True)
    assert done.stdout == f"okr (constellation-okr) {metadata.version('constellation-okr')}\n"


def test_shell_completion_completes_commands_and_choices() -> None:
    def complete(words: str, index: int) -> list[str]:
        env = {
            **os.environ,
            "_OKR_COMPLETE": "complete_bash",
            "COMP_WORDS": words,
            "COMP_CWORD": str(index),
        }
        okr = Path(sys.executable).parent / "okr"
        done = subprocess.run([str(okr)], env=env, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        return done.stdout.split()

    assert complete("okr li", 1) == ["lint"]
    assert complete("okr lint --format ", 3) == ["text", "json", "sarif", "github"]
    okr = str(Path(sys.executable).parent / "okr")
    shown = subprocess.run([okr, "--show-completion", "bash"], capture_output=True, text=True)
    assert shown.returncode == 0, shown.stderr
    assert "_OKR_COMPLETE=complete_bash" in shown.stdout


HOOKS = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())


def test_pre_commit_hooks_name_real_commands_on_okr_files(tmp_path: Path) -> None:
    assert [hook["id"] for hook in HOOKS] == ["okr-lint", "okr-fmt"]
    for hook in HOOKS:
        assert hook["language"] == "python"
        pattern = re.compile(hook["files"])
        for name in ("okrs.yaml", "team/okrs.yml", "okrs/growth.yaml", "okrs.2026-q3.yaml"):
            assert pattern.search(name), (hook["id"], name)
        for name in ("ci.yaml", "docs/okr-file.md", "works.yaml"):
            assert not pattern.search(name), (hook["id"], name)
    good = tmp_path / "okrs.yaml"
    good.write_text(SOUND)
    bad = tmp_path / "okrs" / "bad.yaml"
    bad.parent.mkdir()
    bad.write_text(INVALID)
    codes = {}
    for hook in HOOKS:
        # pre-commit runs the entry with the staged files that match as arguments.
        entry = hook["entry"].split()
        assert entry[0] == "okr"
        okr = str(Path(sys.executable).parent / "okr")
        good_run = subprocess.run([okr, *entry[1:], str(good)], capture_output=True, text=True)
        bad_run = subprocess.run([okr, *entry[1:], str(bad)], capture_output=True, text=True)
        codes[hook["id"]] = (good_run.returncode, bad_run.returncode)
        assert "bad.yaml:6:5" in bad_run.stderr, bad_run.stderr
    assert codes["okr-lint"] == (0, 2)
    assert codes["okr-fmt"][1] == 2


@pytest.mark.parametrize("hook", HOOKS, ids=lambda h: h["id"])
def test_each_hook_is_described(hook: dict[str, str]) -> None:
    assert hook["name"] and hook["description"]
