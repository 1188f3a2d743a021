"""Writing OKR files: dump_plan round trips, format_text keeps comments, the starter file loads."""

from __future__ import annotations

import re
import textwrap
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from constellation.core.model import (
    CheckIn,
    HealthyRange,
    Initiative,
    KeyResult,
    Kpi,
    Lever,
    Objective,
    Plan,
    Team,
)
from constellation.core.okrfile import (
    OkrFileError,
    dump_plan,
    format_text,
    load_file,
    load_text,
    plan_data,
    starter_text,
)
from constellation.core.okrfile.schema import derive_ids, slug
from constellation.core.okrfile.writer import scalar
from constellation.core.periods import period_containing

# The contract and its examples, copied into the repository so the suite runs from any clone.
EXAMPLES_DIR = Path(__file__).resolve().parents[1] / "examples"
SPEC = EXAMPLES_DIR / "okr-file.md"
FILES = sorted(EXAMPLES_DIR.glob("*.yaml"))


def spec_text() -> str:
    match = re.search(r"```yaml\n(.*?)```", SPEC.read_text(encoding="utf-8"), re.S)
    assert match is not None
    return match.group(1)


def texts() -> list[tuple[str, str]]:
    """(name, text) of the contract's example and every shared example file."""
    return [("spec", spec_text())] + [(p.name, p.read_text(encoding="utf-8")) for p in FILES]


@pytest.mark.parametrize(("name", "text"), texts(), ids=[name for name, _ in texts()])
def test_dump_plan_round_trips_every_example(name: str, text: str) -> None:
    plan = load_text(text, path=name)
    again = load_text(dump_plan(plan), path=name)
    assert plan_data(again) == plan_data(plan)
    assert [kr.id for o in again.objectives for kr in o.key_results] == [
        kr.id for o in plan.objectives for kr in o.key_results
    ]


def test_dump_plan_writes_the_contract_layout_without_defaults() -> None:
    written = dump_plan(load_text(spec_text()))
    without_comments = re.sub(r" +#.*", "", spec_text()).replace("        kpi: null\n", "")
    assert written == without_comments


def test_dump_plan_writes_every_extension_and_leaves_out_defaults() -> None:
    kr = KeyResult(
        id="uptime",
        title="Keep uptime in range",
        type="range",
        healthy=HealthyRange(99.5, 100.0),
        weight=2.0,
        confidence=7,
        owner="bo",
        check_ins=[CheckIn(on=date(2026, 7, 6), value=99.75, confidence=6, note="steady")],
    )
    objective = Objective(
        id="o1",
        team="ops",
        title="Customers can rely on us",
        period="2026-Q4",
        commitment="aspirational",
        state="launched",
        key_results=[kr],
        initiatives=[Initiative(title="Failover", moves=["uptime"], id="fo", status="done")],
    )
    plan = Plan(
        organization="Acme",
        period="2026-Q3",
        teams=[Team(id="ops", name="Ops", phase="mature")],
        objectives=[objective],
    )
    text = dump_plan(plan)
    assert "strategy" not in text and "kpis" not in text and "weight: 2\n" in text
    assert "period: 2026-Q4\n    commitment: aspirational\n    state: launched\n" in text
    assert "        healthy: 99.5..100\n" in text
    assert "          - on: 2026-07-06\n            value: 99.75\n" in text
    assert plan_data(load_text(text)) == plan_data(plan)


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (85.0, "85"),
        (2.5, "2.5"),
        (1e-05, "1.0e-05"),
        (-3, "-3"),
        (True, "true"),
        (None, "null"),
        (date(2026, 7, 1), "2026-07-01"),
        ("%", '"%"'),
        ("yes", '"yes"'),
        ("2026", '"2026"'),
        ("2026-07-01", '"2026-07-01"'),
        ("null", '"null"'),
        ("<= 2.5", '"<= 2.5"'),
        ("a: b", '"a: b"'),
        ("ends with:", '"ends with:"'),
        ("C# and F#", "C# and F#"),
        ("say #1", '"say #1"'),
        ("x\x80y", '"x\\x80y"'),
        ("\U0002fa1e", '"\U0002fa1e"'),
        ("Grow MRR from $800k to $1.1M", "Grow MRR from $800k to $1.1M"),
        ("line\nbreak", '"line\\nbreak"'),
        ("Réduire le churn", "Réduire le churn"),
        ("1²", "1²"),
        ("0755", '"0755"'),
    ],
)
def test_scalars_are_quoted_only_when_needed(value: object, written: str) -> None:
    assert scalar(value) == written


def test_a_derived_id_that_would_not_be_derived_again_is_written() -> None:
    krs = [
        KeyResult(id="raise-nps", title="Raise NPS", id_given=False),
        KeyResult(id="custom", title="Raise NPS", id_given=False),
    ]
    objective = Objective(id="o", team="t", title="T", period="2026", key_results=krs)
    plan = Plan(organization="A", period="2026", teams=[Team("t", "T")], objectives=[objective])
    text = dump_plan(plan)
    assert "- title: Raise NPS" in text and "- id: custom" in text
    assert [kr.id for kr in load_text(text).objectives[0].key_results] == ["raise-nps", "custom"]


