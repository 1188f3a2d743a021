"""docs/coach.md documents every rule of the coach, each with a bad and a good example."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from constellation.core.coach import RULES

DOC = Path(__file__).resolve().parent.parent / "docs" / "coach.md"
_HEADING_RE = re.compile(r"^### `([a-z-]+)`\s*$", re.M)
_EXAMPLE_RE = re.compile(r"^(Bad|Good):\s*\n\s*\n```yaml\n(.*?)^```", re.M | re.S)


def sections() -> dict[str, str]:
    """The text of each rule's section, by rule id."""
    text = DOC.read_text(encoding="utf-8")
    found: dict[str, str] = {}
    matches = list(_HEADING_RE.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following is not None else len(text)
        found[match.group(1)] = text[match.end() : end]
    return found


def test_every_rule_has_a_section() -> None:
    missing = sorted(set(RULES) - set(sections()))
    assert missing == [], f"rules missing from docs/coach.md: {missing}"


def test_no_section_documents_a_rule_that_does_not_exist() -> None:
    assert sorted(set(sections()) - set(RULES)) == []


@pytest.mark.parametrize("rule_id", list(RULES))
def test_each_rule_is_documented_with_its_severity_and_both_examples(rule_id: str) -> None:
    section = sections().get(rule_id)
    assert section is not None, f"{rule_id} is not documented in docs/coach.md"
    assert f"**Severity:** {RULES[rule_id].severity}" in section
    assert RULES[rule_id].principle in section
    examples = dict(_EXAMPLE_RE.findall(section))
    assert set(examples) == {"Bad", "Good"}, f"{rule_id} needs a Bad and a Good YAML example"
    # The documented examples are the ones the tests lint, so they cannot drift apart.
    assert examples["Bad"] == RULES[rule_id].bad
    assert examples["Good"] == RULES[rule_id].good


def test_the_summary_table_lists_every_rule() -> None:
    text = DOC.read_text(encoding="utf-8")
    for rule in RULES.values():
        assert f"| [`{rule.id}`](#{rule.id}) | {rule.severity} |" in text
