"""`okr import`, `okr export` and `okr migrate` on the command line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app
from constellation.core.okrfile import load_file
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.models import Organization

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme.yaml"
OKR = Path(sys.executable).with_name("okr")

runner = CliRunner()
pytestmark = pytest.mark.django_db


def okr(*args: str) -> object:
    """Run `okr ARGS` in this process."""
    return runner.invoke(app, list(args))


def test_import_prints_a_summary_then_a_second_import_has_nothing_to_change() -> None:
    first = okr("import", str(EXAMPLE), "--org", "acme")
    assert first.exit_code == 0, first.output
    assert "Imported" in first.stdout and "objective" in first.stdout
    assert Objective.objects.filter(organization__slug="acme").count() == 2
    events = AuditEvent.objects.count()
    second = okr("import", str(EXAMPLE), "--org", "acme")
    assert second.exit_code == 0, second.output
    assert "Nothing to change" in second.stdout
    assert AuditEvent.objects.count() == events


def test_a_dry_run_shows_the_changes_and_writes_nothing(tmp_path: Path) -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    changed = tmp_path / "changed.yaml"
    changed.write_text(EXAMPLE.read_text().replace("target: 50", "target: 60"))
    result = okr("import", str(changed), "--org", "acme", "--dry-run")
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.stdout
    assert "key result activation/week1-activation: target: 50 → 60" in result.stdout
    assert KeyResult.objects.get(slug="week1-activation").target == 50


def test_import_reports_what_the_server_keeps_that_the_file_does_not_mention(
    tmp_path: Path,
) -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    partial = tmp_path / "partial.yaml"
    text = EXAMPLE.read_text()
    partial.write_text(text[: text.index("  - id: activation")])
    result = okr("import", str(partial), "--org", "acme")
    assert result.exit_code == 0, result.output
    assert "kept, not in file: 1 objective: activation" in result.stdout
    assert Objective.objects.filter(slug="activation").exists()


def test_a_bad_file_exits_2_with_the_problem_and_writes_nothing(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("team: growth", "team: nowhere"))
    result = okr("import", str(bad), "--org", "acme")
    assert result.exit_code == 2
    assert "bad.yaml:" in result.stderr and "nowhere" in result.stderr
    assert "Traceback" not in result.output
    assert not Organization.objects.filter(slug="acme").exists()


def test_an_invalid_organisation_slug_exits_2() -> None:
    result = okr("import", str(EXAMPLE), "--org", "not a slug")
    assert result.exit_code == 2
    assert "not a valid slug" in result.stderr


def test_export_of_an_unknown_organisation_exits_2() -> None:
    result = okr("export", "--org", "nope")
    assert result.exit_code == 2
    assert "no organisation 'nope'" in result.stderr


def test_export_refuses_a_period_that_is_not_one() -> None:
    result = okr("export", "--org", "acme", "--period", "Q3")
    assert result.exit_code == 2
    assert "is not YYYY-Qn" in result.stderr


def test_export_writes_a_file_that_loads_back_to_the_same_objectives(tmp_path: Path) -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    out = tmp_path / "out.yaml"
    result = okr("export", "--org", "acme", "--period", "2026-Q3", "--output", str(out))
    assert result.exit_code == 0, result.output
    exported, original = load_file(out), load_file(EXAMPLE)
    assert [o.id for o in exported.objectives] == [o.id for o in original.objectives]
    assert exported.organization == original.organization


def test_export_to_stdout_prints_the_file() -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    result = okr("export", "--org", "acme")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("version: 1")
    assert "organization: Acme Analytics" in result.stdout


def test_migrate_says_the_database_is_up_to_date() -> None:
    result = okr("migrate")
    assert result.exit_code == 0, result.output
    assert "up to date" in result.stdout


def test_the_real_command_migrates_imports_and_exports_a_fresh_data_dir(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL"}}
    env["OKR_DATA_DIR"] = str(tmp_path / "data")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(OKR), *args], env=env, capture_output=True, text=True, timeout=120, check=False
        )

    migrated = run("migrate")
    assert migrated.returncode == 0, migrated.stderr
    assert "applied orgs.0001_initial" in migrated.stdout
    imported = run("import", str(EXAMPLE), "--org", "acme")
    assert imported.returncode == 0, imported.stderr
    exported = run("export", "--org", "acme", "--output", str(tmp_path / "acme.yaml"))
    assert exported.returncode == 0, exported.stderr
    assert load_file(tmp_path / "acme.yaml").objectives[1].aligns_to == ["company-retention"]
    again = run("import", str(tmp_path / "acme.yaml"), "--org", "acme")
    assert again.returncode == 0, again.stderr
    unknown = run("export", "--org", "nope")
    assert (unknown.returncode, unknown.stderr.strip()) == (2, "okr export: no organisation 'nope'")
