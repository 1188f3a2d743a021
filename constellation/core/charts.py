"""Charts as SVG text, drawn on the server: a series over time, a band and reference lines.

Pure Python (no Django): the KPI page draws readings inside the healthy band with it, and a
key result's chart can draw check-ins with the target and the expected pace line. Every
chart carries a `<title>` and a `<desc>` for screen readers, and `table_html` gives the same
numbers as a table for anyone who cannot see the picture.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from constellation.core.model import KeyResult
from constellation.core.numbers import exact_digits, format_value
from constellation.core.periods import Period
from constellation.core.scoring.forecast import Forecast, forecast
from constellation.core.scoring.status import as_period

Point = tuple[date, float]


@dataclass(frozen=True, slots=True)
class Band:
    """A range drawn as a shaded strip (a healthy range); either end may be open."""

    low: float | None = None
    high: float | None = None
    label: str = "healthy range"

    def contains(self, value: float) -> bool:
        """Whether `value` is inside the band (ends included)."""
        if self.low is not None and value < self.low:
            return False
        return not (self.high is not None and value > self.high)


@dataclass(frozen=True, slots=True)
class Line:
    """A reference line: a level across the chart (`value`) or a segment through `points`."""

    label: str
    value: float | None = None
    points: tuple[Point, ...] = ()
    kind: str = "reference"  # a CSS hook: target, pace, forecast...
    # Drawn dashed by the SVG itself (not only by a stylesheet): a forecast is not a fact.
    dashed: bool = False

    def ends(self, start: date, end: date) -> tuple[Point, ...]:
        """The points to draw between the chart's first and last day."""
        if self.points:
            return self.points
        if self.value is None:
            return ()
        return ((start, self.value), (end, self.value))


@dataclass(slots=True)
class Chart:
    """A series of (date, value) with an optional band and reference lines."""

    title: str
    series: Sequence[Point]
    unit: str | None = None
    band: Band | None = None
    lines: Sequence[Line] = field(default_factory=tuple)
    description: str = ""
    start: date | None = None  # the x axis's first day; the series' first by default
    end: date | None = None
    width: int = 640
    height: int = 240
    series_label: str = "value"


@dataclass(frozen=True, slots=True)
class _Frame:
    """Where data lands in the picture: the plot area and the domain it shows."""

    left: float
    top: float
    right: float
    bottom: float
    start: date
    end: date
    low: float
    high: float

    def x(self, day: date) -> float:
        span = (self.end - self.start).days or 1
        return self.left + (day - self.start).days / span * (self.right - self.left)

    def y(self, value: float) -> float:
        span = (self.high - self.low) or 1.0
        return self.bottom - (value - self.low) / span * (self.bottom - self.top)


def number(value: float | None, unit: str | None = None, *, compact: bool = False) -> str:
    """A number for people (`1,234`, `2.5`, `$4.8M`) by its unit; an em dash when there is none."""
    return format_value(value, unit, compact=compact)


