"""The review report as a PDF, drawn in pure Python with fpdf2: text, tables and the key
results' charts (the same charts the page shows as SVG).

The PDF uses the core Helvetica font, which every reader has and which needs no font file:
it shows Windows-1252 text (accents, “quotes”, dashes, €). Other characters are written as
their closest letter when one exists (ő → o) and as `?` otherwise (emoji), so no title can
make the download fail.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable

from fpdf import FPDF
from fpdf.fonts import CoreFont

from constellation.core.charts import day_text
from constellation.server.quarterly.report import (
    ObjectiveLine,
    Report,
    TeamSection,
    expected_text,
    final_text,
    grade_line,
    grade_text,
    observed_text,
    percent_text,
    range_text,
)
from constellation.server.quarterly.report_pdf_chart import draw_chart

ENCODING = "cp1252"
FONT = "helvetica"
CHART_WIDTH = 90  # mm: two charts side by side on an A4 page
PADDING = 1.2  # mm around a table cell's text
LINE = 4.2  # mm between the lines of a table cell
# Signs the report itself writes, in the nearest words the core font has.
SUBSTITUTES = {"→": "->", "←": "<-", "≤": "<=", "≥": ">=", "−": "-", "✓": "v", "✗": "x"}


def safe(text: object) -> str:
    """Text the core font can show: unknown characters become their base letter, else `?`."""
    text = str(text)
    try:
        text.encode(ENCODING)
    except UnicodeEncodeError:
        pass
    else:
        return text  # nearly always: a character at a time only when one needs replacing
    out = []
    for char in text:
        try:
            char.encode(ENCODING)
        except UnicodeEncodeError:
            if char in SUBSTITUTES:
                out.append(SUBSTITUTES[char])
                continue
            base = unicodedata.normalize("NFKD", char).encode(ENCODING, "ignore").decode(ENCODING)
            out.append(base.strip() or "?")
        else:
            out.append(char)
    return "".join(out)


def _measure(pdf: FPDF) -> Callable[[str], float]:
    """The width (mm) of safe text in the current core font, from the font's own metrics."""
    font = pdf.current_font
    if not isinstance(font, CoreFont):
        raise TypeError("text is measured in a core font: set one first")
    widths, scale = font.cw, pdf.font_size_pt * 0.001 / pdf.k

    def measure(text: str) -> float:
        # The core fonts' metrics are keyed by the Windows-1252 byte, as fpdf2 writes it.
        return sum(widths[char] for char in text.encode(ENCODING).decode("latin-1")) * scale

    return measure


def _split_word(word: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """A word wider than the column, cut into pieces that fit (the last may be short)."""
    pieces: list[str] = []
    while len(word) > 1 and measure(word) > width:
        cut = 1
        while cut < len(word) - 1 and measure(word[: cut + 1]) <= width:
            cut += 1
        pieces.append(word[:cut])
        word = word[cut:]
    return [*pieces, word]


def wrap(pdf: FPDF, text: str, width: float) -> list[str]:
    """Lines of `text` (already safe) no wider than `width` in the current font, greedily.

    fpdf2's `multi_cell` does the same at many times the cost, and a long report is made of
    thousands of short cells."""
    measure = _measure(pdf)
    space = measure(" ")
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line, used = "", 0.0
        for word in paragraph.split(" "):
            size = measure(word)
            if line and used + space + size <= width:
                line, used = f"{line} {word}", used + space + size
                continue
            if line:
                lines.append(line)
            *full, word = _split_word(word, width, measure) if size > width else [word]
            lines += full
            line, used = word, measure(word)
        lines.append(line)
    return lines


class ReportPdf(FPDF):
    """An A4 document with the report's name and the page number at the foot of each page."""

    def __init__(self, report: Report) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        self.core_fonts_encoding = ENCODING
        self.report = report
        self.set_auto_page_break(auto=True, margin=18)
        self.set_title(safe(report.title))
        self.set_creator("Constellation")
        self._head: list[str] = []  # the heading row of the table being drawn

    def footer(self) -> None:
        """`Acme · Quarterly review of Growth · 2026-Q4 · page 2 of 5`."""
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110, 110, 110)
        text = f"{self.report.organization} · {self.report.title} · page {self.page_no()} of {{nb}}"
        self.cell(0, 6, safe(text), align="C")
        self.set_text_color(0, 0, 0)

    def room(self, height: float) -> None:
        """Start a new page unless `height` mm still fit on this one."""
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()

    def heading(self, text: str, size: int) -> None:
        """A bold heading, kept with at least a few lines of what follows it."""
        self.room(30)
        self.ln(1.5)
        self.paragraph(text, style="B", size=size)
        self.ln(1.5)

    def paragraph(self, text: str, *, style: str = "", size: int = 10) -> None:
        """Wrapped text across the page."""
        self.set_font(FONT, style=style, size=size)
        height = size * 0.5
        for line in wrap(self, safe(text), self.epw):
            self.room(height)
            self.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=10)

    def _row(self, values: list[str], widths: tuple[int, ...], head: bool) -> None:
        """One table row: each cell wrapped in its column, the row as tall as its tallest; a
        row taller than a page goes on over the next pages, never off the paper."""
        self.set_font(FONT, style="B" if head else "", size=9)
        cells = [
            wrap(self, safe(v or "—"), w - 2 * PADDING) for v, w in zip(values, widths, strict=True)
        ]
        # Leave room for the heading row repeated at the top of each page.
        per_page = int((self.page_break_trigger - self.t_margin) / LINE) - 6
        tallest = max(len(lines) for lines in cells)
        for start in range(0, tallest, per_page):
            self._cells([lines[start : start + per_page] for lines in cells], widths, head)

    def _cells(self, cells: list[list[str]], widths: tuple[int, ...], head: bool) -> None:
        """Draw one row's wrapped cells, on a new page (under the heading row) if needed."""
        height = max(len(lines) for lines in cells) * LINE + 2 * PADDING
        if self.get_y() + height > self.page_break_trigger:
            self.add_page()
            if not head:
                self._row(self._head, widths, head=True)
                self.set_font(FONT, size=9)
        top, x = self.get_y(), self.l_margin
        for lines, width in zip(cells, widths, strict=True):
            self.rect(x, top, width, height, style="DF" if head else "D")
            for number, line in enumerate(lines):
                self.text(x + PADDING, top + PADDING + (number + 0.78) * LINE, line)
            x += width
        self.set_xy(self.l_margin, top + height)

    def grid(self, head: list[str], rows: list[list[str]], widths: tuple[int, ...]) -> None:
        """A table with a shaded heading row, repeated on each page it spans."""
        self._head = head
        self.set_fill_color(235, 238, 242)
        self.set_draw_color(160, 160, 160)
        self.set_line_width(0.2)
        self.room(2 * LINE + 4 * PADDING)
        self._row(head, widths, head=True)
        for values in rows:
            self._row(values, widths, head=False)
        self.set_draw_color(0, 0, 0)
        self.ln(3)
        self.set_font(FONT, size=10)


