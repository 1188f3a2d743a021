"""OKR files into the server and back out: lossless, idempotent, audited, all or nothing."""

from __future__ import annotations

import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from constellation.core import model
from constellation.core.okrfile import dump_plan, load_file, load_text
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.models import Alignment, KeyResult, Objective, Period
from constellation.server.orgs.models import Membership, Organization
from constellation.server.plans.transfer import (
    ExportError,
    ImportRefused,
    export_org,
    import_plan,
)
from constellation.server.tracking.models import CheckIn
from tests.server.factories import World

# The contract and its examples, copied into the repository so the suite runs from any clone.
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
SPEC = EXAMPLES_DIR / "okr-file.md"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))

pytestmark = pytest.mark.django_db


def spec_file(tmp_path: Path) -> Path:
    """The ```yaml block of the OKR-file contract, as a file."""
    text = SPEC.read_text(encoding="utf-8")
    block = re.search(r"```yaml\n(.*?)```", text, re.S)
    assert block is not None
    path = tmp_path / "spec.yaml"
    path.write_text(block.group(1), encoding="utf-8")
    return path


def contract_files(tmp_path: Path) -> list[Path]:
    """Every file the round trip must keep intact: the contract's example and the examples."""
    return [spec_file(tmp_path), *EXAMPLES]


def data(plan: model.Plan) -> dict[str, Any]:
    """A plan as plain data, without what only says where it came from."""

    def clean(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items() if k not in {"line", "path", "id_given"}}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value

    return clean(dataclasses.asdict(plan))


def round_trip(path: Path, tmp_path: Path, slug: str) -> tuple[model.Plan, model.Plan]:
    """The file as loaded, and as loaded again after import and export."""
    original = load_file(path)
    import_plan(original, slug)
    exported = tmp_path / f"{slug}-exported.yaml"
    exported.write_text(dump_plan(export_org(slug)), encoding="utf-8")
    return original, load_file(exported)


def state() -> dict[str, Any]:
    """Counts and versions that any write would change."""
    return {
        "orgs": Organization.objects.count(),
        "audit": AuditEvent.objects.count(),
        "objectives": sorted(Objective.objects.values_list("slug", "version")),
        "key_results": sorted(KeyResult.objects.values_list("slug", "version", "target")),
        "check_ins": CheckIn.objects.count(),
        "alignments": Alignment.objects.count(),
    }


def small_plan(**objective: Any) -> model.Plan:
    """A one-objective plan to import into the standard world's organisation."""
    fields: dict[str, Any] = {
        "id": "activation",
        "team": "growth",
        "title": "New teams get to value in their first week",
        "period": "2026-Q4",
        "focus": "customer",
        "levers": ["self-serve"],
        "aligns_to": ["retention"],
        "guardrails": ["logo-churn"],
        "owner": "member",
        "key_results": [
            model.KeyResult(
                "week1-activation",
                "Raise week-1 activation from 34% to 50%",
                baseline=34,
                target=50,
                current=41,
                unit="%",
                owner="member",
            ),
            model.KeyResult(
                "time-to-value",
                "Cut median time to first dashboard from 3 days to 1 day",
                baseline=3,
                target=1,
                current=2,
                unit="days",
            ),
        ],
    }
    fields.update(objective)
    return model.Plan(
        organization="Acme Analytics", period="2026-Q4", objectives=[model.Objective(**fields)]
    )


def test_every_contract_file_comes_back_the_same_after_import_and_export(tmp_path: Path) -> None:
    for index, path in enumerate(contract_files(tmp_path)):
        original, exported = round_trip(path, tmp_path, f"org-{index}")
        assert data(exported) == data(original), path


def test_a_second_import_of_the_same_file_changes_nothing(tmp_path: Path) -> None:
    for index, path in enumerate(contract_files(tmp_path)):
        import_plan(load_file(path), f"org-{index}")
        before = state()
        report = import_plan(load_file(path), f"org-{index}")
        assert not report.changed, report.changes
        assert state() == before


