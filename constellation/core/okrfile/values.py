"""Reading one value of an OKR file (text, id, number, enum, date, range) and saying what is wrong.

Every reader takes the value's node and its key and returns the value, or BAD after recording a
problem that says what was expected. Readers never stop the load, so one run reports everything.
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from constellation.core.model import HealthyRange, parse_healthy
from constellation.core.okrfile.problems import Problem
from constellation.core.okrfile.schema import MAX_CONFIDENCE, Kind, is_id
from constellation.core.okrfile.tree import Entry, Map, Node, Scalar, Seq
from constellation.core.periods import is_period
from constellation.core.work_links import check_url

BAD: Any = object()  # a value that was wrong; its problem is already recorded
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_SHOWN = 40  # characters of a wrong value quoted back in a message
# Past this many problems in one file, skip the (slow) closest-match suggestion: `okr lint`
# shows the first 1,000 problems only, and a file this broken needs no "did you mean".
SUGGESTED_PROBLEMS = 1000


def describe(node: Node) -> str:
    """A wrong value as the author wrote it, for messages: 'eighty', true, a list."""
    if node.__class__ is Seq:
        return "a list"
    if node.__class__ is Map:
        return "a mapping"
    value = cast(Scalar, node).value  # neither a list nor a mapping
    if value is None:
        return "nothing (null)"
    if isinstance(value, bool):
        return "true (a yes/no value)" if value else "false (a yes/no value)"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, date):
        return f"the date {value.isoformat()}"
    text = str(value)
    return repr(text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…")


def suggestion(word: str, choices: Iterable[str]) -> str:
    """' (did you mean 'x'?)' for the closest choice, or ''."""
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


class Reader:
    """Reads values for one file, collecting problems (sorted by position at the end)."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.problems: list[Problem] = []

    def add(self, at: Node | Entry, message: str) -> None:
        """Record a problem at a node's or key's line and column."""
        self.problems.append(Problem(self.path, at.line, at.column, message))

    def entries(self, node: Node, kind: Kind) -> dict[str, Entry] | None:
        """The entries of a mapping of this kind, after reporting unknown and missing keys."""
        if node.__class__ is not Map:
            shown = ", ".join(kind.keys[:3])
            self.add(
                node, f"{kind.name} must be a mapping of keys ({shown}, ...), got {describe(node)}"
            )
            return None
        entries: dict[str, Entry] = node.entries
        keys, required = kind.key_set, kind.required_set
        if not entries.keys() <= keys:  # set comparisons in C: the common case costs nothing
            for key, entry in entries.items():
                if key not in keys:
                    expected = ", ".join(sorted(kind.keys))
                    many = len(self.problems) >= SUGGESTED_PROBLEMS
                    hint = "" if many else suggestion(key, kind.keys)
                    message = (
                        f"unknown key '{key}' in {kind.name}{hint}; expected one of: {expected}"
                    )
                    self.add(entry, message)
        if not required <= entries.keys():
            for key in kind.required:
                if key not in entries:
                    self.add(node, f"{kind.name} is missing '{key}'")
        return entries

    def items(self, node: Node, key: str) -> list[Node]:
        """The items of a list; null stands for an empty list."""
        if node.__class__ is Seq:
            return node.items
        if node.__class__ is Scalar and node.value is None:
            return []
        self.add(node, f"'{key}' must be a list, got {describe(node)}")
        return []

    def text(self, node: Node, key: str) -> Any:
        """Optional text: a string or null."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None or value.__class__ is str:
            return value
        self.add(node, f"'{key}' must be text, got {describe(node)}; put it in quotes")
        return BAD

    def required_text(self, node: Node, key: str) -> Any:
        """Text that must be there and not blank."""
        value = self.text(node, key)
        if value is None or (value is not BAD and not value.strip()):
            self.add(node, f"'{key}' must not be empty")
            return BAD
        return value

    def ident(self, node: Node, key: str) -> Any:
        """An id: a word of letters, digits, '_', '.' or '-' (no spaces, no '/')."""
        value = self.required_text(node, key)
        if value is BAD or is_id(value):
            return value
        self.add(
            node,
            f"'{key}' takes ids of letters, digits, '-', '_' or '.' (no spaces or '/'),"
            f" got {describe(node)}",
        )
        return BAD

    def idents(self, node: Node, key: str) -> list[tuple[str, Node]]:
        """A list of ids with their nodes (for references); bad items are reported and left out."""
        found = []
        for item in self.items(node, key):
            value = self.ident(item, key)
            if value is not BAD:
                found.append((value, item))
        return found

    def web_addresses(self, node: Node, key: str) -> list[str]:
        """A list of web addresses (http or https); bad items are reported and left out."""
        found = []
        for item in self.items(node, key):
            value = self.required_text(item, key)
            if value is BAD:
                continue
            try:
                found.append(check_url(value))
            except ValueError as error:
                self.add(item, f"'{key}': {error}")
        return found

    def number(self, node: Node, key: str) -> Any:
        """A finite number or null; yes/no values are not numbers."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None or value.__class__ is int:
            return value
        if value.__class__ is float and math.isfinite(value):
            return value
        self.add(node, f"'{key}' must be a number, got {describe(node)}")
        return BAD

    def positive(self, node: Node, key: str) -> Any:
        """A number above zero (a weight); null means the default."""
        value = self.number(node, key)
        if value is None or value is BAD or value > 0:
            return value
        self.add(node, f"'{key}' must be a number above 0, got {describe(node)}")
        return BAD

    def grade(self, node: Node, key: str) -> Any:
        """A grade from 0.0 to 1.0, or null."""
        value = self.number(node, key)
        if value is None or value is BAD or 0 <= value <= 1:
            return value
        self.add(node, f"'{key}' must be a number from 0.0 to 1.0, got {describe(node)}")
        return BAD

    def confidence(self, node: Node, key: str) -> Any:
        """A whole number from 0 to 10, or null."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None or (value.__class__ is int and 0 <= value <= MAX_CONFIDENCE):
            return value
        self.add(node, f"'{key}' must be a whole number from 0 to 10, got {describe(node)}")
        return BAD

    def boolean(self, node: Node, key: str) -> Any:
        """true, false or null."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None or value.__class__ is bool:
            return value
        self.add(node, f"'{key}' must be true or false, got {describe(node)}")
        return BAD

    def choice(self, node: Node, key: str, values: tuple[str, ...]) -> Any:
        """One of a few words, or null."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None or value in values:
            return value
        many = len(self.problems) >= SUGGESTED_PROBLEMS
        hint = suggestion(value, values) if isinstance(value, str) and not many else ""
        expected = " | ".join(values)
        self.add(node, f"'{key}' must be one of {expected}, got {describe(node)}{hint}")
        return BAD

    def period(self, node: Node, key: str) -> Any:
        """A period key: YYYY-Qn or YYYY (a bare year reads as a number, which is fine)."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is not BAD and value.__class__ is not bool and is_period(value):
            return str(value)
        self.add(
            node, f"'{key}' must be a period YYYY-Qn (e.g. 2026-Q3) or YYYY, got {describe(node)}"
        )
        return BAD

    def healthy(self, node: Node, key: str) -> HealthyRange | None:
        """A healthy range written '<= x', '>= x' or 'a..b', or null."""
        value = node.value if node.__class__ is Scalar else BAD
        if value is None:
            return None
        if isinstance(value, str):
            try:
                return parse_healthy(value)
            except ValueError as error:
                self.add(node, f"'{key}': {error}")
                return BAD
        self.add(node, f'\'{key}\' must be a range in quotes: "<= x", ">= x" or "a..b"')
        return BAD

    def day(self, node: Node, key: str) -> Any:
        """A calendar date YYYY-MM-DD (YAML reads it as a date; quoted text is fine too)."""
        value = node.value if node.__class__ is Scalar else BAD
        if value.__class__ is date:
            return value
        if isinstance(value, str) and _DATE.match(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, datetime):
            self.add(node, f"'{key}' must be a date YYYY-MM-DD without a time, got {value}")
            return BAD
        self.add(node, f"'{key}' must be a date YYYY-MM-DD (e.g. 2026-07-14), got {describe(node)}")
        return BAD
