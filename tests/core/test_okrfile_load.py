"""Loading OKR files: the contract's example and the shared examples, and every class of problem."""

from __future__ import annotations

import math
import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from constellation.core.model import HealthyRange
from constellation.core.okrfile import OkrFileError, Problem, load_file, load_text, validate
from constellation.core.okrfile.schema import KINDS
from constellation.core.okrfile.tree import resolve_plain

# The contract and its examples, copied into the repository so the suite runs from any clone.
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
SPEC = EXAMPLES_DIR / "okr-file.md"
EXAMPLES = sorted(EXAMPLES_DIR.glob("*.yaml"))

HEAD = "version: 1\norganization: Acme\nperiod: 2026-Q3\n"
TEAMS = "teams:\n  - id: growth\n    name: Growth\n"


def spec_text() -> str:
    """The YAML example of the OKR file contract."""
    match = re.search(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S)
    assert match is not None
    return match.group(1)


def problems_of(text: str, path: str = "okrs.yaml") -> list[Problem]:
    """The problems loading a text reports (the test fails when it loads)."""
    with pytest.raises(OkrFileError) as caught:
        load_text(textwrap.dedent(text), path=path)
    return caught.value.problems


def only_problem(text: str) -> Problem:
    problems = problems_of(text)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def objective(body: str, team: str = "growth") -> str:
    """A file with one team and objective o1 (lines 7-10); `body` adds lines from line 11."""
    lines = textwrap.dedent(body).strip("\n").splitlines()
    indented = "".join(f"    {line}\n" for line in lines)
    start = f"objectives:\n  - id: o1\n    team: {team}\n    title: Owners see value\n"
    return HEAD + TEAMS + start + indented


def test_it_loads_the_contract_example_with_values_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "spec.yaml"
    path.write_text(spec_text(), encoding="utf-8")
    plan = load_file(path)
    assert plan.path == str(path)
    assert (plan.version, plan.organization, plan.period) == (1, "Acme Analytics", "2026-Q3")
    assert plan.has_strategy
    assert [lever.id for lever in plan.levers] == ["self-serve", "reliability"]
    assert [(team.id, team.parent, team.line) for team in plan.teams] == [
        ("company", None, 13),
        ("growth", "company", 15),
    ]
    churn = plan.kpis[0]
    assert (churn.unit, churn.direction, churn.current) == ("%", "decrease", 2.9)
    assert churn.healthy == HealthyRange(high=2.5) and churn.is_healthy() is False
    retention, activation = plan.objectives
    assert (retention.line, activation.line) == (26, 40)
    assert activation.aligns_to == ["company-retention"] and activation.guardrails == ["logo-churn"]
    assert all(obj.period == "2026-Q3" and obj.commitment == "committed" for obj in plan.objectives)


def test_it_derives_missing_key_result_ids_from_titles() -> None:
    plan = load_text(spec_text())
    first, second = plan.objectives[0].key_results
    assert first.id == "raise-90-day-logo-retention-from-78-to" and first.id_given is False
    assert second.id == "grow-net-revenue-retention-from-98-to"
    given = plan.objectives[1].key_results[0]
    assert (given.id, given.id_given, given.line) == ("week1-activation", True, 48)
    assert (given.baseline, given.target, given.current, given.unit) == (34, 50, 41, "%")
    milestone = plan.objectives[1].key_results[1]
    assert (milestone.type, milestone.done) == ("milestone", False)
    assert plan.objectives[1].initiatives[0].moves == ["week1-activation"]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_it_loads_every_shared_example_without_problems(path: Path) -> None:
    plan = load_file(path)
    assert plan.objectives and all(obj.line for obj in plan.objectives)
    assert all(kr.line for obj in plan.objectives for kr in obj.key_results)


def test_it_reads_the_library_example_values() -> None:
    plan = load_file(EXAMPLES_DIR / "library.yaml")
    assert plan.kpis[0].healthy == HealthyRange(low=40000)
    taps = plan.objective("easy-ebooks").key_results[1]  # type: ignore[union-attr]
    assert (taps.id, taps.baseline, taps.target, taps.unit) == ("taps", 4, 1, "min")