def test_importing_the_exported_file_changes_nothing(tmp_path: Path) -> None:
    for index, path in enumerate(contract_files(tmp_path)):
        import_plan(load_file(path), f"org-{index}")
        exported = load_text(dump_plan(export_org(f"org-{index}")), path="exported.yaml")
        before = state()
        report = import_plan(exported, f"org-{index}")
        assert not report.changed, report.changes
        assert state() == before


def test_it_creates_the_organisation_named_in_the_file_when_missing() -> None:
    path = EXAMPLES[0]
    report = import_plan(load_file(path), "new-org")
    organization = Organization.objects.get(slug="new-org")
    assert organization.name == load_file(path).organization
    assert report.counts()["organization"]["created"] == 1
    assert AuditEvent.objects.filter(organization=organization, action="import").exists()
    assert not AuditEvent.objects.exclude(action="import").exists()


def test_a_dry_run_writes_nothing_and_reports_what_would_change(world: World) -> None:
    plan = small_plan(title="New teams reach value on day one")
    plan.objectives[0].key_results[0].target = 55
    before = state()
    report = import_plan(plan, "acme", dry_run=True)
    assert state() == before
    assert report.dry_run
    changes = {(c.kind, c.key): c.fields for c in report.changes}
    assert [(f.field, f.old, f.new) for f in changes[("objective", "activation")]] == [
        ("title", "New teams get to value in their first week", "New teams reach value on day one")
    ]
    assert [
        (f.field, f.old, f.new) for f in changes[("key result", "activation/week1-activation")]
    ] == [("target", 50.0, 55)]
    assert report.counts()["key result"] == {"created": 0, "updated": 1, "unchanged": 1, "kept": 0}


def test_an_update_is_audited_and_moves_the_version_once(world: World) -> None:
    plan = small_plan(title="New teams reach value on day one")
    version = world.objective.version
    import_plan(plan, "acme")
    world.objective.refresh_from_db()
    assert world.objective.title == "New teams reach value on day one"
    assert world.objective.version == version + 1
    event = AuditEvent.objects.get(object_type="objective", object_id=world.objective.pk)
    assert (event.action, event.before, event.after) == (
        "import",
        {"title": "New teams get to value in their first week"},
        {"title": "New teams reach value on day one"},
    )
    assert world.key_result.version == KeyResult.objects.get(pk=world.key_result.pk).version


def test_it_matches_the_world_it_was_built_from_and_reports_what_it_keeps(world: World) -> None:
    report = import_plan(small_plan(), "acme")
    assert not report.changed, report.changes
    assert report.kept["objective"] == ["retention"]
    assert not AuditEvent.objects.filter(object_type="objective").exists()


def test_it_keeps_key_results_the_file_does_not_mention(world: World) -> None:
    plan = small_plan()
    plan.objectives[0].key_results.pop()
    report = import_plan(plan, "acme")
    assert report.kept["key result"] == ["activation/time-to-value"]
    assert KeyResult.objects.filter(pk=world.second_key_result.pk).exists()


def test_an_owner_who_is_a_member_is_linked_and_comes_back_out(world: World) -> None:
    report = import_plan(small_plan(owner="leader"), "acme")
    assert report.counts()["person"] == {"created": 0, "updated": 0, "unchanged": 2, "kept": 0}
    assert Membership.objects.filter(organization=world.org).count() == 4
    exported = export_org("acme").objective("activation")
    assert exported is not None and exported.owner == "leader"


def test_check_ins_are_added_once_matched_by_day_and_value(world: World) -> None:
    plan = small_plan()
    kr = plan.objectives[0].key_results[0]
    kr.check_ins = [model.CheckIn(date(2026, 10, 5), 38, 6, "slow start")]
    import_plan(plan, "acme")
    kr.check_ins.append(model.CheckIn(date(2026, 11, 2), 41, 7, "better"))
    report = import_plan(plan, "acme")
    assert report.counts()["check-in"] == {"created": 1, "updated": 0, "unchanged": 1, "kept": 0}
    assert list(CheckIn.objects.values_list("checked_on", "value", "note")) == [
        (date(2026, 10, 5), 38.0, "slow start"),
        (date(2026, 11, 2), 41.0, "better"),
    ]