def _charts(pdf: ReportPdf, objective: ObjectiveLine) -> None:
    """The key results' charts two by two, each under its key result's title."""
    drawn = [(kr, kr.chart) for kr in objective.key_results if kr.chart is not None]
    for start in range(0, len(drawn), 2):
        pair = drawn[start : start + 2]
        pdf.set_font(FONT, size=8)
        titles = [wrap(pdf, safe(kr.title), CHART_WIDTH) for kr, _ in pair]
        caption = max(len(lines) for lines in titles) * 3.6
        pdf.room(caption + CHART_WIDTH * 0.45 + 4)
        top, bottom = pdf.get_y(), pdf.get_y()
        for column, ((_, chart), lines) in enumerate(zip(pair, titles, strict=True)):
            x = pdf.l_margin + column * (CHART_WIDTH + 4)
            pdf.set_font(FONT, size=8)
            for number, line in enumerate(lines):
                pdf.text(x, top + (number + 0.8) * 3.6, line)
            height = draw_chart(pdf, chart, x, top + caption, CHART_WIDTH, safe)
            bottom = max(bottom, top + caption + height)
        pdf.set_xy(pdf.l_margin, bottom + 3)


def _objective(pdf: ReportPdf, objective: ObjectiveLine) -> None:
    pdf.heading(objective.title, 12)
    facts = [
        ("State", objective.state.replace("_", " ")),
        ("Status", objective.status_label or "—"),
        ("Computed grade", grade_text(objective.computed_grade)),
        ("Grade", grade_line(objective)),
        ("Decision", objective.decision_label or "not decided yet"),
    ]
    if objective.note:
        facts.append(("Note", objective.note))
    for label, value in facts:
        pdf.paragraph(f"{label}: {value}", size=10)
    pdf.ln(2)
    if not objective.key_results:
        pdf.paragraph("No key results.")
        return
    rows = [
        [kr.title, range_text(kr), final_text(kr), percent_text(kr.progress), kr.status_label]
        for kr in objective.key_results
    ]
    head = ["Key result", "Baseline → target", "Final value", "Progress", "Status"]
    pdf.grid(head, rows, (70, 40, 30, 20, 26))
    _charts(pdf, objective)


def _reviews(pdf: ReportPdf, section: TeamSection) -> None:
    pdf.heading("Reflection", 12)
    for question, answer in section.reflection_answers:
        pdf.paragraph(question, style="B")
        pdf.paragraph(answer)
        pdf.ln(1)
    if not section.reflection_answers:
        pdf.paragraph("No reflection recorded.")
    pdf.heading("Learnings", 12)
    for learning in section.learnings:
        tags = "".join(f" [{tag}]" for tag in learning.tags)
        about = f" (about {', '.join(learning.about)})" if learning.about else ""
        pdf.paragraph(f"• {learning.text}{tags}{about}")
    if not section.learnings:
        pdf.paragraph("No learnings recorded.")
    pdf.heading("Initiative results", 12)
    if not section.results:
        pdf.paragraph("No initiative results recorded.")
        return
    head = ["Initiative", "Key result", "Expected", "Observed", "Outcome", "Note"]
    rows = [
        [r.initiative, r.key_result, expected_text(r), observed_text(r), r.outcome_label, r.note]
        for r in section.results
    ]
    pdf.grid(head, rows, (34, 34, 32, 32, 24, 30))


def to_pdf(report: Report) -> bytes:
    """The whole report as PDF bytes: a title page head, then one section per team, each
    starting on a new page."""
    pdf = ReportPdf(report)
    pdf.add_page()
    pdf.heading(report.title, 18)
    pdf.paragraph(
        f"{report.organization} · {day_text(report.start)} – {day_text(report.end)}"
        f" · as of {day_text(report.on)}"
    )
    if not report.teams:
        pdf.paragraph("Nothing to report in this period yet.")
    for index, section in enumerate(report.teams):
        if index:
            pdf.add_page()
        pdf.ln(4)
        pdf.heading(section.name, 15)
        count = len(section.objectives)
        summary = f"{count} objective{'s' if count != 1 else ''}"
        if section.average_grade is not None:
            summary += f" · average grade {grade_text(section.average_grade)}"
        pdf.paragraph(summary)
        pdf.ln(2)
        for objective in section.objectives:
            _objective(pdf, objective)
        _reviews(pdf, section)
    return bytes(pdf.output())
