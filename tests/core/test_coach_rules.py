"""Each coach rule fires on what it is about and stays quiet on a sound plan."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constellation.core.coach import RULES, Finding, lint, lint_objective
from constellation.core.model import KeyResult, Kpi, Lever, Objective, Plan, Team, parse_healthy

EXPECTED_SEVERITIES = {
    "output-kr": "warning",
    "only-outputs": "error",
    "objective-is-output": "warning",
    "unmeasurable-kr": "error",
    "missing-baseline": "warning",
    "kr-count": "warning",
    "no-strategy": "warning",
    "no-strategy-link": "warning",
    "unmodelled-lever": "warning",
    "customer-balance": "warning",
    "kpi-as-kr": "warning",
    "cascaded-kr": "error",
    "alignment-cycle": "error",
    "too-many-objectives": "warning",
    "unhealthy-guardrail": "warning",
    "okrs-may-not-fit": "info",
}


def kr(title: str, kr_id: str | None = None, **fields: object) -> KeyResult:
    """A key result; its id is a slug of the title unless given."""
    slug = kr_id or re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40]
    return KeyResult(id=slug, title=title, **fields)  # type: ignore[arg-type]


def activation() -> KeyResult:
    return kr("Raise week-1 activation from 34% to 50%", "activation", baseline=34, target=50)


def first_report() -> KeyResult:
    return kr("Cut time to first report from 3 days to 1 day", "first-report", baseline=3, target=1)


def objective(objective_id: str, *key_results: KeyResult, **fields: object) -> Objective:
    """A sound customer objective of team growth modelling the self-serve lever."""
    values: dict[str, object] = {
        "team": "growth",
        "title": "New teams get to value in their first week",
        "period": "2026-Q3",
        "focus": "customer",
        "levers": ["self-serve"],
    }
    values.update(fields)
    krs = list(key_results) if key_results else [activation(), first_report()]
    return Objective(id=objective_id, key_results=krs, **values)  # type: ignore[arg-type]


def plan(*objectives: Objective, **fields: object) -> Plan:
    """A plan with one lever, two teams and the given objectives."""
    values: dict[str, object] = {
        "organization": "Acme",
        "period": "2026-Q3",
        "levers": [Lever("self-serve", "Win self-serve small businesses")],
        "teams": [Team("company", "Acme"), Team("growth", "Growth", parent="company")],
        "has_strategy": True,
    }
    values.update(fields)
    return Plan(objectives=list(objectives), **values)  # type: ignore[arg-type]


def found(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def about(findings: list[Finding], rule: str) -> list[str | None]:
    return [f.object for f in found(findings, rule)]


def test_a_sound_plan_has_no_findings() -> None:
    assert lint(plan(objective("activation"))) == []


def test_the_catalogue_holds_every_rule_with_its_severity() -> None:
    assert {rule_id: rule.severity for rule_id, rule in RULES.items()} == EXPECTED_SEVERITIES


@pytest.mark.parametrize("rule_id", sorted(EXPECTED_SEVERITIES))
def test_each_rule_has_a_principle_a_hint_and_two_examples(rule_id: str) -> None:
    rule = RULES[rule_id]
    assert rule.title and rule.principle.endswith(".") and rule.help
    assert rule.bad.strip() and rule.good.strip() and rule.bad != rule.good


# output-kr, only-outputs ------------------------------------------------------------------


def test_it_flags_a_key_result_that_names_work() -> None:
    launch = kr("Launch the mobile app", "launch", type="milestone")
    findings = lint(plan(objective("mobile", activation(), launch)))
    [finding] = found(findings, "output-kr")
    assert finding.object == "mobile/launch"
    assert finding.severity == "warning"
    assert "Launch the mobile app" in finding.message
    assert "once the mobile app is live" in finding.hint
    assert "Raise weekly active users of the mobile app from A to B" in finding.hint
    assert "initiatives" in finding.hint
    assert found(findings, "only-outputs") == []


def test_it_does_not_flag_outcomes_or_a_milestone_that_reads_as_an_outcome() -> None:
    reached = kr("Reach 500 paying customers", "paying", type="milestone")
    findings = lint(plan(objective("o", activation(), reached, first_report())))
    assert found(findings, "output-kr") == []


def test_it_flags_an_objective_whose_key_results_are_all_outputs() -> None:
    krs = [kr("Ship the report builder", type="milestone"), kr("Publish ten report templates")]
    findings = lint(plan(objective("reports", *krs)))
    [finding] = found(findings, "only-outputs")
    assert (finding.object, finding.severity) == ("reports", "error")
    assert len(found(findings, "output-kr")) == 2


def test_an_objective_without_key_results_is_not_only_outputs() -> None:
    findings = lint(plan(objective("empty", *[]), Objective("bare", "growth", "x", "2026-Q3")))
    assert found(findings, "only-outputs") == []


# objective-is-output ------------------------------------------------------------------------


def test_it_flags_an_objective_that_is_a_deliverable() -> None:
    findings = lint(plan(objective("app", title="Release the new library app")))
    [finding] = found(findings, "objective-is-output")
    assert finding.object == "app"
    assert "the new library app" in finding.hint


def test_it_accepts_an_objective_that_states_an_outcome() -> None:
    findings = lint(plan(objective("o", title="Borrowing an e-book takes a few taps")))
    assert found(findings, "objective-is-output") == []


# unmeasurable-kr ----------------------------------------------------------------------------


def test_it_flags_a_metric_key_result_with_no_number_to_reach() -> None:
    findings = lint(plan(objective("o", kr("Improve customer happiness", "happy"), activation())))
    [finding] = found(findings, "unmeasurable-kr")
    assert (finding.object, finding.severity) == ("o/happy", "error")
    assert "baseline:" in finding.hint and "target:" in finding.hint


@pytest.mark.parametrize(
    "key_result",
    [
        kr("Improve customer happiness", "happy", target=8.5, baseline=7),
        kr("Raise support CSAT from 78% to 90%", "csat"),
        kr("Customers rate setup easy", "milestone", type="milestone"),
        kr("Keep CSAT in range", "range", type="range", healthy=parse_healthy("80..95")),
    ],
)
def test_it_does_not_flag_a_key_result_measured_otherwise(key_result: KeyResult) -> None:
    findings = lint(plan(objective("o", key_result, activation())))
    assert found(findings, "unmeasurable-kr") == []


# missing-baseline ---------------------------------------------------------------------------


def test_it_asks_for_a_baseline_when_a_metric_has_only_a_target() -> None:
    findings = lint(plan(objective("o", kr("Raise week-1 activation to 50%", "a", target=50))))
    [finding] = found(findings, "missing-baseline")
    assert finding.object == "o/a"
    assert finding.hint.startswith("Add `baseline:`")


def test_it_proposes_the_baseline_written_in_the_title() -> None:
    findings = lint(plan(objective("o", kr("Raise activation from 34% to 50%", "a", target=50))))
    [finding] = found(findings, "missing-baseline")
    assert "`baseline: 34`" in finding.hint


def test_it_does_not_ask_for_a_baseline_that_is_there() -> None:
    findings = lint(plan(objective("o", activation(), first_report())))
    assert found(findings, "missing-baseline") == []


# kr-count -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [0, 1, 5])
def test_it_flags_fewer_than_two_or_more_than_four_key_results(count: int) -> None:
    krs = [
        kr(f"Raise metric number {i} from 10% to 20%", f"m{i}", baseline=10, target=20)
        for i in range(count)
    ]
    obj = objective("o", *krs) if krs else Objective("o", "growth", "Teams thrive", "2026-Q3")
    [finding] = found(lint(plan(obj)), "kr-count")
    assert finding.object == "o"
    assert "two to four" in finding.hint


@pytest.mark.parametrize("count", [2, 4])
def test_it_accepts_two_to_four_key_results(count: int) -> None:
    krs = [
        kr(f"Raise metric number {i} from 10% to 20%", f"m{i}", baseline=10, target=20)
        for i in range(count)
    ]
    assert found(lint(plan(objective("o", *krs))), "kr-count") == []


# no-strategy, no-strategy-link, unmodelled-lever --------------------------------------------


def test_it_flags_a_plan_without_levers_once_for_the_whole_file() -> None:
    findings = lint(plan(objective("a", levers=[]), objective("b", levers=[]), levers=[]))
    [finding] = found(findings, "no-strategy")
    assert (finding.object, finding.line) == (None, None)
    assert found(findings, "no-strategy-link") == []


def test_it_flags_an_objective_that_models_no_lever() -> None:
    findings = lint(plan(objective("a"), objective("b", levers=[])))
    assert about(findings, "no-strategy-link") == ["b"]
    assert found(findings, "no-strategy") == []


def test_it_flags_a_lever_no_objective_models() -> None:
    levers = [Lever("self-serve", "Win self-serve"), Lever("reliability", "Never down", line=9)]
    findings = lint(plan(objective("a"), levers=levers))
    [finding] = found(findings, "unmodelled-lever")
    assert (finding.object, finding.line) == ("reliability", 9)


def test_it_is_quiet_when_every_lever_is_modelled() -> None:
    levers = [Lever("self-serve", "Win self-serve"), Lever("reliability", "Never down")]
    findings = lint(plan(objective("a", levers=["self-serve", "reliability"]), levers=levers))
    assert found(findings, "unmodelled-lever") == []


# customer-balance ---------------------------------------------------------------------------


def business_objective(objective_id: str, **fields: object) -> Objective:
    krs = [
        kr("Cut customer acquisition cost from $420 to $300", baseline=420, target=300),
        kr("Grow monthly recurring revenue from $80k to $110k", baseline=80000, target=110000),
    ]
    values: dict[str, object] = {"title": "Growth pays for itself", "focus": "business"}
    values.update(fields)
    return objective(objective_id, *krs, **values)


def test_it_flags_a_team_whose_objectives_hold_no_customer_outcome() -> None:
    findings = lint(plan(business_objective("margin")))
    [finding] = found(findings, "customer-balance")
    assert finding.object == "growth"
    assert "2026-Q3" in finding.message


def test_it_counts_customer_or_both_objectives_as_balance() -> None:
    assert found(lint(plan(business_objective("m"), objective("a"))), "customer-balance") == []
    assert found(lint(plan(business_objective("m", focus="both"))), "customer-balance") == []


def test_it_infers_focus_from_key_results_when_none_is_written() -> None:
    findings = lint(plan(objective("a", focus=None)))
    assert found(findings, "customer-balance") == []
    findings = lint(plan(business_objective("m", focus=None)))
    assert about(findings, "customer-balance") == ["growth"]


def test_it_weighs_each_period_of_a_team_on_its_own() -> None:
    findings = lint(plan(objective("a"), business_objective("m", period="2026-Q4")))
    [finding] = found(findings, "customer-balance")
    assert "2026-Q4" in finding.message


# kpi-as-kr ----------------------------------------------------------------------------------


def test_it_flags_a_key_result_that_only_keeps_a_level() -> None:
    keep = kr("Keep monthly visits above 40,000", "keep", target=40000)
    findings = lint(plan(objective("o", keep, activation())))
    [finding] = found(findings, "kpi-as-kr")
    assert finding.object == "o/keep"
    assert '">= 40000"' in finding.hint and "guardrails" in finding.hint
    assert found(findings, "missing-baseline") == []


def test_it_flags_a_range_key_result_as_a_kpi() -> None:
    kept = kr("Uptime stays healthy", "up", type="range", healthy=parse_healthy("99.5..100"))
    findings = lint(plan(objective("o", kept, activation())))
    [finding] = found(findings, "kpi-as-kr")
    assert '"99.5..100"' in finding.hint


def test_it_does_not_flag_a_key_result_that_changes_a_level() -> None:
    assert found(lint(plan(objective("o"))), "kpi-as-kr") == []


# cascaded-kr --------------------------------------------------------------------------------


def retention(objective_id: str = "company-retention", **fields: object) -> Objective:
    kept = kr("Raise 90-day logo retention from 78% to 85%", "logo", baseline=78, target=85)
    values: dict[str, object] = {"team": "company", "title": "Small businesses stay with us"}
    values.update(fields)
    return objective(objective_id, kept, activation(), **values)


def test_it_flags_a_key_result_copied_from_the_objective_it_aligns_to() -> None:
    copy = kr("Raise 90-day logo retention from 78% to 85%", "copy", baseline=78, target=85)
    child = objective("activation", copy, first_report(), aligns_to=["company-retention"])
    findings = lint(plan(retention(), child))
    [finding] = found(findings, "cascaded-kr")
    assert (finding.object, finding.severity) == ("activation/copy", "error")
    assert "copied from company-retention/logo" in finding.message


def test_it_flags_a_near_copy_further_up_the_alignment_chain() -> None:
    near = kr("Grow 90-day logo retention from 78% to 85%", "near", baseline=78, target=85)
    middle = objective(
        "middle",
        first_report(),
        kr("Cut churn from 3% to 2%", "churn"),
        aligns_to=["company-retention"],
    )
    other = kr("Raise weekly report viewers from 1,200 to 2,000", "viewers")
    child = objective("child", near, other, aligns_to=["middle"])
    findings = lint(plan(retention(), middle, child))
    assert about(findings, "cascaded-kr") == ["child/near"]


def test_it_sees_a_copy_through_synonyms_plurals_and_number_formats() -> None:
    original = kr("Grow monthly e-book borrowers from 3,100 to 5,000", "borrowers")
    parent = objective("readers", original, activation(), team="company")
    reworded = kr("Increase the monthly ebook borrower count from 3100 to 5000", "copy")
    child = objective("ebooks", reworded, first_report(), aligns_to=["readers"])
    [finding] = found(lint(plan(parent, child)), "cascaded-kr")
    assert finding.object == "ebooks/copy"
    assert "readers/borrowers" in finding.message


def test_it_allows_the_same_words_in_objectives_that_are_not_aligned() -> None:
    copy = kr("Raise 90-day logo retention from 78% to 85%", "copy", baseline=78, target=85)
    findings = lint(plan(retention(), objective("other", copy, first_report())))
    assert found(findings, "cascaded-kr") == []


def test_it_allows_a_distinct_key_result_under_alignment() -> None:
    child = objective("activation", first_report(), aligns_to=["company-retention"])
    findings = lint(plan(retention(), child))
    assert found(findings, "cascaded-kr") == []


# alignment-cycle ----------------------------------------------------------------------------


def test_it_reports_each_alignment_loop_once_with_its_path() -> None:
    objectives = [
        objective("a", aligns_to=["c"], line=10),
        objective("b", aligns_to=["a"], line=20),
        objective("c", aligns_to=["b"], line=30),
    ]
    [finding] = found(lint(plan(*objectives)), "alignment-cycle")
    assert (finding.object, finding.line, finding.severity) == ("a", 10, "error")
    assert "a → c → b → a" in finding.message


def test_it_finds_no_loop_in_a_chain() -> None:
    objectives = [objective("a"), objective("b", aligns_to=["a"]), objective("c", aligns_to=["b"])]
    assert found(lint(plan(*objectives)), "alignment-cycle") == []


# too-many-objectives ------------------------------------------------------------------------


def test_it_flags_a_team_with_more_than_five_objectives_in_a_period() -> None:
    findings = lint(plan(*(objective(f"o{i}") for i in range(6))))
    [finding] = found(findings, "too-many-objectives")
    assert finding.object == "growth" and "6 objectives" in finding.message


def test_it_accepts_five_objectives_or_six_over_two_periods() -> None:
    assert found(lint(plan(*(objective(f"o{i}") for i in range(5)))), "too-many-objectives") == []
    spread = [objective(f"o{i}", period="2026-Q3" if i < 3 else "2026-Q4") for i in range(6)]
    assert found(lint(plan(*spread)), "too-many-objectives") == []


# unhealthy-guardrail ------------------------------------------------------------------------


def churn(current: float) -> Kpi:
    return Kpi("churn", "Monthly logo churn", "%", "decrease", parse_healthy("<= 2.5"), current)


def test_it_flags_an_objective_whose_guardrail_is_unhealthy() -> None:
    findings = lint(plan(objective("a", guardrails=["churn"]), kpis=[churn(2.9)]))
    [finding] = found(findings, "unhealthy-guardrail")
    assert finding.object == "a"
    assert "churn" in finding.message and "2.9%" in finding.message
    assert "<= 2.5" in finding.message


@pytest.mark.parametrize("current", [2.1, None])
def test_it_is_quiet_when_the_guardrail_is_healthy_or_unknown(current: float | None) -> None:
    findings = lint(plan(objective("a", guardrails=["churn"]), kpis=[churn(current)]))  # type: ignore[arg-type]
    assert found(findings, "unhealthy-guardrail") == []


def test_an_unhealthy_kpi_that_guards_nothing_is_not_a_finding() -> None:
    assert found(lint(plan(objective("a"), kpis=[churn(2.9)])), "unhealthy-guardrail") == []


# okrs-may-not-fit ---------------------------------------------------------------------------


def test_it_suggests_lighter_planning_for_an_exploratory_team_with_objectives() -> None:
    teams = [Team("company", "Acme"), Team("growth", "Growth", phase="exploratory", line=7)]
    [finding] = found(lint(plan(objective("a"), teams=teams)), "okrs-may-not-fit")
    assert (finding.object, finding.severity, finding.line) == ("growth", "info", 7)
    assert "experiments" in finding.hint and "learning goals" in finding.hint
    assert "roadmap" in finding.hint


def test_it_says_nothing_of_exploratory_teams_without_objectives_or_other_phases() -> None:
    teams = [Team("company", "Acme", phase="exploratory"), Team("growth", "G", phase="growth")]
    assert found(lint(plan(objective("a"), teams=teams)), "okrs-may-not-fit") == []


# order, shape and live coaching -------------------------------------------------------------


def test_findings_come_by_line_then_rule() -> None:
    objectives = [
        objective("b", kr("Ship the app", "ship", line=12), line=11),
        objective("a", kr("Launch the site", "launch", line=3), line=2),
    ]
    findings = lint(plan(*objectives))
    keys = [(f.line, f.rule) for f in findings]
    assert keys == [
        (2, "kr-count"),
        (2, "only-outputs"),
        (3, "output-kr"),
        (11, "kr-count"),
        (11, "only-outputs"),
        (12, "output-kr"),
    ]


def test_findings_without_lines_follow_the_plan_order() -> None:
    findings = lint(plan(objective("z", levers=[]), objective("a", levers=[])))
    assert about(findings, "no-strategy-link") == ["z", "a"]


def test_a_finding_turns_into_the_spec_json_object() -> None:
    finding = lint(plan(objective("o", levers=[])))[0]
    assert finding.as_dict() == {
        "rule": "no-strategy-link",
        "severity": "warning",
        "object": "o",
        "line": None,
        "message": finding.message,
        "hint": finding.hint,
    }


def test_lint_objective_gives_only_the_findings_about_that_objective() -> None:
    launch = kr("Launch the mobile app", "launch", type="milestone")
    p = plan(objective("a", activation(), launch, levers=[]), objective("b", aligns_to=["b"]))
    assert {(f.rule, f.object) for f in lint_objective(p, "a")} == {
        ("output-kr", "a/launch"),
        ("no-strategy-link", "a"),
    }
    assert about(lint_objective(p, "b"), "alignment-cycle") == ["b"]
    assert lint_objective(p, "missing") == []


# robustness ---------------------------------------------------------------------------------

_KR = st.tuples(
    st.text(max_size=60),
    st.sampled_from(["metric", "milestone", "range"]),
    st.none() | st.floats(allow_nan=False, allow_infinity=False),
    st.none() | st.floats(allow_nan=False, allow_infinity=False),
)
_OBJECTIVE = st.tuples(
    st.text(max_size=40), st.lists(_KR, max_size=6), st.lists(st.integers(0, 5), max_size=3)
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_OBJECTIVE, max_size=6))
def test_it_never_fails_on_odd_titles_numbers_or_links(spec: list) -> None:
    objectives = [
        Objective(
            f"o{i}",
            "growth",
            title,
            "2026-Q3",
            aligns_to=[f"o{a}" for a in links],
            key_results=[
                KeyResult(f"k{j}", text, type=kind, baseline=baseline, target=target)
                for j, (text, kind, baseline, target) in enumerate(krs)
            ],
        )
        for i, (title, krs, links) in enumerate(spec)
    ]
    teams = [Team("growth", "Growth", phase="exploratory")]
    findings = lint(plan(*objectives, teams=teams))
    assert all(f.rule in RULES and f.message and f.hint for f in findings)
    assert findings == lint(plan(*objectives, teams=teams))
