"""The language reader: outcome or output, measurable, maintain, focus, changes and copies."""

from __future__ import annotations

import csv
import time
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from constellation.core.language import (
    COPY_THRESHOLD,
    Change,
    parse_change,
    read,
    read_objective,
    similarity,
)

DATA = Path(__file__).parent / "data"


def _accuracy(path: Path) -> dict[str, float]:
    """Share of labelled rows each field of the reading gets right."""
    hits = dict.fromkeys(("nature", "measurable", "maintain", "focus"), 0)
    rows = labelled = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            got = read(row["text"])
            rows += 1
            hits["nature"] += got.nature == row["kind"]
            hits["measurable"] += got.measurable == (row["measurable"] == "yes")
            hits["maintain"] += got.maintain == (row["maintain"] == "yes")
            if row["focus"] != "-":
                labelled += 1
                hits["focus"] += got.focus == row["focus"]
    assert rows >= 60 and labelled >= 20
    return {key: hits[key] / (labelled if key == "focus" else rows) for key in hits}


@pytest.mark.parametrize("name", ["key_results.tsv", "held_out_statements.tsv"])
def test_it_reads_labelled_statements_above_the_required_accuracy(name: str) -> None:
    figures = _accuracy(DATA / name)
    assert figures["nature"] >= 0.95
    assert figures["measurable"] >= 0.95
    assert figures["maintain"] >= 0.95
    assert figures["focus"] >= 0.85


def test_it_reads_a_metric_change_as_a_measurable_outcome() -> None:
    reading = read("Raise the share of clinics that book online from 20% to 45%")
    got = (reading.nature, reading.measurable, reading.maintain, reading.focus)
    assert got == ("outcome", True, False, "customer")
    assert reading.reason


def test_it_reads_a_leading_deliverable_verb_as_an_output() -> None:
    for text in (
        "Launch the partner portal",
        "Overhaul the intake form",
        "Migrate CRM to Salesforce",
    ):
        reading = read(text)
        assert reading.nature == "output", text
        assert reading.reason.endswith(("is work to do", "is a deliverable")), reading


def test_it_reads_counts_of_work_done_as_measurable_outputs() -> None:
    for text in ("Write 8 case studies", "Host 12 webinars", "Train two hundred volunteers"):
        reading = read(text)
        assert (reading.nature, reading.measurable) == ("output", True), text


def test_it_reads_results_observed_as_outcomes_even_with_an_ambiguous_verb() -> None:
    assert read("Add 500 paying customers").nature == "outcome"
    assert read("Add 10 new templates to the gallery").nature == "output"
    assert read("Sign 20 new enterprise contracts").nature == "outcome"


def test_it_lets_a_measured_change_dominate_a_compound_statement() -> None:
    reading = read("Ship the referral programme and grow sign-ups by 30%")
    assert (reading.nature, reading.measurable) == ("outcome", True)


def test_it_reads_a_held_level_as_maintain() -> None:
    for text in (
        "Keep first-response time under 2 hours",
        "Maintain gross margin at or above 42%",
        "Hold churn below 1.5% a month",
        "Uptime stays above 99.9%",
    ):
        reading = read(text)
        assert (reading.nature, reading.maintain, reading.measurable) == ("outcome", True, True)


def test_it_does_not_read_a_change_or_an_event_as_maintain() -> None:
    assert read("Keep growing NPS from 30 to 45").maintain is False
    assert read("Hold 4 town hall meetings").nature == "output"
    assert read("Hold 4 town hall meetings").maintain is False


def test_it_reads_vague_outcomes_as_not_measurable() -> None:
    for text in (
        "Improve customer satisfaction",
        "Make checkout effortless",
        "Grow the SMB segment",
    ):
        reading = read(text)
        assert (reading.nature, reading.measurable) == ("outcome", False), text


def test_it_counts_multiplying_words_as_measurable() -> None:
    assert read("Double weekly active teams").measurable is True
    assert read("Halve the time to onboard a clinic").measurable is True


def test_it_does_not_count_versions_names_and_dates_as_numbers() -> None:
    for text in (
        "Upgrade to Python 3.13",
        "Pass the ISO 27001 audit",
        "Ship version 2 of the app",
        "Implement two-factor authentication",
        "Launch the app by March 2026",
    ):
        assert read(text).measurable is False, text


def test_it_infers_customer_and_business_focus_from_the_subject() -> None:
    assert read("Cut the wait for a GP appointment from 9 days to 3").focus == "customer"
    assert read("Lift gross margin from 30% to 34%").focus == "business"
    assert read("Hold customer acquisition cost under $300").focus == "business"


def test_it_says_whom_an_output_is_for_and_the_coach_counts_only_outcomes() -> None:
    assert read("Build a revenue dashboard").focus == "business"
    assert read("Launch the customer help portal").focus == "customer"
    assert read("Build a revenue dashboard").nature == "output"


def test_it_reads_statements_that_start_with_their_subject() -> None:
    assert read("95% of patients are seen within 4 hours").nature == "outcome"
    assert read("New intranet launched").nature == "output"
    assert read("Operating margin stays above 10%").maintain is True
    assert read("Fewer than 2% of orders arrive damaged, down from 6%").maintain is False


