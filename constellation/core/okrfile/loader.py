"""Loading an OKR file: read it safely, parse it, validate it, and return the Plan.

Hostile input is refused early and cheaply, each with one clear problem: files over the size
limit are refused before being read, binary data before parsing, and anchors, aliases and deep
nesting while parsing (see tree.py).
"""

from __future__ import annotations

import gc
import os
import stat
from pathlib import Path

from constellation.core.model import Plan
from constellation.core.okrfile.problems import OkrFileError, Problem
from constellation.core.okrfile.tree import parse_tree
from constellation.core.okrfile.validate import build_plan

MEGABYTE = 1024 * 1024
MAX_MEGABYTES = 5
MAX_BYTES = MAX_MEGABYTES * MEGABYTE


def load_file(path: str | Path) -> Plan:
    """Load and validate an OKR file; raise OkrFileError with every problem found."""
    name = str(path)
    plan = load_text(read_text(path), path=name)
    plan.path = name
    return plan


def load_text(text: str, path: str = "<text>") -> Plan:
    """Load and validate the text of an OKR file; `path` names it in problems."""
    if len(text) > MAX_BYTES:
        raise OkrFileError([_too_big(path, len(text.encode("utf-8", "surrogatepass")))])
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise OkrFileError([_empty(path)])
    # A big file makes hundreds of thousands of small objects that all stay alive: the cyclic
    # garbage collector would scan them again and again for nothing (a third of the load time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        root, problems = parse_tree(text, path)
        plan = build_plan(root, path, problems)
    finally:
        if collecting:
            gc.enable()
    plan.path = path
    return plan


def read_text(path: str | Path) -> str:
    """The text of a file, refusing what cannot be an OKR file before parsing anything."""
    name = str(path)
    try:
        info = os.stat(path)
        if stat.S_ISDIR(info.st_mode):
            raise IsADirectoryError(21, "Is a directory")
        if info.st_size > MAX_BYTES:
            raise OkrFileError([_too_big(name, info.st_size)])
        with open(path, "rb") as handle:
            # Read one byte past the limit: a device or a growing file has no trustworthy size.
            data = handle.read(MAX_BYTES + 1)
    except OSError as error:
        reason = error.strerror or str(error)
        raise OkrFileError([Problem(name, None, None, f"cannot be read: {reason}")]) from None
    if len(data) > MAX_BYTES:
        raise OkrFileError([_too_big(name, len(data))])
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


def _too_big(path: str, size: int) -> Problem:
    shown = f"{size / MEGABYTE:.1f}"
    if float(shown) <= MAX_MEGABYTES:
        shown = f"{size / MEGABYTE:.3f}"
    message = f"file is {shown} MB, over the {MAX_MEGABYTES} MB limit for an OKR file"
    return Problem(path, None, None, message)


def _binary(path: str, offset: int) -> Problem:
    return Problem(path, None, None, f"is not a text file (binary data at byte {offset})")


def _empty(path: str) -> Problem:
    return Problem(path, None, None, "is empty; expected an OKR file starting with 'version: 1'")
