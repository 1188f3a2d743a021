"""Scoring rules: progress, grades and bands, pace, status, forecast and a whole plan."""

from __future__ import annotations

import json
from datetime import date

import pytest

from constellation.core.model import CheckIn, HealthyRange, KeyResult, Objective, Plan
from constellation.core.periods import parse_period
from constellation.core.scoring import (
    band,
    current_value,
    expected_grade,
    expected_progress,
    fit_line,
    forecast,
    grade,
    grade_objective,
    kr_progress,
    kr_status,
    latest_confidence,
    objective_progress,
    objective_status,
    score_plan,
)

Q3 = "2026-Q3"  # 1 July to 30 September 2026: 92 days
MID_Q3 = date(2026, 8, 15)  # end of day 46 of 92: exactly half the quarter


def metric(baseline=None, target=None, current=None, **extra) -> KeyResult:
    """A metric key result."""
    return KeyResult(
        id="kr", title="A metric", baseline=baseline, target=target, current=current, **extra
    )


def objective(*krs: KeyResult, commitment="committed", period=Q3) -> Objective:
    """An objective of the growth team holding some key results."""
    return Objective(
        id="obj",
        team="growth",
        title="Teams get value fast",
        period=period,
        key_results=list(krs),
        commitment=commitment,
    )


# Progress of a metric


def test_an_increasing_metric_scores_the_share_of_the_way_from_baseline_to_target() -> None:
    assert kr_progress(metric(34, 50, 42)) == pytest.approx(0.5)


def test_a_decreasing_metric_scores_the_share_of_the_way_down() -> None:
    assert kr_progress(metric(2.9, 2.5, 2.8)) == pytest.approx(0.25)


def test_progress_is_clamped_between_zero_and_one() -> None:
    assert kr_progress(metric(10, 20, 35)) == 1.0
    assert kr_progress(metric(10, 20, 5)) == 0.0
    assert kr_progress(metric(20, 10, 2)) == 1.0
    assert kr_progress(metric(20, 10, 25)) == 0.0


def test_a_metric_without_a_current_value_scores_zero() -> None:
    assert kr_progress(metric(10, 20)) == 0.0


def test_a_metric_without_a_target_scores_zero() -> None:
    assert kr_progress(metric(10, None, 15)) == 0.0


def test_a_missing_baseline_counts_from_zero() -> None:
    assert kr_progress(metric(None, 40, 10)) == pytest.approx(0.25)


def test_a_target_equal_to_the_baseline_is_met_only_at_the_target() -> None:
    assert kr_progress(metric(5, 5, 5)) == 1.0
    assert kr_progress(metric(5, 5, 6)) == 0.0
    assert kr_progress(metric(5, 5, 4)) == 0.0


def test_non_finite_readings_score_zero_rather_than_nan() -> None:
    assert kr_progress(metric(0, 10, float("nan"))) == 0.0
    assert kr_progress(metric(0, float("inf"), 5)) == 0.0


def test_huge_values_do_not_overflow_into_nonsense() -> None:
    assert kr_progress(metric(-1.5e308, 1.5e308, 0.0)) == pytest.approx(0.5)


def test_the_current_value_falls_back_to_the_latest_check_in() -> None:
    kr = metric(
        0,
        10,
        check_ins=[
            CheckIn(on=date(2026, 8, 1), value=6),
            CheckIn(on=date(2026, 7, 1), value=2),
            CheckIn(on=date(2026, 8, 10), confidence=5),
        ],
    )
    assert current_value(kr) == 6
    assert kr_progress(kr) == pytest.approx(0.6)


def test_the_key_results_own_current_value_wins_over_check_ins() -> None:
    kr = metric(0, 10, 3, check_ins=[CheckIn(on=date(2026, 8, 1), value=6)])
    assert current_value(kr) == 3


# Milestones and ranges


def test_a_milestone_scores_one_when_done_and_zero_otherwise() -> None:
    assert kr_progress(KeyResult(id="m", title="Ship it", type="milestone", done=True)) == 1.0
    assert kr_progress(KeyResult(id="m", title="Ship it", type="milestone", done=False)) == 0.0
    assert kr_progress(KeyResult(id="m", title="Ship it", type="milestone")) == 0.0


