"""`okr rescore`: the stored scores and findings recomputed, drift reported and repaired."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from constellation.cli import main  # noqa: F401  (registers every command)
from constellation.cli.app import app
from constellation.server.okrs.models import Finding, KeyResult, Objective

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "acme.yaml"

runner = CliRunner()
pytestmark = pytest.mark.django_db


def okr(*args: str) -> object:
    """Run `okr ARGS` in this process."""
    return runner.invoke(app, list(args))


def test_an_import_stores_scores_and_rescore_finds_no_drift() -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    assert not Objective.objects.filter(scored_on__isnull=True).exists()
    assert KeyResult.objects.exclude(progress=0).exists()
    result = okr("rescore", "--check")
    assert result.exit_code == 0, result.output
    assert "drift: 0 objectives, 0 key results, 0 findings" in result.stdout


def test_rescore_repairs_values_written_around_the_product_and_says_so() -> None:
    assert okr("import", str(EXAMPLE), "--org", "acme").exit_code == 0
    objective = Objective.objects.filter(organization__slug="acme").first()
    assert objective is not None
    right = objective.progress
    # Written by hand in SQL: no signal, no audit event, nothing brings it up to date.
    Objective.objects.filter(pk=objective.pk).update(progress=right + 0.5, status="off_track")
    Finding.objects.filter(organization__slug="acme").delete()
    result = okr("rescore", "--org", "acme", "--check")
    assert result.exit_code == 1, result.output
    assert "acme:" in result.stdout and "drift: 1 objectives" in result.stdout
    assert f"objective {objective.slug}: stored" in result.stdout
    objective.refresh_from_db()
    assert objective.progress == pytest.approx(right)
    again = okr("rescore", "--org", "acme", "--check")
    assert again.exit_code == 0, again.output


def test_an_unknown_organisation_is_named() -> None:
    result = okr("rescore", "--org", "nobody")
    assert result.exit_code == 2
    assert "no organisation 'nobody'" in result.output
