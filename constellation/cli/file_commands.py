"""`okr fmt` and `okr new`: keep OKR files in one canonical layout, and start a new one."""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from constellation.cli.app import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK, app, console, err_console
from constellation.core.model import Plan
from constellation.core.okrfile import OkrFileError, format_text, load_file, starter_text
from constellation.core.okrfile.loader import read_text
from constellation.core.periods import period_containing

DEFAULT_FILE = "okrs.yaml"


def _say(text: str, *, error: bool = False) -> None:
    """One plain line (file names are never read as markup, long lines never wrapped)."""
    (err_console if error else console).print(text, markup=False, highlight=False, soft_wrap=True)


def print_problems(error: OkrFileError) -> None:
    """Every problem of a file on standard error, one a line, as plain text."""
    for problem in error.problems:
        _say(str(problem), error=True)


def load_or_exit(path: str | Path) -> Plan:
    """Load an OKR file, or print its problems to standard error and exit 2."""
    try:
        return load_file(path)
    except OkrFileError as error:
        print_problems(error)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def write_atomically(path: Path, text: str) -> None:
    """Replace a file's content so a crash leaves the old file or the new one, never half of one."""
    directory = path.parent
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        with contextlib.suppress(OSError):
            os.chmod(temporary, os.stat(path).st_mode & 0o7777)  # keep an existing file's mode
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


@app.command("fmt")
def fmt_command(
    files: Annotated[
        list[Path], typer.Argument(help="OKR files to rewrite in canonical layout.", readable=False)
    ],
    check: Annotated[
        bool, typer.Option("--check", help="Write nothing; exit 1 if a file would change.")
    ] = False,
) -> None:
    """Rewrite OKR files with canonical key order and indentation, keeping comments."""
    changed = unchanged = 0
    bad = False
    for path in files:
        try:
            text = read_text(path)
            result = format_text(text, str(path))
            if result != text and not check:
                write_atomically(path, result)
        except OkrFileError as error:
            print_problems(error)
            bad = True
            continue
        except OSError as error:
            _say(f"{path}: cannot be written: {error.strerror}", error=True)
            bad = True
            continue
        if result == text:
            unchanged += 1
        else:
            changed += 1
            _say(f"{'would reformat' if check else 'reformatted'} {path}")
    if changed or unchanged:
        verb = "would be reformatted" if check else "reformatted"
        _say(f"{_plural(changed, 'file')} {verb}, {unchanged} left unchanged")
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)
    raise typer.Exit(EXIT_FINDINGS if check and changed else EXIT_OK)


@app.command("new")
def new_command(
    file: Annotated[
        str, typer.Argument(help="Where to write the starter file; '-' for standard output.")
    ] = DEFAULT_FILE,
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite the file if it exists.")
    ] = False,
) -> None:
    """Write a commented starter OKR file that shows how to write good OKRs."""
    if file == "-":
        sys.stdout.write(starter_text())
        return
    path = Path(file)
    if path.is_dir():
        _refuse(f"{file}: is a directory; give a file name such as {path / DEFAULT_FILE}")
    if path.exists() and not force:
        _refuse(f"{file}: already exists; use --force to overwrite it")
    try:
        write_atomically(path, starter_text(file=file))
    except OSError as error:
        _refuse(f"{file}: cannot be written: {error.strerror}")
    period = period_containing(date.today()).key
    _say(f"Wrote {file}: a starter OKR file for {period}.")
    _say("Next steps:")
    _say(f"  1. Edit {file}: your strategy, teams, KPIs and objectives.")
    _say(f"  2. okr lint {file}    (the coach checks your OKRs)")
    _say(f"  3. okr fmt {file}     (tidies the layout, keeps comments)")


def _refuse(message: str) -> None:
    _say(message, error=True)
    raise typer.Exit(EXIT_BAD_INPUT)