def test_it_reads_every_extension() -> None:
    text = HEAD + textwrap.dedent("""\
        teams:
          - id: growth
            name: Growth
            phase: exploratory
        objectives:
          - id: o1
            team: growth
            title: Owners see value
            period: 2026
            commitment: aspirational
            state: in_review
            owner: ana
            key_results:
              - title: Keep uptime in range
                type: range
                healthy: 99.5..100
                weight: 2
                confidence: 7
                owner: bo
                check_ins:
                  - on: 2026-07-06
                    value: 99.7
                    confidence: 6
                    note: steady
                  - {on: "2026-07-13", done: true}
            initiatives:
              - id: wizard
                title: Setup wizard
                status: in_progress
                moves: [keep-uptime-in-range]
        """)
    plan = load_text(text)
    assert plan.teams[0].phase == "exploratory"
    obj = plan.objectives[0]
    assert (obj.period, obj.commitment, obj.state) == ("2026", "aspirational", "in_review")
    assert obj.owner == "ana"
    kr = obj.key_results[0]
    assert (kr.type, kr.healthy, kr.weight, kr.confidence, kr.owner) == (
        "range",
        HealthyRange(99.5, 100),
        2,
        7,
        "bo",
    )
    first, second = kr.check_ins
    assert (first.on, first.value, first.confidence) == (date(2026, 7, 6), 99.7, 6)
    assert first.note == "steady"
    assert (second.on, second.done, second.note) == (date(2026, 7, 13), True, "")
    assert (obj.initiatives[0].id, obj.initiatives[0].status) == ("wizard", "in_progress")


def test_it_makes_derived_ids_unique_within_the_objective() -> None:
    plan = load_text(
        objective("""\
        key_results:
          - title: Raise NPS from 30 to 40
          - title: Raise NPS from 30 to 40
          - id: raise-nps-from-30-to-40-2
            title: Something else entirely
        """)
    )
    ids = [kr.id for kr in plan.objectives[0].key_results]
    base = "raise-nps-from-30-to-40"
    assert ids == [base, f"{base}-3", f"{base}-2"]


def test_it_accepts_null_for_optional_values() -> None:
    plan = load_text(
        objective("""\
        focus: null
        owner: ~
        key_results:
          - title: Raise NPS from 30 to 40
            kpi: null
            unit:
            current: null
        """)
    )
    kr = plan.objectives[0].key_results[0]
    assert (kr.kpi, kr.unit, kr.current, plan.objectives[0].focus) == (None, None, None, None)


def test_it_reports_an_unknown_key_with_the_closest_one() -> None:
    problem = only_problem(
        objective("""\
        key_results:
          - tittle: Raise NPS from 30 to 40
            title: Raise NPS from 30 to 40
        """)
    )
    assert (problem.line, problem.column) == (12, 9)
    assert "unknown key 'tittle' in key result (did you mean 'title'?)" in problem.message
    assert "expected one of: baseline, check_ins" in problem.message
    assert str(problem).startswith("okrs.yaml:12:9: unknown key 'tittle'")


def test_it_reports_a_value_of_the_wrong_type() -> None:
    problem = only_problem(
        objective("""\
        key_results:
          - title: Raise NPS from 30 to 80
            target: eighty
        """)
    )
    assert str(problem) == "okrs.yaml:13:17: 'target' must be a number, got 'eighty'"


def test_it_does_not_take_a_yes_no_value_for_a_number() -> None:
    problem = only_problem(objective("key_results:\n  - title: Raise NPS\n    baseline: true\n"))
    assert "'baseline' must be a number, got true" in problem.message


def test_it_reports_missing_required_keys() -> None:
    problems = problems_of("""\
        version: 1
        teams:
          - name: Growth
        objectives:
          - id: o1
            key_results:
              - target: 5
        """)
    messages = [p.message for p in problems]
    assert "the top level is missing 'organization'" in messages
    assert "the top level is missing 'period'" in messages
    assert "team is missing 'id'" in messages
    assert {"objective is missing 'team'", "objective is missing 'title'"} <= set(messages)
    assert "key result is missing 'title'" in messages


def test_it_reports_duplicate_ids_within_a_kind() -> None:
    problems = problems_of(HEAD + TEAMS + "  - id: growth\n    name: Again\n")
    assert [(p.line, p.column) for p in problems] == [(7, 5)]
    assert "duplicate id 'growth': another team has it (line 5)" in problems[0].message


def test_it_reports_duplicate_key_result_and_initiative_ids_within_an_objective() -> None:
    problems = problems_of(
        objective("""\
        key_results:
          - id: nps
            title: Raise NPS from 30 to 40
          - id: nps
            title: Raise NPS from 40 to 50
        initiatives:
          - {id: w, title: Wizard}
          - {id: w, title: Tour}
        """)
    )
    messages = [p.message for p in problems]
    assert any("duplicate id 'nps': another key result of objective 'o1'" in m for m in messages)
    assert any("duplicate id 'w': another initiative of objective 'o1'" in m for m in messages)


