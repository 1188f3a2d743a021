"""`okr classify`: statements on standard input or as arguments, JSON lines or a table."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app

runner = CliRunner()
KEYS = ["text", "nature", "measurable", "maintain", "focus", "reason"]


def _args(*args: str) -> list[str]:
    """Arguments for `okr classify ...` (no command name while it is the app's only command)."""
    command = typer.main.get_command(app)
    return ["classify", *args] if hasattr(command, "commands") else list(args)


def test_it_writes_one_json_object_a_line_for_each_statement_on_stdin() -> None:
    result = runner.invoke(
        app, _args(), input="Launch the new website\n\nGrow MRR from $800k to $1.1M\n"
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [list(line) for line in lines] == [KEYS, KEYS]
    first = dict(lines[0])
    assert first.pop("focus") in ("customer", "business")  # whom the work is for
    assert first == {
        "text": "Launch the new website",
        "nature": "output",
        "measurable": False,
        "maintain": False,
        "reason": "“Launch” is work to do",
    }
    assert lines[1]["nature"] == "outcome" and lines[1]["focus"] == "business"


def test_it_reads_statements_given_as_arguments() -> None:
    result = runner.invoke(app, _args("Keep NPS at 50 or higher", "Host 30 community events"))
    assert result.exit_code == 0, result.output
    first, second = (json.loads(line) for line in result.stdout.splitlines())
    assert (first["maintain"], first["focus"]) == (True, "customer")
    assert (second["nature"], second["measurable"]) == ("output", True)


def test_it_keeps_quotes_and_accents_intact_in_json() -> None:
    text = 'Raise "café" visits from 1,000 to 1,500'
    result = runner.invoke(app, _args(), input=text + "\n")
    assert json.loads(result.stdout)["text"] == text


def test_it_prints_a_table_in_text_format() -> None:
    result = runner.invoke(app, _args("--format", "text", "Launch app X"))
    assert result.exit_code == 0, result.output
    assert "Statement" in result.stdout and "Launch app X" in result.stdout
    assert "output" in result.stdout


@pytest.mark.parametrize("data", [b"\x00\x01\x02binary", b"\xff\xfe\xfa not utf-8\n"])
def test_it_refuses_binary_input_with_exit_2_and_no_traceback(data: bytes) -> None:
    result = runner.invoke(app, _args(), input=data)
    assert result.exit_code == 2
    assert "not UTF-8 text" in result.output
    assert "Traceback" not in result.output


def test_it_writes_nothing_for_empty_input() -> None:
    result = runner.invoke(app, _args(), input="\n\n")
    assert result.exit_code == 0
    assert result.stdout == ""


def _okr() -> list[str]:
    """The installed `okr` command, or the module when the package is not installed."""
    script = Path(sys.executable).parent / "okr"
    return [str(script)] if script.exists() else [sys.executable, "-m", "constellation.cli.main"]


def test_it_runs_as_a_real_command_reading_stdin() -> None:
    done = subprocess.run(
        [*_okr(), *_args()],
        input=b"Increase week-1 activation from 34% to 50%\nShip guided setup\n",
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.decode().splitlines()]
    assert [line["nature"] for line in lines] == ["outcome", "output"]


def test_it_refuses_binary_input_as_a_real_command() -> None:
    done = subprocess.run(
        [*_okr(), *_args()], input=b"\x89PNG\r\n\x1a\n\x00\x00", capture_output=True, timeout=30
    )
    assert done.returncode == 2
    assert b"not UTF-8 text" in done.stderr
    assert b"Traceback" not in done.stderr


def test_bare_okr_classify_gives_what_the_command_with_its_options_gives() -> None:
    # `okr classify` alone runs without Typer's parsing; `--format json` goes through Typer.
    data = "Launch the new website\n\nGrow MRR from $800k to $1.1M\nKeep NPS at 50 or higher\n"
    bare, parsed = (
        subprocess.run(
            [*_okr(), "classify", *options], input=data.encode(), capture_output=True, timeout=30
        )
        for options in ([], ["--format", "json"])
    )
    assert (bare.returncode, bare.stdout, bare.stderr) == (
        parsed.returncode,
        parsed.stdout,
        parsed.stderr,
    )
    assert bare.returncode == 0 and bare.stdout.count(b"\n") == 3


def test_okr_classify_imports_no_other_command() -> None:
    code = (
        "import sys\n"
        "from constellation.cli.main import main\n"
        "sys.argv = ['okr', 'classify']\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "cli = sorted(m for m in sys.modules if m.startswith('constellation.cli.'))\n"
        "print(cli, file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], input=b"Ship guided setup\n", capture_output=True, timeout=30
    )
    assert done.returncode == 0, done.stderr
    loaded = done.stderr.decode().strip()
    assert loaded == str(
        ["constellation.cli.app", "constellation.cli.classify_command", "constellation.cli.main"]
    )