def test_a_check_in_marked_done_completes_a_milestone() -> None:
    kr = KeyResult(
        id="m",
        title="Ship it",
        type="milestone",
        done=False,
        check_ins=[CheckIn(on=date(2026, 8, 1), done=True)],
    )
    assert kr_progress(kr) == 1.0


def range_kr(current=None, values=()) -> KeyResult:
    """A key result that keeps a value between 95 and 100."""
    check_ins = [CheckIn(on=date(2026, 7, 1 + i), value=v) for i, v in enumerate(values)]
    return KeyResult(
        id="r",
        title="Keep uptime between 95 and 100",
        type="range",
        healthy=HealthyRange(low=95, high=100),
        current=current,
        check_ins=check_ins,
    )


def test_a_range_scores_the_share_of_check_ins_in_range() -> None:
    assert kr_progress(range_kr(values=[96, 99, 90, 97])) == pytest.approx(0.75)


def test_a_range_without_check_ins_scores_from_its_current_value() -> None:
    assert kr_progress(range_kr(current=98)) == 1.0
    assert kr_progress(range_kr(current=80)) == 0.0


def test_an_unknown_range_scores_zero() -> None:
    assert kr_progress(range_kr()) == 0.0


# Objectives and grades


def test_objective_progress_is_the_weighted_mean_of_its_key_results() -> None:
    heavy = metric(0, 10, 10, weight=3)
    light = metric(0, 10, 0, weight=1)
    assert objective_progress(objective(heavy, light)) == pytest.approx(0.75)


def test_key_results_without_a_positive_weight_do_not_count() -> None:
    counted = metric(0, 10, 10)
    ignored = metric(0, 10, 0, weight=0)
    assert objective_progress(objective(counted, ignored)) == 1.0


def test_an_objective_without_key_results_scores_zero() -> None:
    assert objective_progress(objective()) == 0.0


@pytest.mark.parametrize(
    ("progress", "expected"),
    [(0.0, 0.0), (0.04, 0.0), (0.05, 0.1), (0.25, 0.3), (0.35, 0.4), (0.649, 0.6), (1.0, 1.0)],
)
def test_a_grade_is_progress_rounded_half_up_to_one_decimal(progress, expected) -> None:
    assert grade(progress) == expected


@pytest.mark.parametrize(
    ("value", "colour"),
    [
        (0.0, "red"),
        (0.3, "red"),
        (0.34, "red"),
        (0.35, "yellow"),
        (0.4, "yellow"),
        (0.6, "yellow"),
        (0.64, "yellow"),
        (0.65, "green"),
        (0.7, "green"),
        (1.0, "green"),
    ],
)
def test_bands_are_decided_on_the_rounded_grade(value, colour) -> None:
    assert band(value) == colour


def test_a_committed_objective_is_expected_to_reach_one_and_an_aspirational_one_point_seven() -> (
    None
):
    assert expected_grade("committed") == 1.0
    assert expected_grade("aspirational") == 0.7


def test_an_aspirational_objective_meets_its_grade_at_point_seven() -> None:
    result = grade_objective(objective(metric(0, 10, 7), commitment="aspirational"))
    assert (result.value, result.band, result.expected, result.met) == (0.7, "green", 0.7, True)


def test_a_committed_objective_at_point_seven_has_not_met_its_grade() -> None:
    result = grade_objective(objective(metric(0, 10, 7)))
    assert (result.value, result.expected, result.met) == (0.7, 1.0, False)


# Pace


def test_nothing_is_expected_before_the_quarter_starts() -> None:
    assert expected_progress(Q3, date(2026, 6, 30)) == 0.0


def test_one_day_is_expected_at_the_end_of_the_first_day() -> None:
    assert expected_progress(Q3, date(2026, 7, 1)) == pytest.approx(1 / 92)


def test_half_is_expected_in_the_middle_of_the_quarter() -> None:
    assert expected_progress(parse_period(Q3), MID_Q3) == pytest.approx(0.5)


def test_everything_is_expected_at_the_end_of_the_quarter_and_after() -> None:
    assert expected_progress(Q3, date(2026, 9, 30)) == 1.0
    assert expected_progress(Q3, date(2027, 1, 1)) == 1.0


def test_a_year_period_paces_over_the_whole_year() -> None:
    assert expected_progress("2026", date(2026, 12, 31)) == 1.0
    assert expected_progress("2026", date(2026, 7, 2)) == pytest.approx(183 / 365)


