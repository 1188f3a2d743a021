"""`okr classify`: read key-result statements and say what each one is."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from functools import lru_cache
from typing import Annotated

import typer
from rich.table import Table

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.core.language import Reading, read


class ClassifyFormat(StrEnum):
    """Output formats of `okr classify`."""

    json = "json"
    text = "text"


@lru_cache(maxsize=4096)
def _json_tail(reading: Reading) -> str:
    """The fields after "text" of a JSON line; readings repeat, so each is built once."""
    fields = {
        "nature": reading.nature,
        "measurable": reading.measurable,
        "maintain": reading.maintain,
        "focus": reading.focus,
        "reason": reading.reason,
    }
    return ", " + json.dumps(fields, ensure_ascii=False)[1:] + "\n"


def _json_lines(statements: list[str]) -> str:
    """One JSON object a line: text, nature, measurable, maintain, focus, reason."""
    dumps = json.JSONEncoder(ensure_ascii=False).encode
    return "".join(['{"text": ' + dumps(text) + _json_tail(read(text)) for text in statements])


def _table(statements: list[str]) -> Table:
    """A Rich table of the readings."""
    table = Table("Statement", "Nature", "Measurable", "Maintain", "Focus", "Why")
    for text in statements:
        reading = read(text)
        nature = "[green]outcome[/]" if reading.nature == "outcome" else "[yellow]output[/]"
        table.add_row(
            text,
            nature,
            "yes" if reading.measurable else "no",
            "yes" if reading.maintain else "no",
            reading.focus or "-",
            reading.reason or "-",
        )
    return table


def _read_stdin() -> list[str]:
    """Statements from standard input, one a line; exits 2 on binary or undecodable input."""
    stream = sys.stdin
    data = stream.buffer.read() if hasattr(stream, "buffer") else stream.read().encode()
    offset = data.find(b"\x00")
    try:
        if offset >= 0:
            raise UnicodeDecodeError("utf-8", data, offset, offset + 1, "NUL byte")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        err_console.print(
            f"okr classify: standard input is not UTF-8 text (byte {error.start}: "
            f"{error.reason}); expected key-result statements, one a line",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None
    return [line.strip() for line in text.splitlines() if line.strip()]


@app.command()
def classify(
    statements: Annotated[
        list[str] | None,
        typer.Argument(help="Statements to read; when none, read them from standard input."),
    ] = None,
    output: Annotated[
        ClassifyFormat,
        typer.Option("--format", help="json: one object a line; text: a table."),
    ] = ClassifyFormat.json,
) -> None:
    """Say whether each key-result statement is an outcome or an output, and more."""
    if statements:
        texts = [s.strip() for s in statements if s.strip()]
    elif sys.stdin is not None and sys.stdin.isatty():
        err_console.print(
            "okr classify: give statements as arguments or on standard input, one a line",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    else:
        texts = _read_stdin()
    if output is ClassifyFormat.text:
        console.print(_table(texts))
        return
    sys.stdout.write(_json_lines(texts))
    sys.stdout.flush()
