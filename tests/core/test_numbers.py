"""Numbers written by their unit: money with its symbol in front, short forms for large values."""

from __future__ import annotations

import math
import re

from hypothesis import given
from hypothesis import strategies as st

from constellation.core.numbers import COMPACT_FROM, COMPACT_UNTIL, currency_of, format_value

UNITS = ["", "$", "€", "£", "USD", "CHF", "%", "users", "days", "ms", " minutes", "NPS", "all"]


def test_money_is_written_with_its_symbol_in_front() -> None:
    assert format_value(4_848_624, "$") == "$4,848,624"
    assert format_value(4_848_624, "$", compact=True) == "$4.8M"
    assert format_value(1200, "€", compact=True) == "€1,200"
    assert format_value(350_000, "£", compact=True) == "£350K"
    assert format_value(1200.5, "€") == "€1,200.50"
    assert format_value(-4_848_624, "EUR", compact=True) == "-€4.8M"
    assert format_value(5_000_000, "USD", compact=True) == "$5M"


def test_other_units_follow_the_number() -> None:
    assert format_value(12_400, "users", compact=True) == "12,400 users"
    assert format_value(1_250_000, "users", compact=True) == "1.3M users"
    assert format_value(45, "%") == "45%"
    assert format_value(1, "days") == "1 day"
    assert format_value(2.5) == "2.5"
    assert format_value(None, "$") == "—"


def test_a_compact_value_rounds_up_into_the_next_word() -> None:
    assert format_value(999_999, "$", compact=True) == "$1M"
    assert format_value(999_999, "$") == "$999,999"


def test_only_capital_codes_and_symbols_are_money() -> None:
    assert currency_of("$") == "USD"
    assert currency_of("CHF") == "CHF"
    assert currency_of("all") is None
    assert currency_of("users") is None
    assert currency_of(None) is None


@given(
    st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-(10**20), 10**20)),
    st.sampled_from(UNITS),
    st.booleans(),
    st.integers(0, 3),
)
def test_formatting_never_raises(value: float, unit: str, compact: bool, digits: int) -> None:
    text = format_value(value, unit, compact=compact, digits=digits)
    assert text and isinstance(text, str)


_SHORT = re.compile(r"^(-?)[$€£]?([\d,]+(?:\.\d+)?)([KMBT]?)")
_SCALE = {"": 1.0, "K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


@given(
    st.floats(min_value=-1e14, max_value=1e14, allow_nan=False),
    st.sampled_from(["", "$", "€", "£", "users", "%"]),
    st.integers(1, 3),
)
def test_a_compact_value_reads_back_within_its_rounding(
    value: float, unit: str, digits: int
) -> None:
    text = format_value(value, unit, compact=True, digits=digits)
    found = _SHORT.match(text)
    assert found, text
    sign, figures, word = found.groups()
    read = float(figures.replace(",", "")) * _SCALE[word] * (-1 if sign else 1)
    if abs(value) < COMPACT_FROM:
        assert math.isclose(read, value, abs_tol=0.005 + 1e-9 * abs(value)), text
    else:
        # Rounded to `digits` decimals of its word (K, M...): at most half of that step away.
        step = 1000.0 ** math.floor(math.log10(abs(value)) / 3) / 10**digits
        assert abs(read - value) <= step / 2 * 1.0001 + 1e-6 * abs(value), text
    assert abs(value) < COMPACT_UNTIL
