"""Loading an OKR file: read it safely, parse it, validate it, and return the Plan.

Hostile input is refused early and cheaply, each with one clear problem: files over the size
limit are refused before being read, binary data before parsing, and anchors, aliases and deep
nesting while parsing (see tree.py).

The size limit is a setting: `OKR_MAX_FILE_MB` in the environment (read here, at each load, so
every command and face gets the same limit), or a limit given by the caller (`okr lint
--max-size`). Its default fits the largest export the product makes: 25,000 objectives with
four key results and twelve weekly check-ins each is 126 MB (docs/benchmarks.md).
"""

from __future__ import annotations

import gc
import os
import stat
from pathlib import Path

from constellation.core.model import Plan
from constellation.core.okrfile.problems import OkrFileError, Problem
from constellation.core.okrfile.tree import parse_tree
from constellation.core.okrfile.validate import Builder, build_plan

MEGABYTE = 1024 * 1024
# The setting that sets the limit, and the limit when it is not set.
MAX_SIZE_SETTING = "OKR_MAX_FILE_MB"
DEFAULT_MAX_MEGABYTES = 200.0


def max_megabytes(given: float | None = None) -> float:
    """The size limit of an OKR file in megabytes: `given`, else `OKR_MAX_FILE_MB`, else 200.

    A limit that is not a positive number is refused with one problem naming where it came from.
    """
    if given is not None:
        source, raw = "the given limit", str(given)
    else:
        source = MAX_SIZE_SETTING
        raw = os.environ.get(MAX_SIZE_SETTING, "").strip() or str(DEFAULT_MAX_MEGABYTES)
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not 0 < value < float("inf"):
        message = f"must be a positive number of megabytes (such as 200), got {raw!r}"
        raise OkrFileError([Problem(source, None, None, message)])
    return value


def load_file(path: str | Path, *, max_mb: float | None = None) -> Plan:
    """Load and validate an OKR file; raise OkrFileError with every problem found.

    `max_mb` overrides the size limit (`max_megabytes`) for this file.
    """
    name = str(path)
    plan = load_text(read_text(path, max_mb=max_mb), path=name, max_mb=max_mb)
    plan.path = name
    return plan


def load_text(text: str, path: str = "<text>", *, max_mb: float | None = None) -> Plan:
    """Load and validate the text of an OKR file; `path` names it in problems."""
    limit = max_megabytes(max_mb)
    # A character is at least one byte: only text that may be over the limit is encoded.
    if len(text) > limit * MEGABYTE:
        size = len(text.encode("utf-8", "surrogatepass"))
        raise OkrFileError([_too_big(path, size, limit)])
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise OkrFileError([_empty(path)])
    # A big file makes hundreds of thousands of small objects that all stay alive: the cyclic
    # garbage collector would scan them again and again for nothing (a third of the load time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        # Objectives become plan objects as soon as they are parsed: the tree of a big file
        # (mostly check-ins) would take fifteen times the file's size in memory.
        builder = Builder(path)
        root, problems = parse_tree(text, path, objective_hook=builder.objective)
        plan = build_plan(root, path, problems, builder)
    finally:
        if collecting:
            gc.enable()
    plan.path = path
    return plan


def read_text(path: str | Path, *, max_mb: float | None = None) -> str:
    """The text of a file, refusing what cannot be an OKR file before parsing anything."""
    name = str(path)
    limit = max_megabytes(max_mb)
    max_bytes = int(limit * MEGABYTE)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if info.st_size > max_bytes:
            raise OkrFileError([_too_big(name, info.st_size, limit)])
        with open(path, "rb") as handle:
            # Read one byte past the limit: a device or a growing file has no trustworthy size.
            data = handle.read(max_bytes + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OkrFileError([Problem(name, None, None, f"cannot be read: {reason}")]) from None
    if len(data) > max_bytes:
        raise OkrFileError([_too_big(name, len(data), limit)])
    return decode(data, name)


def decode(data: bytes, path: str) -> str:
    """UTF-8 text of a file's bytes (a byte-order mark is fine); binary data is refused."""
    nul = data.find(b"\x00")
    if nul >= 0:
        raise OkrFileError([_binary(path, nul)])
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise OkrFileError([_binary(path, error.start)]) from None
    return text[1:] if text.startswith("\ufeff") else text


def _too_big(path: str, size: int, limit: float) -> Problem:
    """The file, its size and the limit it is over, with the setting that raises the limit."""
    shown = f"{size / MEGABYTE:.1f}"
    if float(shown) <= limit:
        shown = f"{size / MEGABYTE:.3f}"
    message = (
        f"file is {shown} MB, over the {limit:g} MB limit for an OKR file; to read it, raise "
        f"the limit with {MAX_SIZE_SETTING} (or --max-size on okr lint and okr import)"
    )
    return Problem(path, None, None, message)


def _binary(path: str, offset: int) -> Problem:
    return Problem(path, None, None, f"is not a text file (binary data at byte {offset})")


def _empty(path: str) -> Problem:
    return Problem(path, None, None, "is empty; expected an OKR file starting with 'version: 1'")