def test_it_reports_a_duplicate_mapping_key() -> None:
    problem = only_problem(HEAD + "organization: Other\n")
    assert (problem.line, problem.column) == (4, 1)
    assert problem.message.startswith("duplicate key 'organization' (first given on line 2)")


def test_it_reports_an_unknown_team_with_the_closest_id() -> None:
    problem = only_problem(objective("", team="grwth"))
    assert (problem.line, problem.column) == (9, 11)
    assert problem.message == (
        "unknown team 'grwth' (did you mean 'growth'?); teams in this file: growth"
    )


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("levers: [speed]", "unknown lever 'speed'; there are no levers in this file"),
        ("aligns_to: [o2]", "unknown objective 'o2'; objectives in this file: o1"),
        ("guardrails: [churn]", "unknown KPI 'churn'; there are no KPIs in this file"),
    ],
)
def test_it_reports_each_kind_of_unknown_reference(body: str, expected: str) -> None:
    problem = only_problem(objective(body))
    assert problem.message == expected


def test_it_reports_an_unknown_team_parent_kpi_and_moves() -> None:
    text = (
        HEAD
        + "teams:\n  - id: growth\n    name: Growth\n    parent: company\n"
        + "kpis:\n  - id: churn\n    title: Churn\n"
        + "objectives:\n  - id: o1\n    team: growth\n    title: Owners see value\n"
        + "    key_results:\n      - id: nps\n        title: Raise NPS\n        kpi: chrn\n"
        + "    initiatives:\n      - title: Tour\n        moves: [nps, npss]\n"
    )
    problems = problems_of(text)
    assert [(p.line, p.message) for p in problems] == [
        (7, "unknown team 'company'; teams in this file: growth"),
        (18, "unknown KPI 'chrn' (did you mean 'churn'?); KPIs in this file: churn"),
        (
            21,
            "unknown key result 'npss' (did you mean 'nps'?); key results of objective 'o1': nps",
        ),
    ]


def test_it_reports_a_loop_in_the_org_chart() -> None:
    text = HEAD + "teams:\n  - {id: a, name: A, parent: b}\n  - {id: b, name: B, parent: a}\n"
    problem = only_problem(text)
    assert "team parents form a loop: a → b → a" in problem.message


@pytest.mark.parametrize("period", ["2026-Q5", "Q3", "2026-q3", "26-Q1", "true"])
def test_it_reports_a_bad_period(period: str) -> None:
    problem = only_problem(HEAD.replace("2026-Q3", period))
    assert (problem.line, problem.column) == (3, 9)
    assert "'period' must be a period YYYY-Qn (e.g. 2026-Q3) or YYYY" in problem.message


def test_it_accepts_a_year_as_period() -> None:
    assert load_text(HEAD.replace("2026-Q3", "2027")).period == "2027"


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("focus: customers", "focus"),
        ("commitment: maybe", "commitment"),
        ("state: live", "state"),
        ("key_results:\n  - {title: Raise NPS, type: kpi}", "type"),
        ("initiatives:\n  - {title: Tour, status: doing}", "status"),
    ],
)
def test_it_reports_a_value_outside_an_enum(line: str, key: str) -> None:
    problem = only_problem(objective(line))
    assert problem.message.startswith(f"'{key}' must be one of ")


def test_it_suggests_the_closest_enum_value() -> None:
    problem = only_problem(objective("focus: customers"))
    expected = "'focus' must be one of customer | business | both, got 'customers'"
    assert problem.message == expected + " (did you mean 'customer'?)"


def test_it_reports_enums_of_teams_and_kpis() -> None:
    text = (
        HEAD
        + "teams:\n  - {id: a, name: A, phase: young}\n"
        + "kpis:\n  - {id: k, title: K, direction: down}\n"
    )
    messages = [p.message for p in problems_of(text)]
    assert messages[0].startswith("'phase' must be one of exploratory | growth | mature")
    assert messages[1].startswith("'direction' must be one of increase | decrease")


@pytest.mark.parametrize("healthy", ['"2..1"', '"about 3"', "5"])
def test_it_reports_a_bad_healthy_range(healthy: str) -> None:
    problem = only_problem(HEAD + f"kpis:\n  - id: k\n    title: K\n    healthy: {healthy}\n")
    assert (problem.line, problem.column) == (7, 14) and "'healthy'" in problem.message
    assert "'<= x', '>= x' or 'a..b'" in problem.message or '"a..b"' in problem.message


