"""SVG charts from the core: a series, a band, reference lines, and their text alternatives."""

from __future__ import annotations

from datetime import date
from xml.etree import ElementTree

from constellation.core.charts import (
    Band,
    Chart,
    Line,
    band_text,
    describe,
    nice_ticks,
    sparkline,
    svg,
    table_html,
)

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
