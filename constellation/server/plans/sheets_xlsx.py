"""The XLSX workbook written directly as SpreadsheetML, one row of text at a time.

openpyxl (which reads the workbook back, in the import and the tests) writes each cell through
its XML serialiser: without lxml that took 38 s for a period of 2,000 objectives and their
96,000 check-ins (docs/benchmarks.md). A workbook is a zip of a few XML files, and the cells
here are of four kinds (number, true/false, date, text), so the rows are written as strings:
the same workbook in a small fraction of the time. Texts are inline strings; a text that would
start a formula carries Excel's quote prefix (style 2); dates are day numbers with a
`yyyy-mm-dd` format (style 1); the header row is bold (style 3) and frozen.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
RELS_TYPE = "application/vnd.openxmlformats-package.relationships+xml"
SHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
# Excel counts days from 1899-12-30 (its 1900 leap-year bug included).
EPOCH = date(1899, 12, 30)
DATE_STYLE, TEXT_STYLE, HEADER_STYLE = 1, 2, 3
# Characters XML 1.0 cannot hold at all: dropped (a title never needs them).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# A carriage return would be read back as a line feed unless written as a reference.
_ENTITIES = {"\r": "&#13;"}

STYLES = f"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="{MAIN}">
<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>
<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>
<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="2"><fill><patternFill patternType="none"/></fill>
<fill><patternFill patternType="gray125"/></fill></fills>
<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="4">
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>
<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" quotePrefix="1"/>
<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>
</cellXfs>
<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>
</styleSheet>"""


def _text(value: str) -> str:
    """A text as XML character data, whitespace and carriage returns kept."""
    return escape(_NOT_XML.sub("", value), _ENTITIES)


def cell(ref: str, value: Any, formula_starts: tuple[str, ...]) -> str:
    """One cell of the value's own type; empty for no value."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, date):
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{(value - EPOCH).days}</v></c>'
    text = str(value)
    style = f' s="{TEXT_STYLE}"' if text.startswith(formula_starts) else ""
    return (
        f'<c r="{ref}" t="inlineStr"{style}><is><t xml:space="preserve">{_text(text)}</t></is></c>'
    )


def sheet_xml(
    columns: Sequence[str],
    rows: Iterable[dict[str, Any]],
    widths: Sequence[float],
    formula_starts: tuple[str, ...],
) -> str:
    """A worksheet: frozen bold header, column widths, one row per item."""
    letters = [get_column_letter(index) for index in range(1, len(columns) + 1)]
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{w}" customWidth="1"/>'
        for i, w in enumerate(widths, start=1)
    )
    header = "".join(
        f'<c r="{letter}1" t="inlineStr" s="{HEADER_STYLE}"><is><t>{_text(name)}</t></is></c>'
        for letter, name in zip(letters, columns, strict=True)
    )
    lines = [f'<row r="1">{header}</row>']
    for number, row in enumerate(rows, start=2):
        cells = "".join(
            cell(f"{letter}{number}", row.get(name), formula_starts)
            for letter, name in zip(letters, columns, strict=True)
        )
        lines.append(f'<row r="{number}">{cells}</row>')
    view = (
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
        'activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft" activeCell="A2" '
        'sqref="A2"/></sheetView></sheetViews>'
    )
    # The dimension spares a reader (openpyxl's read-only mode) a pass over every row to size
    # the sheet, which the import would pay for the check-ins it does not even read.
    dimension = f'<dimension ref="A1:{letters[-1]}{len(lines)}"/>'
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}">'
        f"{dimension}{view}<cols>{cols}</cols><sheetData>{''.join(lines)}</sheetData></worksheet>"
    )


def _package(titles: Sequence[str]) -> dict[str, str]:
    """The workbook's parts other than its sheets."""
    numbers = range(1, len(titles) + 1)
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{SHEET_TYPE}"/>'
        for n in numbers
    )
    office = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    sheets = "".join(
        f'<sheet name="{_text(title)}" sheetId="{n}" r:id="rId{n}"/>'
        for n, title in zip(numbers, titles, strict=True)
    )
    links = "".join(
        f'<Relationship Id="rId{n}" Type="{RELS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
        for n in numbers
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": f'{head}<Types xmlns="{CONTENT_TYPES}">'
        f'<Default Extension="rels" ContentType="{RELS_TYPE}"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        f'<Override PartName="/xl/workbook.xml" ContentType="{office}.sheet.main+xml"/>'
        f'<Override PartName="/xl/styles.xml" ContentType="{office}.styles+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": f'{head}<Relationships xmlns="{PACKAGE_RELS}">'
        f'<Relationship Id="rId1" Type="{RELS}/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>",
        "xl/workbook.xml": f'{head}<workbook xmlns="{MAIN}" xmlns:r="{RELS}">'
        f"<sheets>{sheets}</sheets></workbook>",
        "xl/_rels/workbook.xml.rels": f'{head}<Relationships xmlns="{PACKAGE_RELS}">{links}'
        f'<Relationship Id="rId{len(titles) + 1}" Type="{RELS}/styles" Target="styles.xml"/>'
        "</Relationships>",
        "xl/styles.xml": STYLES,
    }


def workbook(sheets: Sequence[tuple[str, str]]) -> bytes:
    """The XLSX file of these (title, worksheet XML) sheets."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as package:
        for name, text in _package([title for title, _ in sheets]).items():
            package.writestr(name, text)
        for number, (_, text) in enumerate(sheets, start=1):
            package.writestr(f"xl/worksheets/sheet{number}.xml", text)
    return out.getvalue()