def test_slugs_are_short_and_cut_on_a_word_boundary() -> None:
    assert slug("Raise 90-day logo retention from 78% to 85%") == (
        "raise-90-day-logo-retention-from-78-to"
    )
    assert slug("Café crème") == "cafe-creme" and slug("!!!") == "kr"
    assert derive_ids(["A", "A", "B"], [None, None, "a"]) == ["a-2", "a-3", "a"]


COMMENTED = """\
# Acme's OKRs
version: 1
organization: Acme
period: 2026-Q3     # this quarter
teams:
  - name: Growth    # the team
    id: growth
objectives:
  # the first objective
  - title: Owners see value
    key_results:
    - target: 50
      title: Raise activation from 34% to 50%
      baseline: 34
    team: growth
    id: o1
  # the second objective
  - id: o2
    team: growth
    title: Owners stay
"""


def test_format_text_puts_keys_in_canonical_order_and_keeps_comments() -> None:
    formatted = format_text(COMMENTED)
    assert formatted == textwrap.dedent("""\
        # Acme's OKRs
        version: 1
        organization: Acme
        period: 2026-Q3     # this quarter
        teams:
          - id: growth
            name: Growth    # the team
        objectives:
          # the first objective
          - id: o1
            team: growth
            title: Owners see value
            key_results:
              - title: Raise activation from 34% to 50%
                baseline: 34
                target: 50
          # the second objective
          - id: o2
            team: growth
            title: Owners stay
        """)


def test_format_text_is_idempotent_and_keeps_the_data() -> None:
    once = format_text(COMMENTED)
    assert format_text(once) == once
    assert plan_data(load_text(once)) == plan_data(load_text(COMMENTED))


@pytest.mark.parametrize(("name", "text"), texts(), ids=[name for name, _ in texts()])
def test_format_text_leaves_the_canonical_examples_as_they_are(name: str, text: str) -> None:
    assert format_text(text, path=name) == text


def test_format_text_refuses_an_invalid_file_with_its_problems() -> None:
    with pytest.raises(OkrFileError) as caught:
        format_text("version: 1\norganization: Acme\nperiod: soon\n", path="bad.yaml")
    assert [str(p) for p in caught.value.problems] == [
        "bad.yaml:3:9: 'period' must be a period YYYY-Qn (e.g. 2026-Q3) or YYYY, got 'soon'"
    ]


def test_the_starter_file_loads_cleanly_for_the_current_quarter(tmp_path: Path) -> None:
    path = tmp_path / "okrs.yaml"
    path.write_text(starter_text(), encoding="utf-8")
    plan = load_file(path)
    assert plan.period == period_containing(date.today()).key
    assert len(plan.levers) in (2, 3) and plan.kpis[0].healthy is not None
    focus = {objective.focus for objective in plan.objectives}
    assert focus == {"customer", "business"} and len({o.team for o in plan.objectives}) == 2
    assert all(2 <= len(objective.key_results) <= 4 for objective in plan.objectives)
    assert any(objective.aligns_to for objective in plan.objectives)
    assert any(objective.guardrails for objective in plan.objectives)
    assert all(o.initiatives for o in plan.objectives)


def test_the_starter_file_teaches_with_comments() -> None:
    text = starter_text(date(2027, 5, 2))
    assert "period: 2027-Q2" in text
    assert "# - title: Launch the mobile app" in text  # the bad example stays commented out
    assert "outputs belong here, not among key results" in text
    assert "NOT an OKR cascade" in text and "never copies key results" in text
    assert format_text(text) == text


# Property tests: generated plans survive dump_plan -> load_text unchanged.

IDS = st.from_regex(r"\A[a-z][a-z0-9-]{0,8}\Z")
TEXT = st.text(st.characters(exclude_categories=("Cs",)), min_size=1, max_size=30).filter(
    lambda text: text.strip() != ""
)
PLAIN_TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_characters="\x7f"),
    min_size=1,
    max_size=30,
).filter(lambda text: text.strip() != "")
NUMBER = st.one_of(
    st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False, width=64)
)
PERIOD = st.builds(
    lambda year, quarter: f"{year}-Q{quarter}" if quarter else str(year),
    st.integers(2000, 2099),
    st.integers(0, 4),
)


def _unique_ids(draw: st.DrawFn, count: int) -> list[str]:
    return draw(st.lists(IDS, min_size=count, max_size=count, unique=True))


def _healthy(draw: st.DrawFn) -> HealthyRange:
    low, high = sorted(draw(st.lists(NUMBER, min_size=2, max_size=2)))
    shape = draw(st.sampled_from(["low", "high", "both"]))
    return HealthyRange(
        low=float(low) if shape != "high" else None, high=float(high) if shape != "low" else None
    )


