"""SVG charts from the core: a series, a band, reference lines, and their text alternatives."""

from __future__ import annotations

import math
from datetime import date
from xml.etree import ElementTree

from constellation.core.charts import (
    Band,
    Chart,
    Line,
    band_text,
    describe,
    key_result_chart,
    nice_ticks,
    sparkline,
    svg,
    table_html,
)
from constellation.core.model import CheckIn, HealthyRange, KeyResult
from constellation.core.scoring import forecast

SVG = "{http://www.w3.org/2000/svg}"
SERIES = [(date(2026, 10, 1), 2.0), (date(2026, 10, 15), 2.4), (date(2026, 11, 1), 3.1)]


def parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)


def test_a_chart_is_valid_svg_with_a_title_and_a_description_for_screen_readers() -> None:
    chart = Chart("Readings of churn", SERIES, unit="%", band=Band(None, 2.5))
    root = parse(svg(chart, "churn"))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "churn-title churn-desc"
    assert root.find(f"{SVG}title").text == "Readings of churn"
    desc = root.find(f"{SVG}desc").text
    assert desc == (
        "3 readings from 1 Oct 2026 (2%) to 1 Nov 2026 (3.1%). healthy range: up to 2.5%."
    )


def test_readings_outside_the_band_are_marked_and_the_band_is_drawn() -> None:
    root = parse(svg(Chart("c", SERIES, band=Band(None, 2.5))))
    dots = root.findall(f"{SVG}circle")
    assert [d.get("class") for d in dots] == [
        "chart-dot",
        "chart-dot",
        "chart-dot chart-dot-outside",
    ]
    assert root.find(f"{SVG}rect").get("class") == "chart-band"


def test_lines_are_drawn_as_levels_or_segments_and_described() -> None:
    pace = Line(
        "expected pace", points=((date(2026, 10, 1), 3.0), (date(2026, 12, 31), 1.5)), kind="pace"
    )
    chart = Chart("KR", SERIES, lines=[Line("target", value=1.5, kind="target"), pace])
    root = parse(svg(chart))
    lines = [p for p in root.iter(f"{SVG}polyline") if "chart-line" in p.get("class")]
    assert [p.get("class") for p in lines] == [
        "chart-line chart-line-target",
        "chart-line chart-line-pace",
    ]
    assert "target: 1.5" in describe(chart)
    assert "expected pace: from 3 on 1 Oct 2026 to 1.5 on 31 Dec 2026" in describe(chart)


def test_text_is_escaped_everywhere() -> None:
    chart = Chart('<script>"x"</script>', [(date(2026, 1, 1), 1.0)], unit="<b>")
    text = svg(chart) + table_html(chart) + sparkline([1.0], label="<i>")
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    parse(svg(chart))


def test_an_empty_chart_still_renders_and_says_so() -> None:
    chart = Chart("Nothing", [], band=Band(1, 2))
    parse(svg(chart))
    assert describe(chart).startswith("No readings yet")
    assert "No readings yet." in table_html(chart)


def test_the_table_fallback_lists_readings_newest_first_with_the_bands_verdict() -> None:
    html = table_html(Chart("Churn", SERIES, unit="%", band=Band(None, 2.5)))
    assert html.index("1 Nov 2026") < html.index("1 Oct 2026")
    assert "<td>3.1%</td><td>outside</td>" in html
    assert "<td>2%</td><td>inside</td>" in html


def test_a_sparkline_is_labelled_with_its_values() -> None:
    root = parse(sparkline([1.0, 2.5, 2.0], Band(1, 2), label="Recent"))
    assert root.get("aria-label") == "Recent: 1, 2.5, 2"
    assert root.find(f"{SVG}rect").get("class") == "sparkline-band"


def test_ticks_are_round_numbers_covering_the_range() -> None:
    assert nice_ticks(0, 10) == [0, 2.5, 5, 7.5, 10]
    ticks = nice_ticks(2.03, 3.1)
    assert ticks[0] <= 2.03 and ticks[-1] >= 3.1
    assert nice_ticks(5, 5)[0] <= 5


def test_a_band_in_words() -> None:
    assert band_text(Band(40, 60), "%") == "from 40% up to 60%"
    assert band_text(Band(None, None)) == "any value"


def activation(*readings: tuple[date, float], **extra: object) -> KeyResult:
    """A metric key result of 2026-Q4 from 34% to 50% with these check-ins."""
    values = {"baseline": 34.0, "target": 50.0, "unit": "%", **extra}
    check_ins = [CheckIn(day, value) for day, value in readings]
    return KeyResult(id="week1", title="Raise week-1 activation", check_ins=check_ins, **values)


