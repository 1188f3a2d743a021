"""Every finding says itself twice: in the file's words for `okr lint`, in a page's for people."""

from __future__ import annotations

import re

import pytest
import yaml

from constellation.core.coach import FIXES, RULES, Finding, lint
from constellation.core.okrfile import load_text
from tests.core.test_coach_examples import BASE, lint_fragment

# What a page must not show: file keys, lists in brackets, backticks, ids quoted as in Python.
FILE_KEY = re.compile(
    r"\b(levers|initiatives|kpis|guardrails|baseline|target|unit|type|focus|healthy|"
    r"aligns_to|strategy|phase|key_results|id|title|current|direction)\s*:"
)


def file_syntax(text: str) -> list[str]:
    """The pieces of file syntax in a sentence meant for a page."""
    found = FILE_KEY.findall(text)
    found += [mark for mark in ("`", "[", "]", "aligns_to", "type: milestone") if mark in text]
    return found


def findings_of(rule_id: str) -> list[Finding]:
    found = [f for f in lint_fragment(RULES[rule_id].bad) if f.rule == rule_id]
    assert found, f"{rule_id}: its bad example no longer triggers it"
    return found


@pytest.mark.parametrize("rule_id", list(RULES))
def test_every_finding_code_has_page_wording_without_file_syntax(rule_id: str) -> None:
    for finding in findings_of(rule_id):
        assert finding.plain_message.strip(), rule_id
        assert finding.plain_hint.strip(), rule_id
        for text in (finding.plain_message, finding.plain_hint):
            assert file_syntax(text) == [], f"{rule_id}: {text}"
        assert finding.fix is None or finding.fix in FIXES


@pytest.mark.parametrize("rule_id", list(RULES))
def test_the_page_wording_names_things_by_title_not_by_id(rule_id: str) -> None:
    plan = load_text(_document(RULES[rule_id].bad), path="example.yaml")
    ids = {o.id: o.title for o in plan.objectives} | {
        lever.id: lever.title for lever in plan.levers
    }
    ids |= {team.id: team.name for team in plan.teams}
    ids |= {f"{o.id}/{kr.id}": kr.title for o in plan.objectives for kr in o.key_results}
    for finding in findings_of(rule_id):
        said = finding.plain_message + " " + finding.plain_hint
        for object_id, name in ids.items():
            if object_id != name:
                assert f"'{object_id}'" not in said, f"{rule_id} names {object_id!r} by its id"
                assert f"{object_id}/" not in said, f"{rule_id} names {object_id!r} by its id"
        if finding.object in ids:
            assert ids[finding.object] in said, f"{rule_id} does not name {finding.object!r}"


def _document(fragment: str) -> str:
    """The rule's example with the rest of a file around it, as `lint_fragment` builds it."""
    document = dict(BASE)
    for key, value in yaml.safe_load(fragment).items():
        if key == "strategy":
            document["strategy"] = {**BASE["strategy"], **value}
            if "levers" not in value:
                del document["strategy"]["levers"]
        else:
            document[key] = value
    return yaml.safe_dump(document, sort_keys=False)


def test_the_file_wording_and_its_json_stay_as_the_contract_says() -> None:
    [finding] = findings_of("no-strategy-link")
    assert "`levers: [...]`" in finding.hint
    assert set(finding.as_dict()) == {"rule", "severity", "object", "line", "message", "hint"}
    assert "Tick the lever" in finding.plain_hint
    assert "“Win self-serve small businesses”" in finding.plain_hint


def test_each_finding_offers_its_one_step_fix_where_there_is_one() -> None:
    fixes = {rule_id: {f.fix for f in findings_of(rule_id)} for rule_id in RULES}
    assert fixes["output-kr"] == {"move-to-initiatives"}
    assert fixes["no-strategy-link"] == {"pick-lever"}
    assert fixes["kpi-as-kr"] == {"make-guardrail"}
    assert fixes["kr-count"] == {"add-key-result"}
    assert fixes["unmeasurable-kr"] == {"set-measure"}
    assert fixes["too-many-objectives"] == {None}


def test_too_many_key_results_offer_no_add_button() -> None:
    krs = "".join(
        f"\n      - title: Raise metric {n} from 1 to 2\n        baseline: 1\n        target: 2"
        for n in range(5)
    )
    text = (
        "version: 1\norganization: Acme\nperiod: 2026-Q3\nteams:\n  - {id: growth, name: Growth}\n"
        "objectives:\n  - id: big\n    team: growth\n    title: Customers love reports\n"
        f"    key_results:{krs}\n"
    )
    [finding] = [f for f in lint(load_text(text, path="x.yaml")) if f.rule == "kr-count"]
    assert finding.fix is None
    assert "“Customers love reports” has 5 key results" in finding.plain_message
