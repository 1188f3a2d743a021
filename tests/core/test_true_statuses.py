"""True statuses: pace from the launch, drafts and work not started, closed key results, range
charts at their range's scale, and unhealthy guardrails in the status itself."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from constellation.core.charts import _domain, key_result_chart, nice_ticks
from constellation.core.model import CheckIn, HealthyRange, KeyResult, Kpi, Objective, Plan
from constellation.core.periods import parse_period
from constellation.core.scoring import (
    expected_progress,
    kr_status,
    objective_status,
    score_objective,
    score_plan,
)
from constellation.core.scoring.status import NOT_STARTED_UNTIL

Q4 = "2026-Q4"  # 1 October to 31 December 2026: 92 days
DEC_1 = date(2026, 12, 1)
MID_Q4 = date(2026, 11, 15)


def metric(current=None, check_ins=(), **extra) -> KeyResult:
    """A metric from 0 to 100."""
    return KeyResult(id="kr", title="Raise activation from 0 to 100", baseline=0, target=100,
                     current=current, check_ins=list(check_ins), **extra)  # fmt: skip


def objective(*krs: KeyResult, state="launched", launched=None, **extra) -> Objective:
    """An objective of Q4 holding some key results."""
    return Objective(id="obj", team="growth", title="Teams get value fast", period=Q4,
                     key_results=list(krs), state=state, launched=launched, **extra)  # fmt: skip


# Pace counts from the later of the period's start and the launch


def test_an_objective_launched_on_1_december_is_expected_almost_nothing_that_day() -> None:
    launched = objective(metric(current=0), launched=DEC_1)
    score = score_objective(launched, DEC_1)
    assert score.expected == pytest.approx(1 / 31)  # not 62/92 of the quarter
    assert score.status == "on_track"
    # Without its launch day it would read off track against two thirds of the quarter.
    assert score_objective(objective(metric(current=0)), DEC_1).status == "off_track"


def test_pace_from_the_launch_reaches_everything_on_the_periods_last_day() -> None:
    assert expected_progress(Q4, date(2026, 12, 31), DEC_1) == 1.0
    assert expected_progress(Q4, date(2026, 12, 16), DEC_1) == pytest.approx(16 / 31)
    assert expected_progress(Q4, date(2026, 11, 30), DEC_1) == 0.0


def test_a_launch_before_the_period_counts_from_its_first_day() -> None:
    early = date(2026, 9, 20)
    assert expected_progress(Q4, MID_Q4, early) == expected_progress(Q4, MID_Q4)


def test_a_launch_after_the_period_ended_expects_everything_at_its_end() -> None:
    assert expected_progress(Q4, date(2027, 1, 5), date(2027, 1, 2)) == 1.0


def test_key_results_are_paced_from_their_objectives_launch() -> None:
    kr = metric(current=30)  # 30 % on 10 December: a third of the way since the launch
    assert kr_status(kr, Q4, date(2026, 12, 10), launched=DEC_1) == "on_track"
    assert kr_status(kr, Q4, date(2026, 12, 10)) == "off_track"


days = st.dates(min_value=date(2026, 6, 1), max_value=date(2027, 3, 31))


@given(on=days, launched=st.none() | days, later=st.integers(0, 120))
def test_pace_is_never_negative_never_before_the_launch_and_never_falls(
    on: date, launched: date | None, later: int
) -> None:
    expected = expected_progress(Q4, on, launched)
    assert 0.0 <= expected <= 1.0
    assert expected <= expected_progress(Q4, on + timedelta(days=later), launched)
    if launched is not None and on < launched:
        assert expected == 0.0
    # A launch never makes more expected than the whole period's calendar would.
    assert expected <= expected_progress(Q4, on)


# Drafts and work not yet started say so


@pytest.mark.parametrize("state", ["draft", "in_review"])
def test_a_draft_and_its_key_results_say_draft_and_expect_nothing(state: str) -> None:
    draft = objective(metric(current=0), state=state)
    score = score_objective(draft, date(2026, 12, 20))
    assert (score.status, score.expected) == ("draft", 0.0)
    assert [(kr.status, kr.expected) for kr in score.key_results] == [("draft", 0.0)]
    assert objective_status(draft, date(2026, 12, 20)) == "draft"


def test_an_objective_without_a_state_is_tracked_as_before() -> None:
    assert score_objective(objective(metric(current=0), state=None), MID_Q4).status == "off_track"


def test_a_key_result_with_no_check_in_is_not_started_early_then_off_track() -> None:
    kr = metric()
    assert kr_status(kr, Q4, date(2026, 10, 10)) == "not_started"
    # A quarter of the calendar gone and still nothing checked in: behind.
    assert kr_status(kr, Q4, date(2026, 10, 23)) == "off_track"
    # Counted from the launch: launched on 1 December, it is not started until late December.
    assert kr_status(kr, Q4, date(2026, 12, 5), launched=DEC_1) == "not_started"


def test_one_reading_ends_not_started() -> None:
    read = metric(check_ins=[CheckIn(on=date(2026, 10, 5), value=5.0)])
    assert kr_status(read, Q4, date(2026, 10, 8)) == "on_track"
    confident = metric(confidence=2)
    assert kr_status(confident, Q4, date(2026, 10, 8)) == "off_track"


def test_an_objective_none_of_whose_key_results_was_read_is_not_started() -> None:
    fresh = objective(metric(), metric())
    assert score_objective(fresh, date(2026, 10, 10)).status == "not_started"
    assert score_objective(fresh, MID_Q4).status == "off_track"
    started = objective(metric(current=5), metric())
    assert score_objective(started, date(2026, 10, 8)).status == "on_track"


@given(share=st.floats(0.0, 1.0), kind=st.sampled_from(["metric", "milestone", "range"]))
def test_a_key_result_with_no_reading_is_never_behind_before_a_quarter_of_its_calendar(
    share: float, kind: str
) -> None:
    span = parse_period(Q4)
    on = span.start + timedelta(days=int(share * (span.days - 1)))
    kr = KeyResult(id="k", title="Something", type=kind, baseline=0, target=10,
                   healthy=HealthyRange(low=1.0))  # fmt: skip
    status = kr_status(kr, Q4, on)
    if expected_progress(Q4, on) < NOT_STARTED_UNTIL:
        assert status == "not_started"
    else:
        assert status != "not_started"


# A closed objective's key results show their final result


def test_a_closed_objectives_key_results_show_the_band_of_their_result() -> None:
    closed = objective(
        metric(current=90, confidence=1), metric(current=50), metric(current=20), state="closed"
    )
    score = score_objective(closed, date(2027, 1, 10))
    assert [kr.status for kr in score.key_results] == ["on_track", "at_risk", "off_track"]
    assert [kr.expected for kr in score.key_results] == [1.0, 1.0, 1.0]
    assert kr_status(metric(current=90), Q4, date(2026, 12, 31), state="closed") == "on_track"


# Unhealthy guardrails in the status itself

CHURN = Kpi(id="churn", title="Monthly churn", healthy=HealthyRange(high=2.5), current=3.4)
UPTIME = Kpi(id="uptime", title="Uptime", healthy=HealthyRange(low=99.0), current=99.7)


def test_an_unhealthy_guardrail_puts_a_running_objective_at_risk_and_says_why() -> None:
    guarded = objective(metric(current=80), guardrails=["churn", "uptime"])
    score = score_objective(guarded, MID_Q4, [CHURN, UPTIME])
    assert score.status == "at_risk"
    assert score.reason == "guardrail Monthly churn outside its healthy range"
    assert score.as_dict()["reason"] == score.reason
    assert objective_status(guarded, MID_Q4, [CHURN, UPTIME]) == "at_risk"
    # Healthy guardrails: the pace alone.
    healthy = score_objective(
        objective(metric(current=80), guardrails=["uptime"]), MID_Q4, [UPTIME]
    )
    assert (healthy.status, healthy.reason) == ("on_track", None)


def test_an_unhealthy_guardrail_never_improves_a_worse_status() -> None:
    behind = objective(metric(current=5), guardrails=["churn"])
    score = score_objective(behind, MID_Q4, {"churn": CHURN})
    assert score.status == "off_track"
    assert score.reason == "guardrail Monthly churn outside its healthy range"


def test_a_draft_carries_the_reason_but_keeps_its_status_and_a_closed_one_its_result() -> None:
    draft = score_objective(objective(state="draft", guardrails=["churn"]), MID_Q4, [CHURN])
    assert (draft.status, draft.reason) == (
        "draft",
        "guardrail Monthly churn outside its healthy range",
    )
    done = objective(metric(current=100), state="closed", guardrails=["churn"])
    closed = score_objective(done, date(2027, 1, 5), [CHURN])
    assert (closed.status, closed.reason) == ("on_track", None)


def test_several_unhealthy_guardrails_are_named_together_and_a_plan_reads_its_kpis() -> None:
    down = Kpi(id="uptime", title="Uptime", healthy=HealthyRange(low=99.0), current=97.0)
    guarded = objective(metric(current=80), guardrails=["churn", "uptime"])
    plan = Plan(organization="Acme", period=Q4, kpis=[CHURN, down], objectives=[guarded])
    score = score_plan(plan, MID_Q4).objectives[0]
    assert score.reason == "guardrails Monthly churn, Uptime outside their healthy ranges"


# A keep-in-range key result's chart scales to its range


def test_a_range_chart_with_an_open_range_and_no_reading_stays_at_the_ranges_scale() -> None:
    kr = KeyResult(id="up", title="Keep uptime", type="range", unit="%",
                   healthy=HealthyRange(low=99.5))  # fmt: skip
    chart = key_result_chart(kr, Q4, MID_Q4)
    assert chart is not None
    _, _, low, high = _domain(chart)
    ticks = nice_ticks(low, high)
    assert ticks[0] <= 99.5 <= ticks[-1]
    assert ticks[0] >= 95 and ticks[-1] <= 105  # not 75 to 200


@given(
    low=st.floats(-1e4, 1e4),
    width=st.floats(0, 1e3),
    values=st.lists(st.floats(-1e4, 1e4), max_size=6),
)
def test_a_range_charts_axis_covers_its_healthy_range_and_its_values(
    low: float, width: float, values: list[float]
) -> None:
    check_ins = [CheckIn(on=date(2026, 10, 2) + timedelta(days=i), value=v)
                 for i, v in enumerate(values)]  # fmt: skip
    kr = KeyResult(id="r", title="Keep it", type="range", check_ins=check_ins,
                   healthy=HealthyRange(low=low, high=low + width))  # fmt: skip
    chart = key_result_chart(kr, Q4, MID_Q4)
    assert chart is not None
    _, _, bottom, top = _domain(chart)
    ticks = nice_ticks(bottom, top)
    for value in [low, low + width, *values]:
        assert ticks[0] <= value + 1e-6 and value - 1e-6 <= ticks[-1]