def test_a_reference_problem_refuses_the_whole_file_and_writes_nothing(world: World) -> None:
    before = state()
    plan = small_plan(team="no-such-team")
    plan.path = "okrs.yaml"
    with pytest.raises(ImportRefused) as refused:
        import_plan(plan, "acme")
    assert refused.value.problems == [
        "okrs.yaml:1:1: team 'no-such-team' is neither in the file nor on the server"
    ]
    assert state() == before


def test_it_refuses_an_alignment_loop_through_the_server(world: World) -> None:
    plan = small_plan()
    plan.objectives.append(
        model.Objective(
            "retention",
            "company",
            "Customers stay with us",
            "2026-Q4",
            aligns_to=["activation"],
            line=9,
        )
    )
    with pytest.raises(ImportRefused) as refused:
        import_plan(plan, "acme")
    assert "alignment would form a loop" in refused.value.problems[0]


def test_a_database_error_midway_leaves_everything_as_it_was(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise IntegrityError("disk on fire")

    before = state()
    # The audit history is written last: by then every other row of the import is written.
    monkeypatch.setattr(AuditEvent.objects, "bulk_create", broken)
    plan = load_file(EXAMPLES[0])
    with pytest.raises(IntegrityError):
        import_plan(plan, "acme")
    with pytest.raises(IntegrityError):
        import_plan(plan, "brand-new")
    assert state() == before
    assert not Organization.objects.filter(slug="brand-new").exists()


def test_export_of_an_unknown_organisation_or_period_is_refused(world: World) -> None:
    with pytest.raises(ExportError, match="no organisation 'nope'"):
        export_org("nope")
    with pytest.raises(ExportError, match="no period '2020-Q1'"):
        export_org("acme", "2020-Q1")


def test_export_of_one_period_brings_along_what_its_objectives_align_to(world: World) -> None:
    calendar = Period.objects.create(
        organization=world.org, key="2027", start=date(2027, 1, 1), end=date(2027, 12, 31)
    )
    world.objective.period = calendar
    world.objective.save()
    plan = export_org("acme", "2027")
    assert plan.period == "2027"
    assert [(o.id, o.period) for o in plan.objectives] == [
        ("retention", "2026-Q4"),
        ("activation", "2027"),
    ]
    assert "globex" not in dump_plan(plan).lower()


def test_export_runs_the_same_number_of_queries_for_10_or_200_objectives() -> None:
    def queries(count: int) -> int:
        plan = load_file(EXAMPLES[0])
        plan.objectives = [
            dataclasses.replace(plan.objectives[1], id=f"o{i}", aligns_to=[]) for i in range(count)
        ]
        import_plan(plan, f"org-{count}")
        with CaptureQueriesContext(connection) as captured:
            export_org(f"org-{count}")
        return len(captured)

    assert queries(10) == queries(200)


def test_two_thousand_objectives_import_and_a_second_import_changes_nothing() -> None:
    # How long this takes is recorded by benchmarks/server.py, not asserted here.
    plan = load_file(EXAMPLES[0])
    template = plan.objectives[1]
    plan.objectives = [
        dataclasses.replace(template, id=f"o{i}", aligns_to=[f"o{i // 10}"] if i >= 10 else [])
        for i in range(2000)
    ]
    report = import_plan(plan, "big")
    assert report.counts()["objective"]["created"] == 2000
    assert report.counts()["key result"]["created"] == 4000
    assert not import_plan(plan, "big").changed


def test_an_initiative_that_gains_an_id_is_updated_not_duplicated() -> None:
    plan = load_file(EXAMPLES[0])
    import_plan(plan, "acme-ids")
    plan.objectives[1].initiatives[0].id = "wizard"
    report = import_plan(plan, "acme-ids")
    assert report.counts()["initiative"] == {"created": 0, "updated": 1, "unchanged": 0, "kept": 0}
    exported = export_org("acme-ids").objective("activation")
    assert exported is not None and exported.initiatives[0].id == "wizard"