def test_a_key_result_chart_draws_check_ins_target_pace_and_a_dashed_forecast() -> None:
    kr = activation((date(2026, 10, 20), 38.0), (date(2026, 11, 10), 41.0))
    chart = key_result_chart(kr, "2026-Q4", date(2026, 11, 15))
    assert chart is not None
    assert chart.series == [(date(2026, 10, 20), 38.0), (date(2026, 11, 10), 41.0)]
    assert (chart.start, chart.end) == (date(2026, 10, 1), date(2026, 12, 31))
    target, pace, trend = chart.lines
    assert (target.label, target.value) == ("target", 50.0)
    assert pace.points == ((date(2026, 10, 1), 34.0), (date(2026, 12, 31), 50.0))
    expected = forecast(kr, "2026-Q4", date(2026, 11, 15))
    assert expected is not None
    # The forecast starts at the last check-in, on the engine's line, and ends at its value.
    assert trend.points[0][0] == date(2026, 11, 10)
    assert trend.points[1] == (date(2026, 12, 31), expected.end_value)
    slope_between = (trend.points[1][1] - trend.points[0][1]) / 51
    assert math.isclose(slope_between, expected.slope_per_day)
    root = parse(svg(chart, "kr-1"))
    drawn = {p.get("class"): p for p in root.iter(f"{SVG}polyline")}
    assert drawn["chart-line chart-line-forecast"].get("stroke-dasharray") == "4 3"
    assert drawn["chart-line chart-line-pace"].get("stroke-dasharray") is None
    assert len(root.findall(f"{SVG}circle")) == 2
    desc = root.find(f"{SVG}desc").text
    assert "expected pace: from 34% on 1 Oct 2026 to 50% on 31 Dec 2026" in desc
    assert "forecast: from" in desc and "on 31 Dec 2026" in desc
    assert root.find(f"{SVG}title").text == "Check-ins of “Raise week-1 activation”"


def test_a_key_result_chart_without_baseline_paces_from_zero_and_needs_two_points_to_forecast() -> (
    None
):
    chart = key_result_chart(
        activation((date(2026, 11, 2), 12.0), baseline=None, target=40.0, unit=None),
        "2026-Q4",
        date(2026, 11, 15),
    )
    assert chart is not None
    assert [line.label for line in chart.lines] == ["target", "expected pace"]
    assert chart.lines[1].points[0] == (date(2026, 10, 1), 0.0)


def test_a_key_result_chart_leaves_out_check_ins_outside_the_period() -> None:
    kr = activation((date(2026, 9, 30), 30.0), (date(2026, 10, 5), 35.0), (date(2027, 1, 2), 60.0))
    chart = key_result_chart(kr, "2026-Q4", date(2026, 11, 15))
    assert chart is not None
    assert chart.series == [(date(2026, 10, 5), 35.0)]


def test_a_range_key_result_shows_its_healthy_range_and_a_milestone_has_no_chart() -> None:
    kr = activation(
        (date(2026, 10, 5), 2.0), type="range", healthy=HealthyRange(low=None, high=2.5)
    )
    chart = key_result_chart(kr, "2026-Q4", date(2026, 11, 15), small=True)
    assert chart is not None
    assert chart.band == Band(None, 2.5, "healthy range")
    assert chart.lines == []
    assert (chart.width, chart.height) == (360, 160)
    milestone = KeyResult(id="wizard", title="Ship the wizard", type="milestone")
    assert key_result_chart(milestone, "2026-Q4", date(2026, 11, 15)) is None


def test_a_forecast_past_the_period_is_not_drawn() -> None:
    kr = activation((date(2026, 10, 20), 38.0), (date(2026, 12, 31), 49.0))
    chart = key_result_chart(kr, "2026-Q4", date(2027, 1, 10))
    assert chart is not None
    assert [line.label for line in chart.lines] == ["target", "expected pace"]


def test_a_unit_word_agrees_with_its_number_and_symbols_stay() -> None:
    from constellation.core.charts import number
    from constellation.core.numbers import unit_for

    assert number(1, "days") == "1 day"
    assert number(2, "days") == "2 days"
    assert number(1.5, "days") == "1.5 days"
    assert number(1, "ms") == "1 ms"
    assert number(1, "%") == "1%"
    assert unit_for(1, "trials") == "trial"
    assert unit_for(-1, "hours") == "hour"
    assert unit_for(1, "NPS") == "NPS"
    assert unit_for(1, "status") == "status"
