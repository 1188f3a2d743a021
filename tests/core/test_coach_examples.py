"""The coach on real files: the spec's example, the shared examples and the rules' own examples."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from constellation.core.alignment import AlignmentGraph
from constellation.core.coach import RULES, Finding, lint
from constellation.core.generate import generate_plan_text
from constellation.core.okrfile import load_file, load_text

# The contract and its examples, copied into the repository so the suite runs from any clone.
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
SPEC = EXAMPLES_DIR / "okr-file.md"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))

# Every rule's example is a fragment of a file; this is the rest of it.
BASE = {
    "version": 1,
    "organization": "Acme Analytics",
    "period": "2026-Q3",
    "strategy": {"levers": [{"id": "self-serve", "title": "Win self-serve small businesses"}]},
    "teams": [
        {"id": "company", "name": "Acme"},
        {"id": "growth", "name": "Growth", "parent": "company"},
    ],
}


def pairs(findings: list[Finding]) -> set[tuple[str, str | None]]:
    return {(f.rule, f.object) for f in findings}


def matches(expected: list, findings: list[Finding]) -> bool:
    """Whether (rule, object) is among the findings; a list of objects accepts any of them."""
    rule, wanted = expected
    objects = wanted if isinstance(wanted, list) else [wanted]
    return any(f.rule == rule and f.object in objects for f in findings)


def test_the_spec_example_lints_without_errors() -> None:
    text = re.search(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S).group(1)
    findings = lint(load_text(text, path="spec.yaml"))
    assert [f for f in findings if f.severity == "error"] == []
    assert ("output-kr", "activation/guided-setup") in pairs(findings)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_a_shared_example_gets_exactly_the_findings_it_expects(path: Path) -> None:
    expected = json.loads(path.with_suffix(".expected.json").read_text(encoding="utf-8"))
    findings = lint(load_file(path))
    missing = [m for m in expected["must"] if not matches(m, findings)]
    unwanted = [m for m in expected["must_not"] if matches(m, findings)]
    assert missing == [], f"{path.name}: the coach missed {missing}"
    assert unwanted == [], f"{path.name}: the coach wrongly reported {unwanted}"


def lint_fragment(fragment: str) -> list[Finding]:
    """Lint a rule's example once the rest of a file is put around it."""
    document = dict(BASE)
    for key, value in yaml.safe_load(fragment).items():
        if key == "strategy":
            document["strategy"] = {**BASE["strategy"], **value}
            if "levers" not in value:
                del document["strategy"]["levers"]
        else:
            document[key] = value
    return lint(load_text(yaml.safe_dump(document, sort_keys=False), path="example.yaml"))


@pytest.mark.parametrize("rule_id", list(RULES))
def test_a_rules_bad_example_triggers_it(rule_id: str) -> None:
    assert rule_id in {f.rule for f in lint_fragment(RULES[rule_id].bad)}


@pytest.mark.parametrize("rule_id", list(RULES))
def test_a_rules_good_example_does_not_trigger_it(rule_id: str) -> None:
    assert rule_id not in {f.rule for f in lint_fragment(RULES[rule_id].good)}


def test_a_generated_plan_lints_with_findings_in_a_stable_order() -> None:
    plan = load_text(generate_plan_text(60, seed=3), path="generated.yaml")
    findings = lint(plan)
    assert findings == lint(plan)
    assert {f.rule for f in findings} >= {"output-kr", "kpi-as-kr"}
    assert not any(f.rule == "alignment-cycle" for f in findings)
    lines = [f.line or 0 for f in findings]
    assert lines == sorted(lines)


def test_a_generated_plan_is_valid_acyclic_and_keeps_teams_to_five_objectives() -> None:
    plan = load_text(generate_plan_text(200, key_results_per_objective=3, seed=7), path="g.yaml")
    assert len(plan.objectives) == 200
    assert all(len(o.key_results) == 3 for o in plan.objectives)
    per_team = Counter(o.team for o in plan.objectives)
    assert max(per_team.values()) <= 5
    assert AlignmentGraph.from_objectives(plan.objectives).cycles() == []
    assert sum(bool(o.aligns_to) for o in plan.objectives) > 150
    assert generate_plan_text(20, seed=1) == generate_plan_text(20, seed=1)


def test_the_generator_refuses_more_than_five_objectives_a_team() -> None:
    with pytest.raises(ValueError, match="teams"):
        generate_plan_text(11, teams=2)