# Status


@pytest.mark.parametrize(
    ("current", "status"),
    [(50, "on_track"), (45, "on_track"), (44, "at_risk"), (30, "at_risk"), (29, "off_track")],
)
def test_a_metric_is_compared_with_the_share_of_the_quarter_gone(current, status) -> None:
    assert kr_status(metric(0, 100, current), Q3, MID_Q3) == status


def test_an_aspirational_key_result_is_paced_at_point_seven_of_the_calendar() -> None:
    kr = metric(0, 100, 35)  # half of 0.7 at mid-quarter
    assert kr_status(kr, Q3, MID_Q3, "aspirational") == "on_track"
    assert kr_status(kr, Q3, MID_Q3, "committed") == "at_risk"


def test_nothing_is_behind_in_the_first_days_of_the_quarter() -> None:
    assert kr_status(metric(0, 100, 0), Q3, date(2026, 7, 5)) == "on_track"


def test_a_low_confidence_makes_a_key_result_off_track() -> None:
    kr = metric(0, 100, 60, confidence=3)
    assert kr_status(kr, Q3, MID_Q3) == "off_track"


def test_a_middling_confidence_makes_a_key_result_at_most_at_risk() -> None:
    kr = metric(0, 100, 60, check_ins=[CheckIn(on=date(2026, 8, 1), value=60, confidence=6)])
    assert latest_confidence(kr) == 6
    assert kr_status(kr, Q3, MID_Q3) == "at_risk"


def test_a_high_confidence_never_lifts_a_key_result_that_is_behind() -> None:
    assert kr_status(metric(0, 100, 10, confidence=10), Q3, MID_Q3) == "off_track"


def test_the_latest_check_in_confidence_is_the_one_that_counts() -> None:
    kr = metric(
        0,
        100,
        60,
        check_ins=[
            CheckIn(on=date(2026, 8, 10), confidence=9),
            CheckIn(on=date(2026, 7, 10), confidence=2),
        ],
    )
    assert kr_status(kr, Q3, MID_Q3) == "on_track"


def test_a_finished_key_result_is_on_track_whatever_its_confidence() -> None:
    assert kr_status(metric(0, 100, 100, confidence=1), Q3, MID_Q3) == "on_track"


def test_a_milestone_not_done_is_on_track_then_at_risk_then_off_track() -> None:
    kr = KeyResult(id="m", title="Ship it", type="milestone")
    assert kr_status(kr, Q3, MID_Q3) == "on_track"
    assert kr_status(kr, Q3, date(2026, 9, 20)) == "at_risk"
    assert kr_status(kr, Q3, date(2026, 10, 1)) == "off_track"


def test_a_range_is_on_track_while_its_latest_value_is_in_range() -> None:
    # Out of range once, back in: on track now, and its progress keeps the miss.
    back = range_kr(values=[96, 80, 97])
    assert kr_status(back, Q3, MID_Q3) == "on_track"
    assert kr_progress(back) == pytest.approx(2 / 3)
    assert kr_status(range_kr(values=[96] * 9 + [80]), Q3, MID_Q3) == "off_track"
    assert kr_status(range_kr(current=98), Q3, MID_Q3) == "on_track"
    assert kr_status(range_kr(current=80), Q3, date(2026, 7, 3)) == "off_track"


def test_a_healthy_range_key_result_is_not_off_track_for_the_calendar() -> None:
    # The case a walk-through met: a keep-in-range key result at a healthy 99.7 %.
    kr = range_kr(values=[99.7])
    assert kr_progress(kr) == 1.0
    assert kr_status(kr, Q3, date(2026, 9, 30)) == "on_track"


def test_a_range_in_range_with_low_confidence_is_still_at_most_at_risk() -> None:
    kr = KeyResult(
        id="uptime",
        title="Keep uptime above 95%",
        type="range",
        healthy=HealthyRange(low=95.0),
        check_ins=[CheckIn(on=date(2026, 7, 10), value=97.0, confidence=5)],
    )
    assert kr_status(kr, Q3, MID_Q3) == "at_risk"


def test_an_unread_range_is_only_behind_once_readings_were_due() -> None:
    assert kr_status(range_kr(), Q3, date(2026, 7, 3)) == "not_started"
    assert kr_status(range_kr(), Q3, MID_Q3) == "off_track"