def day_text(day: date) -> str:
    """A date for people: `2 Nov 2026` (the same on every platform, unlike `%-d`)."""
    return f"{day.day} {day:%b %Y}"


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round values (1, 2 or 5 times a power of ten apart) covering low..high."""
    if not (math.isfinite(low) and math.isfinite(high)):
        return [0.0]
    if high <= low:
        high = low + (abs(low) or 1.0)
    raw = (high - low) / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.floor(low / step) * step
    ticks, value = [], first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    if ticks[-1] < high:
        ticks.append(round(value, 10))
    return ticks


def _domain(chart: Chart) -> tuple[date, date, float, float]:
    """The days and values the chart must show: series, band ends and lines together."""
    days = [day for day, _ in chart.series]
    values = [value for _, value in chart.series]
    for line in chart.lines:
        days += [day for day, _ in line.points]
        values += [v for _, v in line.points] + ([line.value] if line.value is not None else [])
    if chart.band is not None:
        values += [v for v in (chart.band.low, chart.band.high) if v is not None]
    start = chart.start or (min(days) if days else date.today())
    end = chart.end or (max(days) if days else start)
    if not values:
        values = [0.0, 1.0]
    low, high = min(values), max(values)
    if math.isfinite(low) and math.isfinite(high) and high - low <= _flat(low, high):
        # One value (a healthy range open at one end with no reading, a flat series): a
        # little either side of it, at its own scale, not an axis from 75 to 200 around 99.5.
        middle = low / 2 + high / 2
        pad = abs(middle) * RELATIVE_PAD or 1.0
        low, high = min(low, middle - pad), max(high, middle + pad)
    return start, end, low, high


def _flat(low: float, high: float) -> float:
    """How small a spread of values is no spread at all (the ticks could not divide it)."""
    return max(abs(low), abs(high), 1.0) * 1e-12


# Either side of a single value, as a share of it: the axis stays at the value's scale.
RELATIVE_PAD = 0.005


# The ticks' font size in the SVG's own units, and a width per character that errs wide
# (a digit of a sans-serif face is about 0.55 em): the left margin is sized from them.
TICK_FONT_SIZE = 11
TICK_CHAR_WIDTH = 0.62 * TICK_FONT_SIZE
TICK_GAP = 6.0


def tick_labels(ticks: Sequence[float], unit: str | None) -> list[str]:
    """The axis labels: short (`$4.25M`), with the decimals that write each tick exactly."""
    digits = exact_digits(ticks)
    labels = [format_value(tick, unit, compact=True, digits=digits) for tick in ticks]
    while len(set(labels)) < len(labels) and digits < 3:
        digits += 1
        labels = [format_value(tick, unit, compact=True, digits=digits) for tick in ticks]
    return labels


def label_margin(labels: Sequence[str]) -> float:
    """The left margin that holds the longest label, with a gap on either side."""
    longest = max((len(label) for label in labels), default=1)
    return max(40.0, round(longest * TICK_CHAR_WIDTH + 2 * TICK_GAP))


def _frame(chart: Chart, ticks: list[float], start: date, end: date, left: float = 56.0) -> _Frame:
    return _Frame(
        left=left,
        top=12.0,
        right=chart.width - 16.0,
        bottom=chart.height - 32.0,
        start=start,
        end=end if end > start else start.fromordinal(start.toordinal() + 1),
        low=ticks[0],
        high=ticks[-1],
    )


def describe(chart: Chart) -> str:
    """A sentence saying what the chart shows, for `<desc>` and the table's caption."""
    if chart.description:
        return chart.description
    parts = []
    if chart.series:
        (first_day, first), (last_day, last) = chart.series[0], chart.series[-1]
        parts.append(
            f"{len(chart.series)} readings from {day_text(first_day)} ({number(first, chart.unit)})"
            f" to {day_text(last_day)} ({number(last, chart.unit)})"
        )
    else:
        parts.append("No readings yet")
    if chart.band is not None:
        parts.append(f"{chart.band.label}: {band_text(chart.band, chart.unit)}")
    for line in chart.lines:
        if line.value is not None:
            parts.append(f"{line.label}: {number(line.value, chart.unit)}")
        elif line.points:
            (a_day, a), (b_day, b) = line.points[0], line.points[-1]
            parts.append(
                f"{line.label}: from {number(a, chart.unit)} on {day_text(a_day)} "
                f"to {number(b, chart.unit)} on {day_text(b_day)}"
            )
    return ". ".join(parts) + "."


def band_text(band: Band, unit: str | None = None) -> str:
    """A band in words: `from 40 up to 60`, `up to 2.5%`, `from 40`."""
    pieces = []
    if band.low is not None:
        pieces.append(f"from {number(band.low, unit)}")
    if band.high is not None:
        pieces.append(f"up to {number(band.high, unit)}")
    return " ".join(pieces) or "any value"


def _axes(frame: _Frame, ticks: list[float], labels: list[str]) -> list[str]:
    out = [f'<g class="chart-axes" aria-hidden="true" font-size="{TICK_FONT_SIZE}">']
    for tick, label in zip(ticks, labels, strict=True):
        y = frame.y(tick)
        out.append(
            f'<line class="chart-grid" x1="{frame.left:.1f}" y1="{y:.1f}" '
            f'x2="{frame.right:.1f}" y2="{y:.1f}"/>'
            f'<text class="chart-tick" x="{frame.left - TICK_GAP:.1f}" y="{y + 4:.1f}" '
            f'text-anchor="end">{escape(label)}</text>'
        )
    for day, anchor in ((frame.start, "start"), (frame.end, "end")):
        out.append(
            f'<text class="chart-tick" x="{frame.x(day):.1f}" y="{frame.bottom + 18:.1f}" '
            f'text-anchor="{anchor}">{day_text(day)}</text>'
        )
    out.append("</g>")
    return out


