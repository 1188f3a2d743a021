"""Properties of scoring that hold for any numbers, checked with generated key results."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import assume, given
from hypothesis import strategies as st

from constellation.core.model import CheckIn, HealthyRange, KeyResult, Objective
from constellation.core.periods import parse_period
from constellation.core.scoring import (
    band,
    expected_progress,
    grade,
    kr_progress,
    objective_progress,
)

numbers = st.floats(allow_nan=False, allow_infinity=False)
any_floats = st.floats(allow_nan=True, allow_infinity=True)
maybe_numbers = st.none() | any_floats
days = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 31))
periods = st.sampled_from(["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4", "2026", "2028"])


def metric(baseline, target, current) -> KeyResult:
    """A metric key result."""
    return KeyResult(id="kr", title="A metric", baseline=baseline, target=target, current=current)


@st.composite
def key_results(draw) -> KeyResult:
    """Any key result: a metric, a milestone or a range, with or without check-ins."""
    kind = draw(st.sampled_from(["metric", "milestone", "range"]))
    check_ins = draw(
        st.lists(
            st.builds(
                CheckIn,
                on=days,
                value=maybe_numbers,
                confidence=st.none() | st.integers(0, 10),
                done=st.none() | st.booleans(),
            ),
            max_size=4,
        )
    )
    low = draw(st.none() | numbers)
    high = draw(st.none() | numbers)
    return KeyResult(
        id="kr",
        title="Any key result",
        type=kind,
        baseline=draw(maybe_numbers),
        target=draw(maybe_numbers),
        current=draw(maybe_numbers),
        done=draw(st.none() | st.booleans()),
        weight=draw(st.floats(min_value=0.01, max_value=100)),
        healthy=HealthyRange(low=low, high=high) if low is not None or high is not None else None,
        check_ins=check_ins,
    )


@given(key_results())
def test_progress_is_always_between_zero_and_one(kr: KeyResult) -> None:
    assert 0.0 <= kr_progress(kr) <= 1.0


@given(numbers, numbers, numbers, numbers)
def test_progress_never_falls_as_an_increasing_metric_rises(baseline, target, low, high) -> None:
    assume(target > baseline)
    low, high = sorted((low, high))
    assert kr_progress(metric(baseline, target, low)) <= kr_progress(metric(baseline, target, high))


@given(numbers, numbers, numbers, numbers)
def test_progress_never_rises_as_a_decreasing_metric_rises(baseline, target, low, high) -> None:
    assume(target < baseline)
    low, high = sorted((low, high))
    assert kr_progress(metric(baseline, target, low)) >= kr_progress(metric(baseline, target, high))


@given(numbers, numbers, numbers)
def test_a_decreasing_metric_mirrors_an_increasing_one(baseline, target, current) -> None:
    mirrored = metric(-baseline, -target, -current)
    assert kr_progress(metric(baseline, target, current)) == kr_progress(mirrored)


@given(st.lists(key_results(), min_size=1, max_size=6))
def test_objective_progress_lies_between_its_key_results(krs: list[KeyResult]) -> None:
    progresses = [kr_progress(kr) for kr in krs]
    objective = Objective(id="o", team="t", title="An objective", period="2026-Q3", key_results=krs)
    assert min(progresses) <= objective_progress(objective) <= max(progresses)


@given(periods, days, st.integers(min_value=0, max_value=400))
def test_expected_progress_never_falls_as_the_days_go_by(key, day, later_by) -> None:
    period = parse_period(key)
    later = expected_progress(period, day + timedelta(days=later_by))
    assert 0.0 <= expected_progress(period, day) <= later <= 1.0


@given(st.floats(min_value=0, max_value=1), st.floats(min_value=0, max_value=1))
def test_grades_and_bands_never_fall_as_progress_rises(a: float, b: float) -> None:
    low, high = sorted((a, b))
    order = ["red", "yellow", "green"]
    assert grade(low) <= grade(high)
    assert order.index(band(low)) <= order.index(band(high))


@given(
    low=st.none() | st.floats(-1e6, 1e6),
    width=st.floats(0, 1e6),
    values=st.lists(st.floats(-2e6, 2e6), min_size=1, max_size=12),
    on=days,
    period=periods,
)
def test_a_range_is_on_track_exactly_while_its_latest_value_is_in_range(
    low, width, values, on, period
) -> None:
    from constellation.core.scoring import kr_status

    high = None if low is None else low + width
    healthy = HealthyRange(low=low, high=high) if low is not None else HealthyRange(high=width)
    check_ins = [
        CheckIn(on=date(2026, 1, 1) + timedelta(days=i), value=v) for i, v in enumerate(values)
    ]
    kr = KeyResult(id="r", title="Keep it in range", type="range", healthy=healthy,
                   check_ins=check_ins)  # fmt: skip
    expected = "on_track" if healthy.contains(values[-1]) else "off_track"
    assert kr_status(kr, period, on) == expected
