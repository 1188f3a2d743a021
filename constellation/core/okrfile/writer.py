"""Writing a Plan as an OKR file: canonical key order, no defaults, values quoted only when needed.

The text is built directly (no YAML library) so the layout is the one `okr fmt` produces and a
plan exported from the server reads like a hand-written file.
"""

from __future__ import annotations

import dataclasses
import math
from datetime import date
from typing import Any

from constellation.core.model import (
    CheckIn,
    Initiative,
    KeyResult,
    Kpi,
    Objective,
    Plan,
    Team,
)
from constellation.core.okrfile.schema import derive_ids
from constellation.core.okrfile.tree import resolve_plain

# A plain scalar may not start with these (YAML indicators, or '<' '=' '~' which read oddly).
_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@`<=~ \t")
_FLOW = frozenset(",[]{}")
# Characters YAML reads as line breaks or refuses: written as escapes inside double quotes.
_UNSAFE = frozenset("\x85\u2028\u2029\ufeff")
_ESCAPES = {
    "\x00": "0",
    "\x07": "a",
    "\x08": "b",
    "\t": "t",
    "\n": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\u2028": "L",
    "\u2029": "P",
}
_IGNORED_FIELDS = frozenset({"line", "path", "id_given"})


def dump_plan(plan: Plan) -> str:
    """The plan as canonical OKR file text; loading it gives back the same data.

    Objectives are written one at a time, each joined into one piece of text at once: the
    values and lines of a big plan's million check-ins never all exist together.
    """
    lines: list[str] = []
    _mapping(lines, _top(plan), 0)
    pieces = ["\n".join(lines)]
    if plan.objectives:
        pieces.append("objectives:")
    for objective in plan.objectives:
        item: list[str] = []
        _mapping(item, _objective(objective, plan.period), 4)
        item[0] = "  - " + item[0][4:]  # as _mapping writes an item of a list under a key
        pieces.append("\n".join(item))
    return "\n".join(pieces) + "\n"


def plan_data(plan: Plan) -> dict[str, Any]:
    """The plan as plain values without lines, path or id_given: what a file round trip keeps."""
    return _without_positions(dataclasses.asdict(plan))


def _without_positions(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_positions(v) for k, v in value.items() if k not in _IGNORED_FIELDS}
    if isinstance(value, list):
        return [_without_positions(item) for item in value]
    return value


def _top(plan: Plan) -> dict[str, Any]:
    top: dict[str, Any] = {
        "version": plan.version,
        "organization": plan.organization,
        "period": plan.period,
    }
    if plan.has_strategy or plan.vision or plan.mission or plan.levers:
        top["strategy"] = _present(
            vision=plan.vision,
            mission=plan.mission,
            levers=[{"id": lever.id, "title": lever.title} for lever in plan.levers],
        )
    top["teams"] = [_team(team) for team in plan.teams]
    top["kpis"] = [_kpi(kpi) for kpi in plan.kpis]
    return top  # the objectives follow, written one by one (dump_plan)


def _present(**values: Any) -> dict[str, Any]:
    """The keys whose value is given: not None and not an empty list or string."""
    return {key: value for key, value in values.items() if value not in (None, [], "")}


def _team(team: Team) -> dict[str, Any]:
    return _present(id=team.id, name=team.name, parent=team.parent, phase=team.phase)


def _kpi(kpi: Kpi) -> dict[str, Any]:
    return _present(
        id=kpi.id,
        title=kpi.title,
        unit=kpi.unit,
        direction=None if kpi.direction == "increase" else kpi.direction,
        healthy=kpi.healthy.text() if kpi.healthy is not None else None,
        current=kpi.current,
    )


def _objective(objective: Objective, default_period: str) -> dict[str, Any]:
    krs = objective.key_results
    written = _kr_ids_to_write(krs)
    return _present(
        id=objective.id,
        team=objective.team,
        title=objective.title,
        period=None if objective.period == default_period else objective.period,
        focus=objective.focus,
        commitment=None if objective.commitment == "committed" else objective.commitment,
        state=objective.state,
        grade=objective.grade,
        owner=objective.owner,
        levers=objective.levers,
        aligns_to=objective.aligns_to,
        guardrails=objective.guardrails,
        key_results=[_key_result(kr, write_id) for kr, write_id in zip(krs, written, strict=True)],
        initiatives=[_initiative(initiative) for initiative in objective.initiatives],
    )


def _kr_ids_to_write(krs: list[KeyResult]) -> list[bool]:
    """Which KR ids to write: given ones, and derived ones that reading would not derive again."""
    write = [kr.id_given for kr in krs]
    while True:
        ids = derive_ids(
            (kr.title for kr in krs),
            (kr.id if w else None for kr, w in zip(krs, write, strict=True)),
        )
        wrong = [i for i, kr in enumerate(krs) if not write[i] and ids[i] != kr.id]
        if not wrong:
            return write
        for i in wrong:
            write[i] = True


def _key_result(kr: KeyResult, write_id: bool) -> dict[str, Any]:
    return _present(
        id=kr.id if write_id else None,
        title=kr.title,
        type=None if kr.type == "metric" else kr.type,
        baseline=kr.baseline,
        target=kr.target,
        current=kr.current,
        unit=kr.unit,
        done=kr.done,
        healthy=kr.healthy.text() if kr.healthy is not None else None,
        kpi=kr.kpi,
        weight=None if kr.weight == 1 else kr.weight,
        confidence=kr.confidence,
        owner=kr.owner,
        check_ins=[_check_in(check_in) for check_in in kr.check_ins],
    )


def _initiative(initiative: Initiative) -> dict[str, Any]:
    return _present(
        id=initiative.id,
        title=initiative.title,
        status=initiative.status,
        owner=initiative.owner,
        moves=initiative.moves,
        links=initiative.links,
    )


def _check_in(check_in: CheckIn) -> dict[str, Any]:
    return _present(
        on=check_in.on,
        value=check_in.value,
        confidence=check_in.confidence,
        done=check_in.done,
        note=check_in.note,
    )


def _mapping(lines: list[str], mapping: dict[str, Any], indent: int) -> None:
    """Write a block mapping: 2 spaces per level, lists of mappings as '- ' items under the key."""
    pad = " " * indent
    for key, value in mapping.items():
        if isinstance(value, dict):
            if value:
                lines.append(f"{pad}{key}:")
                _mapping(lines, value, indent + 2)
            else:
                lines.append(f"{pad}{key}: {{}}")
        elif isinstance(value, list):
            if not value:
                continue
            if isinstance(value[0], dict):
                lines.append(f"{pad}{key}:")
                for item in value:
                    start = len(lines)
                    _mapping(lines, item, indent + 4)
                    lines[start] = f"{pad}  - {lines[start][indent + 4 :]}"
            else:
                lines.append(
                    f"{pad}{key}: [{', '.join(scalar(item, flow=True) for item in value)}]"
                )
        else:
            lines.append(f"{pad}{key}: {scalar(value)}")


def scalar(value: Any, *, flow: bool = False) -> str:
    """One value as YAML text that reads back as the same value."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, date):
        return value.isoformat()
    return _text(str(value), flow)


def _float(value: float) -> str:
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    if value.is_integer():
        return str(int(value))
    text = repr(value)
    # YAML 1.1 reads an exponent as a number only with a dot in the mantissa (1.0e-05).
    if "e" in text and "." not in text:
        mantissa, exponent = text.split("e")
        text = f"{mantissa}.0e{exponent}"
    return text


def _text(text: str, flow: bool) -> str:
    if _plain_is_safe(text, flow):
        return text
    return '"' + "".join(_escaped(ch) for ch in text) + '"'


def _escaped(ch: str) -> str:
    """One character inside double quotes, escaped the way YAML emitters (and `okr fmt`) do."""
    if ch in _ESCAPES:
        return "\\" + _ESCAPES[ch]
    if " " <= ch <= "~" or ("\xa0" <= ch <= "\ud7ff" and ch not in _UNSAFE):
        return ch
    if ("\ue000" <= ch <= "\ufffd" and ch not in _UNSAFE) or ch >= "\U00010000":
        return ch
    code = ord(ch)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    return f"\\u{code:04X}" if code <= 0xFFFF else f"\\U{code:08X}"


def _plain_is_safe(text: str, flow: bool) -> bool:
    """Whether text can be written unquoted and read back as the same text."""
    if not text or text[0] in _FIRST or text[-1] in " \t:":
        return False
    if ": " in text or " #" in text or text.startswith(("---", "...")):
        return False
    if flow and any(ch in _FLOW for ch in text):
        return False
    if not text.isprintable() or any(ch in _UNSAFE for ch in text):
        return False
    return resolve_plain(text) == text and resolve_plain(text).__class__ is str