def _band(frame: _Frame, band: Band) -> str:
    top = frame.y(band.high) if band.high is not None else frame.top
    bottom = frame.y(band.low) if band.low is not None else frame.bottom
    top, bottom = max(top, frame.top), min(bottom, frame.bottom)
    return (
        f'<rect class="chart-band" x="{frame.left:.1f}" y="{top:.1f}" '
        f'width="{frame.right - frame.left:.1f}" height="{max(bottom - top, 0):.1f}">'
        f"<title>{escape(band.label)}</title></rect>"
    )


def _polyline(
    frame: _Frame, points: Sequence[Point], css: str, label: str, dashed: bool = False
) -> str:
    coords = " ".join(f"{frame.x(day):.1f},{frame.y(value):.1f}" for day, value in points)
    dash = ' stroke-dasharray="4 3"' if dashed else ""
    return (
        f'<polyline class="{escape(css)}" fill="none"{dash} points="{coords}">'
        f"<title>{escape(label)}</title></polyline>"
    )


def _dots(frame: _Frame, chart: Chart) -> list[str]:
    out = []
    for day, value in chart.series:
        outside = chart.band is not None and not chart.band.contains(value)
        css = "chart-dot chart-dot-outside" if outside else "chart-dot"
        out.append(
            f'<circle class="{css}" cx="{frame.x(day):.1f}" cy="{frame.y(value):.1f}" r="3">'
            f"<title>{day_text(day)}: {escape(number(value, chart.unit))}</title></circle>"
        )
    return out


def svg(chart: Chart, chart_id: str = "chart") -> str:
    """The chart as an accessible SVG element (`role="img"`, `<title>`, `<desc>`)."""
    start, end, low, high = _domain(chart)
    ticks = nice_ticks(low, high)
    labels = tick_labels(ticks, chart.unit)
    frame = _frame(chart, ticks, start, end, label_margin(labels))
    ident = escape(chart_id)
    out = [
        f'<svg class="chart" id="{ident}" role="img" viewBox="0 0 {chart.width} {chart.height}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" '
        f'aria-labelledby="{ident}-title {ident}-desc" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(describe(chart))}</desc>',
    ]
    if chart.band is not None:
        out.append(_band(frame, chart.band))
    out += _axes(frame, ticks, labels)
    for line in chart.lines:
        points = line.ends(frame.start, frame.end)
        if points:
            css = f"chart-line chart-line-{line.kind}"
            out.append(_polyline(frame, points, css, line.label, line.dashed))
    if len(chart.series) > 1:
        out.append(_polyline(frame, chart.series, "chart-series", chart.series_label))
    out += _dots(frame, chart)
    out.append("</svg>")
    return "".join(out)