def _key_results(draw: st.DrawFn, text: st.SearchStrategy[str], kpis: list[str]) -> list:
    count = draw(st.integers(0, 4))
    titles = [draw(text) for _ in range(count)]
    given = [draw(st.one_of(st.none(), IDS)) for _ in range(count)]
    given = [kr_id if kr_id not in given[:i] else None for i, kr_id in enumerate(given)]
    krs = []
    for title, kr_id, derived in zip(titles, given, derive_ids(titles, given), strict=True):
        kind = draw(st.sampled_from(["metric", "milestone", "range"]))
        krs.append(
            KeyResult(
                id=derived,
                title=title,
                type=kind,
                baseline=draw(st.one_of(st.none(), NUMBER)),
                target=draw(st.one_of(st.none(), NUMBER)),
                unit=draw(st.one_of(st.none(), text)),
                done=draw(st.one_of(st.none(), st.booleans())),
                healthy=_healthy(draw) if kind == "range" else None,
                kpi=draw(st.one_of(st.none(), st.sampled_from(kpis))) if kpis else None,
                weight=draw(st.sampled_from([1.0, 2, 0.5])),
                confidence=draw(st.one_of(st.none(), st.integers(0, 10))),
                check_ins=_check_ins(draw, text),
                id_given=kr_id is not None,
            )
        )
    return krs


def _check_ins(draw: st.DrawFn, text: st.SearchStrategy[str]) -> list[CheckIn]:
    days = draw(st.lists(st.dates(date(2000, 1, 1), date(2099, 12, 31)), max_size=2))
    return [
        CheckIn(
            on=day,
            value=draw(st.one_of(st.none(), NUMBER)),
            confidence=draw(st.one_of(st.none(), st.integers(0, 10))),
            note=draw(st.one_of(st.just(""), text)),
            done=draw(st.one_of(st.none(), st.booleans())),
        )
        for day in days
    ]


def _objective(draw: st.DrawFn, text: st.SearchStrategy[str], plan: Plan, obj_id: str) -> Objective:
    krs = _key_results(draw, text, [kpi.id for kpi in plan.kpis])
    kr_ids = [kr.id for kr in krs]
    earlier = [objective.id for objective in plan.objectives]
    subset = st.lists  # a few ids chosen among those that exist
    return Objective(
        id=obj_id,
        team=draw(st.sampled_from([team.id for team in plan.teams])),
        title=draw(text),
        period=draw(st.one_of(st.just(plan.period), PERIOD)),
        focus=draw(st.sampled_from([None, "customer", "business", "both"])),
        levers=draw(subset(st.sampled_from([lv.id for lv in plan.levers]), unique=True))
        if plan.levers
        else [],
        aligns_to=draw(subset(st.sampled_from(earlier), unique=True)) if earlier else [],
        guardrails=draw(subset(st.sampled_from([k.id for k in plan.kpis]), unique=True))
        if plan.kpis
        else [],
        key_results=krs,
        initiatives=[
            Initiative(
                title=draw(text),
                moves=draw(subset(st.sampled_from(kr_ids), unique=True)) if kr_ids else [],
                status=draw(st.sampled_from([None, "planned", "done"])),
            )
            for _ in range(draw(st.integers(0, 2)))
        ],
        commitment=draw(st.sampled_from(["committed", "aspirational"])),
        state=draw(st.sampled_from([None, "draft", "closed"])),
        owner=draw(st.one_of(st.none(), text)),
    )


@st.composite
def plans(draw: st.DrawFn, text: st.SearchStrategy[str] = TEXT) -> Plan:
    """Small valid plans: every reference names an id that exists."""
    team_ids = _unique_ids(draw, draw(st.integers(1, 3)))
    plan = Plan(organization=draw(text), period=draw(PERIOD))
    for index, team_id in enumerate(team_ids):
        parent = draw(st.sampled_from([None, *team_ids[:index]]))
        phase = draw(st.sampled_from([None, "exploratory", "growth", "mature"]))
        plan.teams.append(Team(id=team_id, name=draw(text), parent=parent, phase=phase))
    lever_ids = _unique_ids(draw, draw(st.integers(0, 2)))
    plan.levers = [Lever(id=lever_id, title=draw(text)) for lever_id in lever_ids]
    plan.vision = draw(st.one_of(st.none(), text))
    plan.has_strategy = bool(plan.levers or plan.vision) or draw(st.booleans())
    for kpi_id in _unique_ids(draw, draw(st.integers(0, 2))):
        healthy = draw(st.one_of(st.none(), st.builds(lambda: None).map(lambda _: None)))
        plan.kpis.append(
            Kpi(
                id=kpi_id,
                title=draw(text),
                unit=draw(st.one_of(st.none(), text)),
                direction=draw(st.sampled_from(["increase", "decrease"])),
                healthy=healthy if healthy is not None else _healthy(draw),
                current=draw(st.one_of(st.none(), NUMBER)),
            )
        )
    for obj_id in _unique_ids(draw, draw(st.integers(0, 3))):
        plan.objectives.append(_objective(draw, text, plan, obj_id))
    return plan


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_generated_plans_round_trip_through_dump_plan(plan: Plan) -> None:
    assert plan_data(load_text(dump_plan(plan))) == plan_data(plan)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_format_text_leaves_dump_plan_output_as_it_is(plan: Plan) -> None:
    text = dump_plan(plan)
    assert format_text(text) == text
