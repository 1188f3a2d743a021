"""A key result's chart drawn straight into a PDF with fpdf2's lines and text.

The same `charts.Chart` as the page's SVG (check-ins, target, expected pace, forecast, healthy
range) on the same round ticks. Drawn with PDF primitives rather than by handing fpdf2 the SVG:
parsing an SVG per key result made a large organisation's report many times slower.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from fpdf import FPDF

from constellation.core.charts import Chart, day_text, nice_ticks, number

SERIES = (36, 86, 179)
TARGET = (31, 122, 61)
REFERENCE = (91, 100, 114)
GRID = (217, 221, 227)
BAND = (227, 244, 232)
OUTSIDE = (180, 35, 24)
TICK_SIZE = 6
AXIS_WIDTH = 14  # mm left of the plot for the value ticks


@dataclass(frozen=True, slots=True)
class Plot:
    """Where values land on the page: the plot area (mm) and the days and values it shows."""

    left: float
    top: float
    width: float
    height: float
    start: date
    end: date
    low: float
    high: float

    def x(self, day: date) -> float:
        """The abscissa of a day."""
        span = (self.end - self.start).days or 1
        return self.left + (day - self.start).days / span * self.width

    def y(self, value: float) -> float:
        """The ordinate of a value (up is more)."""
        span = (self.high - self.low) or 1.0
        return self.top + self.height - (value - self.low) / span * self.height


def _plot(chart: Chart, x: float, y: float, width: float, height: float) -> tuple[Plot, list]:
    days = [day for day, _ in chart.series]
    values = [value for _, value in chart.series]
    for line in chart.lines:
        days += [day for day, _ in line.points]
        values += [v for _, v in line.points] + ([line.value] if line.value is not None else [])
    if chart.band is not None:
        values += [v for v in (chart.band.low, chart.band.high) if v is not None]
    start = chart.start or (min(days) if days else date.today())
    end = chart.end or (max(days) if days else start)
    ticks = nice_ticks(min(values or [0.0]), max(values or [1.0]))
    plot = Plot(
        x + AXIS_WIDTH, y + 2, width - AXIS_WIDTH - 2, height - 9, start, end, ticks[0], ticks[-1]
    )
    return plot, ticks


def _axes(pdf: FPDF, plot: Plot, ticks: list[float], chart: Chart, text: Callable) -> None:
    pdf.set_font("helvetica", size=TICK_SIZE)
    pdf.set_text_color(*REFERENCE)
    pdf.set_draw_color(*GRID)
    pdf.set_line_width(0.2)
    for tick in ticks:
        level = plot.y(tick)
        pdf.line(plot.left, level, plot.left + plot.width, level)
        label = text(number(tick, chart.unit))
        pdf.text(plot.left - 1.5 - pdf.get_string_width(label), level + 0.8, label)
    bottom = plot.top + plot.height + 3.5
    pdf.text(plot.left, bottom, day_text(plot.start))
    last = day_text(plot.end)
    pdf.text(plot.left + plot.width - pdf.get_string_width(last), bottom, last)
    pdf.set_text_color(0, 0, 0)


def _band(pdf: FPDF, plot: Plot, chart: Chart) -> None:
    if chart.band is None:
        return
    top = plot.y(chart.band.high) if chart.band.high is not None else plot.top
    bottom = plot.y(chart.band.low) if chart.band.low is not None else plot.top + plot.height
    top, bottom = max(top, plot.top), min(bottom, plot.top + plot.height)
    pdf.set_fill_color(*BAND)
    pdf.rect(plot.left, top, plot.width, max(bottom - top, 0), style="F")


def _lines(pdf: FPDF, plot: Plot, chart: Chart) -> None:
    for line in chart.lines:
        points = line.ends(plot.start, plot.end)
        if not points:
            continue
        colour = {"target": TARGET, "forecast": SERIES}.get(line.kind, REFERENCE)
        pdf.set_draw_color(*colour)
        pdf.set_line_width(0.35)
        if line.dashed:
            pdf.set_dash_pattern(dash=1.2, gap=0.9)
        pdf.polyline([(plot.x(day), plot.y(value)) for day, value in points])
        pdf.set_dash_pattern()


def _series(pdf: FPDF, plot: Plot, chart: Chart) -> None:
    points = [(plot.x(day), plot.y(value)) for day, value in chart.series]
    pdf.set_draw_color(*SERIES)
    pdf.set_line_width(0.5)
    if len(points) > 1:
        pdf.polyline(points)
    for (x, y), (_, value) in zip(points, chart.series, strict=True):
        outside = chart.band is not None and not chart.band.contains(value)
        pdf.set_fill_color(*(OUTSIDE if outside else SERIES))
        pdf.rect(x - 0.6, y - 0.6, 1.2, 1.2, style="F")


def draw_chart(
    pdf: FPDF, chart: Chart, x: float, y: float, width: float, text: Callable[[str], str]
) -> float:
    """Draw the chart with its top-left corner at (x, y), `width` mm wide; its height in mm.

    `text` makes a label showable in the document's font (units are free text)."""
    height = width * chart.height / chart.width
    plot, ticks = _plot(chart, x, y, width, height)
    _band(pdf, plot, chart)
    _axes(pdf, plot, ticks, chart, text)
    _lines(pdf, plot, chart)
    _series(pdf, plot, chart)
    pdf.set_draw_color(0, 0, 0)
    pdf.set_line_width(0.2)
    return height