def test_it_asks_a_range_key_result_for_its_healthy_range() -> None:
    problem = only_problem(objective("key_results:\n  - {title: Keep uptime, type: range}"))
    assert "a key result of type range needs 'healthy'" in problem.message


def test_it_reports_check_in_problems() -> None:
    problems = problems_of(
        objective("""\
        key_results:
          - title: Raise NPS from 30 to 40
            check_ins:
              - {on: 2026-02-30, value: 3}
              - {on: 2026-07-01, confidence: 11}
              - {value: 4}
        """)
    )
    messages = [p.message for p in problems]
    assert messages[0].startswith("'on' must be a date YYYY-MM-DD")
    assert messages[1] == "'confidence' must be a whole number from 0 to 10, got the number 11"
    assert messages[2] == "check-in is missing 'on'"


def test_it_reports_a_bad_id() -> None:
    problem = only_problem(objective("key_results:\n  - {id: my kr, title: Raise NPS}"))
    assert problem.message.startswith("'id' takes ids of letters, digits")


def test_it_reports_a_weight_that_is_not_above_zero() -> None:
    problem = only_problem(objective("key_results:\n  - {title: Raise NPS, weight: 0}"))
    assert problem.message == "'weight' must be a number above 0, got the number 0"


def test_it_reports_every_problem_of_a_file_in_one_run_sorted_by_line() -> None:
    text = objective("""\
        focus: customers
        levers: [speed]
        key_results:
          - tittle: Raise NPS
            target: eighty
        """)
    problems = problems_of(text.replace("period: 2026-Q3", "period: 2026-Q9"))
    lines = [p.line for p in problems]
    assert len(problems) >= 5 and lines == sorted(lines)
    assert len({p.line for p in problems}) >= 4
    assert all(str(p).startswith(f"okrs.yaml:{p.line}:") for p in problems)


def test_the_error_joins_its_problems_one_a_line() -> None:
    error = OkrFileError([Problem("a.yaml", 3, 7, "one"), Problem("a.yaml", None, None, "two")])
    assert str(error) == "a.yaml:3:7: one\na.yaml: two"
    assert str(Problem("a.yaml", 4, None, "three")) == "a.yaml:4: three"


DOCS = Path(__file__).resolve().parents[2] / "docs" / "okr-file.md"


def test_the_format_docs_document_every_key_of_every_kind() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    missing = [
        f"{kind.name}: {key}"
        for kind in KINDS.values()
        for key in kind.keys
        if not re.search(rf"^\| `{key}` \|", docs, re.M)
    ]
    assert missing == []


def test_the_example_in_the_format_docs_loads() -> None:
    docs = DOCS.read_text(encoding="utf-8")
    match = re.search(r"```yaml\n(.*?)```", docs, re.S)
    assert match is not None
    plan = load_text(match.group(1), path="docs.yaml")
    assert plan.objectives[0].key_results[0].check_ins[0].note == "New checklist is live"


def test_every_key_of_every_kind_has_a_reader() -> None:
    tables = {
        "lever": validate._LEVER,
        "team": validate._TEAM,
        "kpi": validate._KPI,
        "objective": validate._OBJECTIVE,
        "key_result": validate._KEY_RESULT,
        "initiative": validate._INITIATIVE,
        "check_in": validate._CHECK_IN,
    }
    assert {name: tuple(table) for name, table in tables.items()} == {
        name: KINDS[name].keys for name in tables
    }


PLAIN_PIECES = [*"0123456789+-._: eExXoObBtTyYnN~²", "inf", "nan", "true", "null", "2026-07-01"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(PLAIN_PIECES), max_size=8).map("".join))
def test_plain_values_read_as_pyyaml_reads_them(text: str) -> None:
    try:
        document = yaml.safe_load(f"a: {text}\n")
    except yaml.YAMLError:
        return  # not a value YAML accepts after a key at all
    if not isinstance(document, dict) or set(document) != {"a"}:
        return
    expected = document["a"]
    if isinstance(expected, str) and expected != text.strip():
        return  # read as something other than one plain scalar
    value = resolve_plain(text.strip())
    if isinstance(expected, float) and math.isnan(expected):
        assert isinstance(value, float) and math.isnan(value)
    else:
        assert (type(value), value) == (type(expected), expected)