def test_an_objective_is_paced_on_its_weighted_progress() -> None:
    ahead, behind = metric(0, 100, 80), metric(0, 100, 20)
    assert objective_status(objective(ahead, behind), MID_Q3) == "on_track"
    assert objective_status(objective(behind, behind), MID_Q3) == "off_track"


def test_the_lowest_key_result_confidence_caps_the_objective() -> None:
    fine = metric(0, 100, 80, confidence=9)
    doubtful = metric(0, 100, 40, confidence=5)
    assert objective_status(objective(fine, doubtful), MID_Q3) == "at_risk"
    hopeless = metric(0, 100, 40, confidence=2)
    assert objective_status(objective(fine, hopeless), MID_Q3) == "off_track"


def test_a_finished_objective_is_on_track() -> None:
    done = metric(0, 100, 100, confidence=1)
    assert objective_status(objective(done), date(2026, 9, 30)) == "on_track"


def test_an_objective_of_another_period_uses_its_own_calendar() -> None:
    kr = metric(0, 100, 50)
    assert objective_status(objective(kr, period="2026-Q4"), MID_Q3) == "on_track"
    assert objective_status(objective(kr, period="2026-Q2"), MID_Q3) == "off_track"


# Forecast


def line_kr(baseline=10, target=50, points=((15, 20), (31, 30))) -> KeyResult:
    """A metric with check-ins (day of July, value)."""
    check_ins = [CheckIn(on=date(2026, 7, day), value=value) for day, value in points]
    return metric(baseline, target, check_ins=check_ins)


def test_a_perfect_line_is_forecast_exactly() -> None:
    # Baseline 10 on 1 July, then +10 every 15 days... a slope of 2/3 a day.
    kr = line_kr(points=((16, 20), (31, 30)))
    result = forecast(kr, Q3, MID_Q3)
    assert result is not None
    assert result.points == 3
    assert result.slope_per_day == pytest.approx(2 / 3)
    assert result.end_value == pytest.approx(10 + 91 * 2 / 3)
    assert result.end_progress == 1.0
    # 50 is reached 60 days after 1 July.
    assert result.target_date == date(2026, 8, 30)


def test_the_target_date_is_the_first_whole_day_past_the_target() -> None:
    kr = line_kr(baseline=0, target=10, points=((4, 3),))  # 1 a day: 10 after 10 days
    result = forecast(kr, Q3, MID_Q3)
    assert result is not None and result.target_date == date(2026, 7, 11)


def test_a_decreasing_metric_going_down_has_a_target_date() -> None:
    kr = line_kr(baseline=100, target=40, points=((11, 90), (21, 80)))
    result = forecast(kr, Q3, MID_Q3)
    assert result is not None
    assert result.target_date == date(2026, 8, 30)
    assert result.end_progress == 1.0


def test_a_trend_going_the_wrong_way_has_no_target_date() -> None:
    kr = line_kr(baseline=10, target=50, points=((11, 8), (21, 6)))
    result = forecast(kr, Q3, MID_Q3)
    assert result is not None
    assert result.slope_per_day < 0
    assert result.target_date is None
    assert result.end_progress == 0.0


def test_a_flat_trend_has_no_target_date() -> None:
    result = forecast(line_kr(baseline=10, points=((11, 10), (21, 10))), Q3, MID_Q3)
    assert result is not None and result.target_date is None


def test_a_trend_too_slow_for_the_calendar_has_no_target_date() -> None:
    kr = line_kr(baseline=0, target=1e300, points=((2, 1e-300),))
    result = forecast(kr, Q3, MID_Q3)
    assert result is not None and result.target_date is None


def test_there_is_no_forecast_from_fewer_than_two_points() -> None:
    assert forecast(line_kr(baseline=None, points=((11, 10),)), Q3, MID_Q3) is None
    assert forecast(line_kr(points=()), Q3, MID_Q3) is None


def test_there_is_no_forecast_from_readings_all_on_one_day() -> None:
    assert forecast(line_kr(baseline=None, points=((11, 10), (11, 12))), Q3, MID_Q3) is None


def test_there_is_no_forecast_for_a_milestone_or_a_range() -> None:
    milestone = KeyResult(id="m", title="Ship it", type="milestone")
    assert forecast(milestone, Q3, MID_Q3) is None
    assert forecast(range_kr(values=[96, 97, 98]), Q3, MID_Q3) is None