def sparkline(
    values: Sequence[float],
    band: Band | None = None,
    *,
    label: str = "Recent values",
    width: int = 120,
    height: int = 28,
) -> str:
    """A small line of recent values (oldest first) with the band behind it; labelled."""
    title = f"{label}: " + (", ".join(number(v) for v in values) if values else "none yet")
    head = (
        f'<svg class="sparkline" role="img" aria-label="{escape(title)}" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{escape(title)}</title>"
    )
    if not values:
        return head + "</svg>"
    bounds = [*values, *[v for v in ((band.low, band.high) if band else ()) if v is not None]]
    low, high = min(bounds), max(bounds)
    span = (high - low) or 1.0

    def y(value: float) -> float:
        return 2 + (high - value) / span * (height - 4)

    step = (width - 4) / max(len(values) - 1, 1)
    parts = [head]
    if band is not None and (band.low is not None or band.high is not None):
        top = y(band.high) if band.high is not None else 0.0
        bottom = y(band.low) if band.low is not None else float(height)
        parts.append(
            f'<rect class="sparkline-band" x="0" y="{top:.1f}" width="{width}" '
            f'height="{max(bottom - top, 0):.1f}"/>'
        )
    coords = " ".join(f"{2 + i * step:.1f},{y(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline class="sparkline-line" fill="none" points="{coords}"/>')
    last_x, last_y = 2 + (len(values) - 1) * step, y(values[-1])
    parts.append(f'<circle class="sparkline-last" cx="{last_x:.1f}" cy="{last_y:.1f}" r="2"/>')
    return "".join(parts) + "</svg>"


def table_html(chart: Chart, *, newest_first: bool = True, limit: int | None = None) -> str:
    """The chart's readings as an HTML table (the text fallback), with the band's verdict."""
    rows = list(reversed(chart.series)) if newest_first else list(chart.series)
    if limit is not None:
        rows = rows[:limit]
    head = (
        f"<th scope='col'>Date</th><th scope='col'>{escape(chart.series_label.capitalize())}</th>"
    )
    if chart.band is not None:
        head += f"<th scope='col'>{escape(chart.band.label.capitalize())}</th>"
    body = []
    for day, value in rows:
        cells = (
            f"<td><time datetime='{day.isoformat()}'>{day_text(day)}</time></td>"
            f"<td>{escape(number(value, chart.unit))}</td>"
        )
        if chart.band is not None:
            cells += f"<td>{'inside' if chart.band.contains(value) else 'outside'}</td>"
        body.append(f"<tr>{cells}</tr>")
    if not body:
        columns = 3 if chart.band is not None else 2
        body.append(f"<tr><td colspan='{columns}'>No readings yet.</td></tr>")
    return (
        f"<table class='chart-table'><caption>{escape(chart.title)}</caption>"
        f"<thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"
    )


SMALL_WIDTH, SMALL_HEIGHT = 360, 160


def _readings(kr: KeyResult, span: Period) -> list[Point]:
    """The check-ins with a value inside the period, oldest first (one line, left to right)."""
    points = [
        (check_in.on, float(check_in.value))
        for check_in in kr.check_ins
        if check_in.value is not None
        and math.isfinite(check_in.value)
        and span.start <= check_in.on <= span.end
    ]
    return sorted(points, key=lambda point: point[0])


def _forecast_line(trend: Forecast, readings: list[Point], span: Period, on: date) -> Line | None:
    """The trend from the last reading known on `on` (else `on`) to the period's last day."""
    known = [day for day, _ in readings if day <= on]
    start = max(known) if known else min(max(on, span.start), span.end)
    if start >= span.end:
        return None
    at_start = trend.end_value - trend.slope_per_day * (span.end - start).days
    return Line(
        "forecast",
        points=((start, at_start), (span.end, trend.end_value)),
        kind="forecast",
        dashed=True,
    )


def key_result_chart(
    kr: KeyResult, period: Period | str, on: date, *, small: bool = False
) -> Chart | None:
    """A key result over its period: check-ins, target, expected pace and the engine's forecast.

    The pace runs from the baseline (0 when there is none, as progress counts it) on the first
    day to the target on the last; the forecast is `scoring.forecast` made on `on`, drawn
    dashed to the period's end. A range key result shows its healthy range instead. None for
    a milestone: it has no values to draw.
    """
    if kr.type == "milestone":
        return None
    span = as_period(period)
    readings = _readings(kr, span)
    lines: list[Line] = []
    band = None
    if kr.type == "range":
        if kr.healthy is not None:
            band = Band(kr.healthy.low, kr.healthy.high, "healthy range")
    elif kr.target is not None and math.isfinite(kr.target):
        start = kr.baseline if kr.baseline is not None and math.isfinite(kr.baseline) else 0.0
        lines.append(Line("target", value=float(kr.target), kind="target"))
        lines.append(
            Line(
                "expected pace",
                points=((span.start, float(start)), (span.end, float(kr.target))),
                kind="pace",
            )
        )
    trend = forecast(kr, span, on)
    trend_line = _forecast_line(trend, readings, span, on) if trend is not None else None
    if trend_line is not None:
        lines.append(trend_line)
    chart = Chart(
        title=f"Check-ins of “{kr.title}”",
        series=readings,
        unit=kr.unit,
        band=band,
        lines=lines,
        start=span.start,
        end=span.end,
        series_label="check-in",
    )
    if small:
        chart.width, chart.height = SMALL_WIDTH, SMALL_HEIGHT
    return chart
