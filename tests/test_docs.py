"""The README stays true: every command is documented, the Quickstart is two commands, CI runs
the README's test command."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from constellation.cli.main import app

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _command_names() -> set[str]:
    group = typer.main.get_command(app)
    return set(group.commands)  # type: ignore[attr-defined]


def test_every_okr_command_is_in_the_readme() -> None:
    names = _command_names()
    assert {"lint", "fmt", "new", "classify", "score", "demo", "serve", "import", "export"} <= names
    missing = sorted(name for name in names if f"`okr {name}" not in README)
    assert missing == []


def test_the_quickstart_has_exactly_two_commands() -> None:
    quickstart = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```sh\n(.*?)```", quickstart, flags=re.S)
    commands = [line for block in blocks for line in block.splitlines() if line.strip()]
    assert len(commands) == 2
    assert "okr demo" in commands[0]
    assert commands[1] == "bash scripts/test"


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text()
    assert "scripts/test" in ci


def test_every_document_the_readme_links_exists() -> None:
    for link in re.findall(r"\]\(((?:docs/)?[\w./-]+\.md)\)", README):
        assert (ROOT / link).is_file(), link


def test_every_screenshot_the_readme_shows_exists() -> None:
    shown = re.findall(r'src="(docs/screenshots/[\w.-]+\.png)"', README)
    assert len(shown) >= 16
    for path in shown:
        assert (ROOT / path).is_file(), path
    script = (ROOT / "scripts" / "screenshots.py").read_text()
    for name in {Path(path).stem.rsplit("-", 1)[0] for path in shown}:
        assert f'"{name}"' in script, f"scripts/screenshots.py does not make {name}"