def test_it_steps_over_bullets_and_labels() -> None:
    assert read("- KR1: Launch the new website").nature == "output"
    assert read("2) Increase NPS from 20 to 35").nature == "outcome"


def test_it_caches_readings_of_the_same_text() -> None:
    assert read("Grow ARR from $1M to $2M") is read("Grow ARR from $1M to $2M")


def test_it_tolerates_empty_and_odd_text() -> None:
    for text in ("", "   ", "!!!", "42", "%%%"):
        reading = read(text)
        assert reading.nature in ("outcome", "output")


def test_it_tells_a_deliverable_objective_from_an_outcome_objective() -> None:
    assert read_objective("Release the new library app") is True
    assert read_objective("Launch app X") is True
    assert read_objective("More residents read with us every month") is False
    assert read_objective("New teams get to value in their first week") is False
    assert read_objective("Borrowing an e-book takes a few taps") is False
    assert read_objective("Be the analytics tool that is never down") is False


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Increase activation from 34% to 50%", Change(34.0, 50.0, "%")),
        ("Grow MRR from $800k to $1.1M", Change(800_000.0, 1_100_000.0, "$")),
        ("Cut the median time from 4 minutes to 1 minute", Change(4.0, 1.0, "min")),
        ("Increase bookings from enterprise accounts to $6M", Change(None, 6_000_000.0, "$")),
        ("Grow active library cards from 21,000 to 26,000", Change(21_000.0, 26_000.0, None)),
        ("Reduce refund waits from 10 days to 3", Change(10.0, 3.0, "days")),
        ("Lower p90 load time from 6 s to 2 s", Change(6.0, 2.0, "s")),
        ("Grow revenue from €1.2 to €1.5M", Change(1_200_000.0, 1_500_000.0, "€")),
        ("Cut paid-search cost per acquisition by 25%", Change(None, None, "%", by=25.0)),
        ("Cut hosting costs by half", Change(None, None, "%", by=50.0)),
        ("Keep error rate below 0.1% of requests", Change(None, 0.1, "%")),
        ("Get 70% of pilot hospitals to use the tool daily", Change(None, 70.0, "%")),
        ("Raise NPS from two to five", Change(2.0, 5.0, None)),
        ("Fewer than 2% of orders arrive damaged, down from 6%", Change(6.0, 2.0, "%")),
    ],
)
def test_it_reads_baseline_target_and_unit_from_a_sentence(text: str, expected: Change) -> None:
    got = parse_change(text)
    assert got is not None
    assert got.unit == expected.unit
    assert got.by == pytest.approx(expected.by)
    assert got.baseline == pytest.approx(expected.baseline)
    assert got.target == pytest.approx(expected.target)


def test_it_finds_no_change_where_no_number_is_written() -> None:
    assert parse_change("Launch the new website") is None
    assert parse_change("Upgrade to Python 3.13") is None


def test_it_scores_the_same_words_as_identical() -> None:
    text = "Increase monthly e-book borrowers from 3,100 to 5,000"
    assert similarity(text, text) == 1.0


@pytest.mark.parametrize(
    "copy",
    [
        "increase monthly e-book borrowers from 3100 to 5000.",
        "Increase the monthly e-book borrowers from 3,100 to 5,000",
        "Increase monthly ebook borrowers from 3,100 to 5,000",
        "Grow monthly e-book borrowers from 3,100 to 5,000",
    ],
)
def test_it_scores_nearly_the_same_words_at_or_above_the_copy_threshold(copy: str) -> None:
    original = "Increase monthly e-book borrowers from 3,100 to 5,000"
    assert similarity(original, copy) >= COPY_THRESHOLD >= 0.85


def test_it_scores_different_statements_on_one_subject_well_below_the_threshold() -> None:
    score = similarity(
        "Increase monthly e-book borrowers from 3,100 to 5,000",
        "Cut the median time from search to borrowed e-book from 4 minutes to 1 minute",
    )
    assert score < 0.5


def test_it_reads_money_written_two_ways_as_the_same_number() -> None:
    assert similarity("Grow MRR from $800k to $1.1M", "Grow MRR from $800,000 to $1,100,000") == 1.0


def test_it_is_symmetric_and_bounded() -> None:
    a, b = "Launch the partner portal", "Grow partner-sourced deals from 10 to 25"
    assert similarity(a, b) == similarity(b, a)
    assert 0.0 <= similarity(a, b) <= 1.0
    assert similarity("", "") == 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=120))
def test_it_reads_any_text_without_failing(text: str) -> None:
    reading = read(text)
    assert reading.nature in ("outcome", "output")
    assert reading.focus in ("customer", "business", None)
    change = parse_change(text)
    assert change is None or isinstance(change, Change)
    assert 0.0 <= similarity(text, "Increase weekly active users from 10 to 20") <= 1.0


def test_it_reads_a_long_line_of_names_and_dates_in_linear_time() -> None:
    text = "Upgrade Python 3.13 by May 2026 " * 3000
    start = time.perf_counter()
    read(text)
    parse_change(text)
    # Backtracking on such a line would take minutes; linear reading takes milliseconds, so
    # the bound is loose enough for a busy machine and still catches a quadratic pattern.
    assert time.perf_counter() - start < 5.0
