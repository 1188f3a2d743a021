"""`okr classify`: read key-result statements and say what each one is."""

from __future__ import annotations

import json
import os
import sys
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Annotated

import typer

from constellation.cli import app as shared  # its consoles, made when first used
from constellation.cli.app import EXIT_BAD_INPUT, app
from constellation.core.language import Reading, read

if TYPE_CHECKING:
    from rich.table import Table


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
    from rich.table import Table  # only for this format

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
        shared.err_console.print(
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
        shared.err_console.print(
            "okr classify: give statements as arguments or on standard input, one a line",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT)
    else:
        texts = _read_stdin()
    if output is ClassifyFormat.text:
        shared.console.print(_table(texts))
        return
    sys.stdout.write(_json_lines(texts))
    sys.stdout.flush()


def classify_stdin_as_json() -> int:
    """`okr classify` with no arguments: statements on standard input, JSON lines out, the way
    scripts run it at scale. `main` calls this directly, without Typer, whose parsing of the
    command line costs more than a tenth of a second a start. It ends as Typer would: with the
    code of `typer.Exit`, 130 on Ctrl-C, 1 when the reader of standard output has gone
    ("okr classify | head -1"). Returns the exit code."""
    try:
        classify(None, ClassifyFormat.json)
    except typer.Exit as done:
        return done.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Nothing more can be written; point standard output at nothing so that the flush at
        # exit does not fail again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1
    return 0
