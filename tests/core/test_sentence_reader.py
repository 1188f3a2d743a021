"""Reading a key-result sentence into baseline, target and unit for the key-result form."""

from __future__ import annotations

import pytest

from constellation.core.language.measure import INDEX_UNIT, read_measure


@pytest.mark.parametrize(
    ("sentence", "baseline", "target", "unit"),
    [
        ("Raise activation from 34% to 50%", 34, 50, "%"),
        ("Cut p95 latency from 900 ms to 300 ms", 900, 300, "ms"),
        ("Grow ARR from $1.2M to $2M", 1_200_000, 2_000_000, "$"),
        ("Grow MRR by 20%", 100, 120, INDEX_UNIT),
        ("Reduce support tickets by 30%", 100, 70, INDEX_UNIT),
        ("Cut churn by half", 100, 50, INDEX_UNIT),
        ("Double weekly signups", 100, 200, INDEX_UNIT),
        ("Reduce churn by 2pp", 0, -2, "pp change"),
    ],
)
def test_it_reads_both_ends_and_the_unit(
    sentence: str, baseline: float, target: float, unit: str
) -> None:
    measure = read_measure(sentence)
    assert measure is not None
    assert (measure.baseline, measure.target, measure.unit) == (baseline, target, unit)
    assert measure.note


def test_a_typed_baseline_turns_a_relative_change_into_a_target() -> None:
    measure = read_measure("Grow MRR by 20%", baseline=40_000)
    assert measure is not None
    assert (measure.baseline, measure.target, measure.unit) == (40_000, 48_000, None)
    falling = read_measure("Cut churn by 2pp", baseline=5)
    assert falling is not None
    assert (falling.baseline, falling.target) == (5, 3)


def test_a_target_alone_keeps_the_typed_baseline() -> None:
    measure = read_measure("Reach 1,000 paying teams", baseline=400)
    assert measure is not None
    assert (measure.baseline, measure.target, measure.unit) == (400, 1000, None)
    alone = read_measure("Reach 1,000 paying teams")
    assert alone is not None
    assert alone.baseline is None
    assert "one end" in alone.note


@pytest.mark.parametrize("sentence", ["Launch the new website", "Upgrade to Python 3.13", ""])
def test_a_sentence_without_numbers_reads_as_nothing(sentence: str) -> None:
    assert read_measure(sentence) is None
