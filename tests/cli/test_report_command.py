"""`okr report`: the quarterly review report of a period written as Markdown or PDF."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app
from constellation.server.quarterly.models import ObjectiveReview
from tests.server.factories import make_world

runner = CliRunner()
pytestmark = pytest.mark.django_db


def okr(*args: str) -> object:
    """Run `okr ARGS` in this process."""
    return runner.invoke(app, list(args))


def test_report_prints_the_organisations_report_as_markdown() -> None:
    world = make_world()
    ObjectiveReview.objects.create(
        organization=world.org, objective=world.objective, computed_grade=0.5, decision="drop"
    )
    result = okr("report", "--org", "acme", "--period", "2026-Q4")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Quarterly review of Acme Analytics · 2026-Q4")
    assert "## Growth" in result.stdout and "| Decision | Drop |" in result.stdout
    assert "Globex" not in result.stdout


def test_report_writes_a_teams_pdf_to_a_file(tmp_path: Path) -> None:
    make_world()
    out = tmp_path / "growth.pdf"
    result = okr(
        "report", "--org", "acme", "--period", "2026-Q4", "--team", "growth",
        "--format", "pdf", "-o", str(out),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF")
    assert "Wrote the review report of 'acme' 2026-Q4" in result.stderr


def test_report_refuses_an_unknown_team_period_or_format() -> None:
    make_world()
    team = okr("report", "--org", "acme", "--period", "2026-Q4", "--team", "nobody")
    assert team.exit_code == 2 and "no team 'nobody'" in team.stderr
    period = okr("report", "--org", "acme", "--period", "2030-Q1")
    assert period.exit_code == 2 and "no period '2030-Q1'" in period.stderr
    other = okr("report", "--org", "nope", "--period", "2026-Q4")
    assert other.exit_code == 2 and "no organisation 'nope'" in other.stderr
    form = okr("report", "--org", "acme", "--period", "2026-Q4", "--format", "docx")
    assert form.exit_code == 2 and "is not one of md, pdf" in form.stderr