def test_a_forecast_ignores_check_ins_after_its_day() -> None:
    kr = line_kr(baseline=0, target=100, points=((11, 10), (21, 20)))
    kr.check_ins.append(CheckIn(on=date(2026, 9, 1), value=0))
    result = forecast(kr, Q3, date(2026, 7, 31))
    assert result is not None and result.points == 3
    assert result.slope_per_day == pytest.approx(1.0)


def test_a_least_squares_line_fits_noisy_points() -> None:
    intercept, slope = fit_line([(0, 1), (1, 3), (2, 2), (3, 4)])
    assert (intercept, slope) == (pytest.approx(1.3), pytest.approx(0.8))


# A whole plan


def plan() -> Plan:
    """A plan with a committed objective and an aspirational one of another team."""
    activation = objective(
        KeyResult(
            id="week1",
            title="Raise week-1 activation from 34% to 50%",
            baseline=34,
            target=50,
            unit="%",
            check_ins=[CheckIn(on=date(2026, 7, 16), value=38, confidence=8)],
            current=42,
        ),
        KeyResult(id="setup", title="Ship guided setup", type="milestone", done=True),
    )
    moonshot = Objective(
        id="moonshot",
        team="company",
        title="Become the default tool",
        period="2026",
        commitment="aspirational",
        key_results=[metric(0, 1000, 100, unit="teams")],
    )
    return Plan(organization="Acme", period=Q3, objectives=[activation, moonshot], path="x.yaml")


def test_a_plan_scores_every_objective_and_key_result() -> None:
    result = score_plan(plan(), MID_Q3)
    first, second = result.objectives
    assert (first.id, first.team, first.period) == ("obj", "growth", Q3)
    assert first.progress == pytest.approx(0.75)
    assert first.expected == pytest.approx(0.5)
    assert (first.grade.value, first.grade.band) == (0.8, "green")
    assert first.status == "on_track"
    week1, setup = first.key_results
    assert (week1.current, week1.progress, week1.status) == (42, 0.5, "on_track")
    assert week1.forecast is not None and week1.forecast.points == 2
    assert (setup.progress, setup.forecast) == (1.0, None)
    assert second.expected == pytest.approx(0.7 * 227 / 365)
    assert second.status == "off_track"


def test_a_plan_score_turns_into_json() -> None:
    document = json.loads(json.dumps(score_plan(plan(), MID_Q3).as_dict()))
    assert document["path"] == "x.yaml" and document["at"] == "2026-08-15"
    first = document["objectives"][0]
    assert first["grade"] == {"value": 0.8, "band": "green", "expected": 1.0, "met": False}
    assert first["key_results"][0]["forecast"]["target_date"] == "2026-08-30"
    assert set(first["key_results"][0]) == {
        "id",
        "title",
        "type",
        "baseline",
        "target",
        "current",
        "unit",
        "progress",
        "expected",
        "status",
        "forecast",
    }


def _closed(progress_value: float, grade_given: float | None = None) -> Objective:
    kr = KeyResult(id="k", title="Raise activation from 0 to 100", baseline=0, target=100,
                   current=progress_value)  # fmt: skip
    return Objective(id="o", team="t", title="Closed one", period=Q3, state="closed",
                     key_results=[kr], grade=grade_given)  # fmt: skip


def test_a_closed_objective_shows_its_result_not_its_pace() -> None:
    from constellation.core.scoring import score_objective

    # Graded 0.9 at the end: a good result, not "at risk" against a committed pace of 1.0.
    closed = _closed(90)
    assert objective_status(closed, date(2026, 10, 20)) == "on_track"
    assert score_objective(closed, date(2026, 10, 20)).status == "on_track"
    assert objective_status(_closed(50), date(2026, 10, 20)) == "at_risk"
    assert objective_status(_closed(20), date(2026, 10, 20)) == "off_track"
    # The grade a review settled on is the result.
    assert objective_status(_closed(20, grade_given=0.8), date(2026, 10, 20)) == "on_track"
    # 0.7 is a good result once closed; still running on the last day, it is behind the pace.
    assert objective_status(_closed(70), date(2026, 10, 20)) == "on_track"
    running = _closed(70)
    running.state = "launched"
    assert objective_status(running, date(2026, 9, 30)) == "at_risk"
