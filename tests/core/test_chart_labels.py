"""Chart axis labels: short, by unit, and never wider than the margin that holds them."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from hypothesis import given
from hypothesis import strategies as st

from constellation.core.charts import TICK_CHAR_WIDTH, Chart, Line, svg, tick_labels

SVG = "{http://www.w3.org/2000/svg}"


def _value_ticks(text: str) -> list[ElementTree.Element]:
    root = ElementTree.fromstring(text)
    return [t for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "end"][:-1]


def _money_chart(low: float, high: float, unit: str = "$") -> Chart:
    series = [(date(2026, 10, 1), low), (date(2026, 11, 1), (low + high) / 2)]
    return Chart("ARR", series, unit=unit, lines=[Line("target", value=high, kind="target")])


def test_large_money_ticks_are_short_and_inside_the_picture() -> None:
    ticks = _value_ticks(svg(_money_chart(4_200_000, 5_000_000)))
    labels = [t.text for t in ticks]
    assert labels[0] == "$4.2M" and labels[-1] == "$5M"
    assert not any(" $" in (label or "") for label in labels)
    for tick in ticks:
        assert float(tick.get("x") or 0) - len(tick.text or "") * TICK_CHAR_WIDTH >= 0


def test_ticks_get_the_decimals_that_write_them_exactly() -> None:
    labels = tick_labels([4_000_000, 4_250_000, 4_500_000, 4_750_000, 5_000_000], "$")
    assert labels == ["$4M", "$4.25M", "$4.5M", "$4.75M", "$5M"]
    labels = tick_labels([4_200_000, 4_225_000, 4_250_000, 4_275_000], "€")
    assert labels == ["€4.2M", "€4.225M", "€4.25M", "€4.275M"]
    assert tick_labels([0, 20_000, 40_000], "users") == ["0 users", "20,000 users", "40,000 users"]


@given(
    st.floats(min_value=-1e13, max_value=1e13, allow_nan=False),
    st.floats(min_value=1, max_value=1e13),
    st.sampled_from(["$", "€", "users", "%", "", "customers per month"]),
)
def test_every_value_label_fits_its_margin(low: float, spread: float, unit: str) -> None:
    ticks = _value_ticks(svg(_money_chart(low, low + spread, unit)))
    assert ticks
    for tick in ticks:
        assert float(tick.get("x") or 0) - len(tick.text or "") * TICK_CHAR_WIDTH >= 0, tick.text
