"""`okr fmt`: put an OKR file's keys in canonical order and indent it the one way, keeping comments.

ruamel.yaml's round trip keeps comments, quoting and flow lists; this module only moves keys. The
file is validated first (an invalid file is never rewritten) and the result is loaded again and
compared, so formatting can never change what a file means.
"""

from __future__ import annotations

import io
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.constructor import RoundTripConstructor
from ruamel.yaml.error import CommentMark, MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import ScalarNode
from ruamel.yaml.representer import RoundTripRepresenter
from ruamel.yaml.tokens import CommentToken

from constellation.core.okrfile.loader import load_text
from constellation.core.okrfile.problems import OkrFileError, Problem
from constellation.core.okrfile.schema import KINDS, TOP, Kind
from constellation.core.okrfile.writer import plan_data

_WIDTH = 4096  # never fold long titles onto several lines


def format_text(text: str, path: str = "<text>") -> str:
    """The file in canonical layout with its comments; raises OkrFileError when it is invalid."""
    before = load_text(text, path)
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        result = _reformat(text)
    except MarkedYAMLError as error:
        # ruamel is stricter than libyaml in a few corners (a tab before ':'); say where.
        mark = error.problem_mark or error.context_mark
        message = f"cannot be formatted: {error.problem or error.context}; fix this and retry"
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        raise OkrFileError([Problem(path, line, column, message)]) from None
    except YAMLError as error:
        raise OkrFileError([Problem(path, None, None, f"cannot be formatted: {error}")]) from None
    if plan_data(load_text(result, path)) != plan_data(before):
        message = "formatting would change what the file means, so it was left as it is"
        raise OkrFileError([Problem(path, None, None, message)])
    return result


class Verbatim(str):
    """A plain number, yes/no, null or date kept exactly as written, with the tag it resolved to."""

    __slots__ = ("tag",)
    tag: str | None


class _Constructor(RoundTripConstructor):
    """Reads plain typed scalars as their text: ruamel would rewrite some floats (losing digits)."""

    def construct_verbatim(self, node: ScalarNode) -> Verbatim:
        """The scalar's text, remembering its tag so it is written back the same way."""
        text = Verbatim(node.value)
        text.tag = node.tag
        return text


class _Representer(RoundTripRepresenter):
    """Writes Verbatim scalars back as the plain text they were read from."""

    def represent_verbatim(self, data: Verbatim) -> ScalarNode:
        """A plain scalar with the original text and tag."""
        return self.represent_scalar(data.tag, str(data), style=None)


for _tag in ("int", "float", "bool", "null", "timestamp"):
    _Constructor.add_constructor(f"tag:yaml.org,2002:{_tag}", _Constructor.construct_verbatim)
_Representer.add_representer(Verbatim, _Representer.represent_verbatim)


def _reformat(text: str) -> str:
    """The text re-emitted by ruamel with every mapping's keys in canonical order."""
    yaml = _round_trip()
    data = yaml.load(text)
    _reorder(data, TOP)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def _round_trip() -> YAML:
    yaml = YAML()
    yaml.Constructor = _Constructor
    yaml.Representer = _Representer
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    yaml.width = _WIDTH
    return yaml


def _reorder(node: Any, kind: Kind) -> None:
    """Put the keys of a mapping (and of the mappings inside it) in the order of their kind."""
    if not isinstance(node, CommentedMap) or not node:
        return
    rank = {key: index for index, key in enumerate(kind.keys)}
    keys = list(node)
    ordered = sorted(keys, key=lambda key: rank.get(key, len(rank)))
    if ordered != keys:
        trailing = _take_trailing(node, keys[-1])
        for key in ordered:
            node.move_to_end(key)
        if trailing:
            _give_trailing(node, ordered[-1], trailing)
    for key, child in kind.children:
        value = node.get(key)
        if isinstance(value, CommentedSeq):
            for item in value:
                _reorder(item, KINDS[child])
        else:
            _reorder(value, KINDS[child])


def _slot(node: Any, key: Any) -> tuple[Any, Any, int]:
    """Where the comment after a key's value lives: (container, key or index, place in the list).

    ruamel hangs the comment lines that follow a value on the last scalar written before them,
    deep inside nested block collections.
    """
    value = node[key]
    if isinstance(value, CommentedMap) and value and not value.fa.flow_style():
        return _slot(value, list(value)[-1])
    if isinstance(value, CommentedSeq) and value and not value.fa.flow_style():
        if isinstance(value[-1], CommentedMap | CommentedSeq):
            return _slot(value, len(value) - 1)
        return value, len(value) - 1, 0
    return node, key, 2


def _take_trailing(node: CommentedMap, last_key: Any) -> str:
    """Detach the full-line comments after a mapping's last value: they belong to what follows."""
    container, key, place = _slot(node, last_key)
    entry = container.ca.items.get(key)
    token = entry[place] if entry and len(entry) > place else None
    if not isinstance(token, CommentToken):
        return ""
    own, newline, rest = token.value.partition("\n")
    if not rest:
        return ""
    token.value = own + newline
    return rest


def _give_trailing(node: CommentedMap, last_key: Any, lines: str) -> None:
    """Hang full-line comments after the (new) last value of a mapping."""
    container, key, place = _slot(node, last_key)
    entry = container.ca.items.setdefault(key, [None, None, None, None])
    while len(entry) <= place:
        entry.append(None)
    token = entry[place]
    if isinstance(token, CommentToken):
        token.value = (
            token.value + lines if token.value.endswith("\n") else f"{token.value}\n{lines}"
        )
    else:
        entry[place] = CommentToken("\n" + lines, CommentMark(0), None)
