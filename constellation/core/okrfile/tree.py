"""YAML text to a small tree of scalars, sequences and mappings that remember their line and column.

The tree is built from libyaml's event stream rather than with `yaml.compose`: PyYAML's composer
resolves every scalar through Python regular expressions (several times slower than this) and
recurses in C, so a deeply nested file crashes it. Walking events keeps one pass over the text,
refuses anchors and aliases at the first one (so an alias bomb costs nothing) and stops nesting at
a fixed depth before anything recursive sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import yaml
from yaml.resolver import Resolver

from constellation.core.okrfile.problems import OkrFileError, Problem

MAX_DEPTH = 32

_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_RESOLVERS: dict[str | None, list[tuple[str, Any]]] = Resolver.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
_TAG = "tag:yaml.org,2002:"
# Explicit tags a careful author may use; anything else (Python objects, custom tags) is refused.
_SCALAR_TAGS = {f"{_TAG}{name}" for name in ("str", "int", "float", "bool", "null", "timestamp")}
_COLLECTION_TAGS = {f"{_TAG}map", f"{_TAG}seq"}
_DIGITS = frozenset("0123456789")


class Scalar:
    """A scalar value (str, int, float, bool, None or a date) and where it starts."""

    __slots__ = ("column", "line", "value")

    def __init__(self, value: Any, line: int, column: int) -> None:
        self.value = value
        self.line = line
        self.column = column


class Seq:
    """A sequence of nodes and where it starts."""

    __slots__ = ("column", "items", "line")

    def __init__(self, line: int, column: int) -> None:
        self.items: list[Node] = []
        self.line = line
        self.column = column


class Entry:
    """One key of a mapping: where the key is written, and its value."""

    __slots__ = ("column", "line", "value")

    def __init__(self, line: int, column: int, value: Node) -> None:
        self.line = line
        self.column = column
        self.value = value


class Map:
    """A mapping from key text to entries, in file order, and where it starts."""

    __slots__ = ("column", "entries", "key", "line")

    def __init__(self, line: int, column: int) -> None:
        self.entries: dict[str, Entry] = {}
        self.line = line
        self.column = column
        # The key waiting for its value while the tree is built: (text, line, column).
        self.key: tuple[str, int, int] | None = None


class Built:
    """An item of the top-level `objectives` list already turned into a plan object while the
    file was parsed (`parse_tree`'s `objective_hook`), so its nodes are freed at once."""

    __slots__ = ("column", "line", "value")

    def __init__(self, value: Any, line: int, column: int) -> None:
        self.value = value
        self.line = line
        self.column = column


Node = Scalar | Seq | Map | Built
# Turns one objective's mapping into its plan object while the file is parsed.
ObjectiveHook = Callable[[Map], Any]


def resolve_plain(value: str) -> Any:
    """The value of a plain (unquoted) scalar under the YAML 1.1 rules PyYAML's safe loader uses."""
    first = value[:1]
    # Whole numbers, decimals and dates are the commonest typed values of an OKR file (a
    # check-in has all three): they skip the regular expressions.
    if first in _DIGITS and value.isascii():
        if _is_decimal(value):
            return int(value)
        found = _common_number_or_date(value)
        if found is not None:
            return found
    resolvers = _RESOLVERS.get(first)
    if resolvers is None:
        return value
    for tag, regexp in resolvers:
        if regexp.match(value):
            try:
                return _construct(tag, value)
            except ValueError:
                # Looks like a number or date but is none (2026-02-30, 0_): the checks will say so.
                return value
    return value


def _common_number_or_date(value: str) -> float | date | None:
    """`12.5` as a float and `2026-07-06` as a date, as YAML 1.1 reads them; None for the rest.

    Only the plain forms are taken (digits, one dot; or YYYY-MM-DD): anything else, and a date
    that does not exist, goes the regular-expression way.
    """
    whole, dot, fraction = value.partition(".")
    if dot and whole.isdigit() and (fraction.isdigit() or not fraction):
        return float(value)
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        digits = value[:4] + value[5:7] + value[8:]
        if digits.isdigit():
            try:
                return date(int(value[:4]), int(value[5:7]), int(value[8:]))
            except ValueError:
                return None
    return None


def _is_decimal(value: str) -> bool:
    """ASCII digits without a leading zero (YAML 1.1 reads 0755 as octal; '²' is no digit)."""
    return value.isascii() and value.isdigit() and (value[0] != "0" or value == "0")


def _construct(tag: str, value: str) -> Any:
    """Turn scalar text into a value of the tag's type, taking the common forms on a fast path."""
    if tag == f"{_TAG}int" and _is_decimal(value):
        return int(value)
    if tag == f"{_TAG}float" and ":" not in value:
        try:
            return float(value)
        except ValueError:
            pass
    if tag in _SCALAR_TAGS:
        if tag == f"{_TAG}str":
            return value
        node = yaml.ScalarNode(tag, value)
        return getattr(_CONSTRUCTOR, f"construct_yaml_{tag[len(_TAG) :]}")(node)
    return value  # merge keys and the `=` value tag mean nothing here: plain text


def parse_tree(
    text: str, path: str, objective_hook: ObjectiveHook | None = None
) -> tuple[Node | None, list[Problem]]:
    """Build the tree of one YAML document; duplicate keys come back as problems.

    With `objective_hook`, each mapping of the top-level `objectives` list is handed to it as
    soon as it is complete and kept as what it returns (a `Built` node): a big file's tree
    never holds more than one objective, which is most of its memory (check-ins).

    Raises OkrFileError with one problem for what makes the text unusable: a syntax error, an
    anchor or alias, nesting deeper than MAX_DEPTH, an unknown tag or a second document.
    """
    problems: list[Problem] = []
    loader = None
    try:
        loader = _Loader(text)  # the pure-Python fallback checks characters here already
        return _build(loader, path, problems, objective_hook), problems
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = _syntax_message(error)
        if mark is None:
            raise OkrFileError([Problem(path, None, None, message)]) from None
        raise OkrFileError([Problem(path, mark.line + 1, mark.column + 1, message)]) from None
    except yaml.reader.ReaderError as error:
        raise OkrFileError([_reader_problem(text, path, error)]) from None
    except yaml.YAMLError as error:
        raise OkrFileError([Problem(path, None, None, f"not valid YAML: {error}")]) from None
    finally:
        if loader is not None:
            loader.dispose()


def _reader_problem(text: str, path: str, error: yaml.reader.ReaderError) -> Problem:
    """A character YAML refuses (a control character), with its line and column."""
    character = error.character
    code = ord(character) if isinstance(character, str) else int(character)
    # libyaml reports a byte offset; the first such character is the one it stopped at.
    position = text.find(chr(code))
    if position < 0:
        position = min(max(error.position, 0), len(text))
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    message = (
        f"character U+{code:04X} is not allowed in an OKR file (YAML refuses control characters)"
    )
    return Problem(path, line, column, message)


def _syntax_message(error: yaml.MarkedYAMLError) -> str:
    """A one-line YAML syntax message: what the parser was doing and what it found."""
    parts = [part for part in (error.context, error.problem) if part]
    return "YAML syntax error: " + ", ".join(parts) if parts else "YAML syntax error"


def _fatal(path: str, mark: Any, message: str) -> OkrFileError:
    return OkrFileError([Problem(path, mark.line + 1, mark.column + 1, message)])


def _build(
    loader: Any, path: str, problems: list[Problem], hook: ObjectiveHook | None = None
) -> Node | None:
    """Turn the event stream into a tree with an explicit stack (no recursion).

    This loop runs once per event of files with tens of thousands of key results, so names are
    bound locally and the common cases (a key, a scalar value) come first.
    """
    get_event = loader.get_event
    scalar_event, stream_end = yaml.ScalarEvent, yaml.StreamEndEvent
    map_start, seq_start = yaml.MappingStartEvent, yaml.SequenceStartEvent
    map_end, seq_end = yaml.MappingEndEvent, yaml.SequenceEndEvent
    map_class, seq_class, scalar_class = Map, Seq, Scalar
    value_of, resolve = _scalar_value, resolve_plain
    stack: list[Any] = []
    top: Any = None
    root: Node | None = None
    documents = 0
    while True:
        event = get_event()
        kind = event.__class__
        if kind is scalar_event:
            if event.anchor is not None:
                raise _fatal(path, event.start_mark, _anchor_message(event.anchor))
            mark = event.start_mark
            if top.__class__ is map_class and top.key is None:
                top.key = (event.value, mark.line + 1, mark.column + 1)
                continue
            if event.tag is not None:
                value = value_of(event, path)
            else:
                value = resolve(event.value) if event.implicit[0] else event.value
            node: Any = scalar_class(value, mark.line + 1, mark.column + 1)
        elif kind is map_start or kind is seq_start:
            _check_collection(event, path, len(stack))
            mark = event.start_mark
            top = (map_class if kind is map_start else seq_class)(mark.line + 1, mark.column + 1)
            stack.append(top)
            continue
        elif kind is map_end or kind is seq_end:
            node = stack.pop()
            top = stack[-1] if stack else None
            if hook is not None and len(stack) == 2 and _is_objective(stack, node):
                node = Built(hook(node), node.line, node.column)
        elif kind is stream_end:
            return root
        else:
            documents = _other_event(event, path, documents)
            continue
        if top is None:
            root = node
        elif top.__class__ is seq_class:
            top.items.append(node)
        else:
            _attach(top, node, path, problems)


def _is_objective(stack: list[Any], node: Node) -> bool:
    """Whether a finished node is a mapping item of the first top-level `objectives` list."""
    root, seq = stack
    key = root.key
    return (
        node.__class__ is Map
        and seq.__class__ is Seq
        and root.__class__ is Map
        and key is not None
        and key[0] == "objectives"
        and "objectives" not in root.entries  # a second `objectives` is only a duplicate
    )


def _other_event(event: Any, path: str, documents: int) -> int:
    """Refuse an alias or a second document; return how many documents have started."""
    if event.__class__ is yaml.AliasEvent:
        message = f"YAML aliases (*{event.anchor}) are not allowed in an OKR file; write it out"
        raise _fatal(path, event.start_mark, message)
    if event.__class__ is yaml.DocumentStartEvent:
        documents += 1
        if documents > 1:
            message = "a second YAML document ('---'); an OKR file holds exactly one"
            raise _fatal(path, event.start_mark, message)
    return documents


def _attach(top: Map, node: Node, path: str, problems: list[Problem]) -> None:
    """Put a finished node into a mapping as the value of its waiting key."""
    key = top.key
    if key is None:
        message = "a mapping key must be plain text, not a list or a mapping"
        raise OkrFileError([Problem(path, node.line, node.column, message)])
    top.key = None
    text, line, column = key
    first = top.entries.get(text)
    if first is not None:
        message = f"duplicate key '{text}' (first given on line {first.line}); give each key once"
        problems.append(Problem(path, line, column, message))
        return
    top.entries[text] = Entry(line, column, node)


def _check_collection(event: Any, path: str, depth: int) -> None:
    """Refuse what a collection may not carry: an anchor, a custom tag, or too deep a nest."""
    if event.anchor is not None:
        raise _fatal(path, event.start_mark, _anchor_message(event.anchor))
    if event.tag is not None and event.tag != "!" and event.tag not in _COLLECTION_TAGS:
        raise _fatal(path, event.start_mark, _tag_message(event.tag))
    if depth >= MAX_DEPTH:
        message = f"nesting deeper than {MAX_DEPTH} levels; an OKR file needs at most 7"
        raise _fatal(path, event.start_mark, message)


def _scalar_value(event: Any, path: str) -> Any:
    """The value of a scalar event that carries an explicit tag."""
    tag = event.tag
    if tag == "!":
        return event.value
    if tag not in _SCALAR_TAGS:
        raise _fatal(path, event.start_mark, _tag_message(tag))
    try:
        return _construct(tag, event.value)
    except (yaml.YAMLError, ValueError):
        message = f"'{event.value}' is not a valid {tag[len(_TAG) :]}"
        raise _fatal(path, event.start_mark, message) from None


def _anchor_message(anchor: str) -> str:
    return f"YAML anchors (&{anchor}) and aliases are not allowed in an OKR file; write it out"


def _tag_message(tag: str) -> str:
    shown = "!!" + tag[len(_TAG) :] if tag.startswith(_TAG) else tag
    return f"YAML tags such as '{shown}' are not allowed in an OKR file"
