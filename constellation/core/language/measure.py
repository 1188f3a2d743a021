"""Reading a key-result sentence into the numbers a form asks for: baseline, target and unit.

"Raise activation from 34% to 50%" states both ends. "Grow MRR by 20%" states only a
relative change: with a known baseline it becomes an absolute target; without one it is
measured against the start (100 → 120, "% of start") so progress can still be scored.
"Grow signups 10x", "double", "cut in half" are relative changes too. A range ("3 to 5 case
studies", "cut waits to 2-3 days") is met at its near end: the target is its low end when the
number rises, its high end when it falls. "Twice a quarter" is a count of two, not a doubling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from constellation.core.language.lexicon import lemma, word_set
from constellation.core.language.numbers import MULTIPLY_RE, parse_change

# Verbs that move a number down: "cut by 20%" means 80% of the start, not 120%.
_FALLING = word_set("""
    reduce cut lower decrease shrink shorten drop halve slash trim minimise minimize lessen
    eliminate decline fall bring
    """)
_MULTIPLY = {"double": 2.0, "triple": 3.0, "quadruple": 4.0, "halve": 0.5, "twice": 2.0}
_WORD_RE = re.compile(r"[a-z]+")
# "Ship twice a quarter": how often, not a multiple of the start.
_FREQUENCY_RE = re.compile(r"\b(once|twice)\s+(?:a|an|per|each|every)\b")
INDEX_UNIT = "% of start"


@dataclass(frozen=True, slots=True)
class Measure:
    """Baseline, target and unit read from a sentence; `unit` None means keep the typed one."""

    baseline: float | None
    target: float | None
    unit: str | None
    note: str


def _falls(low: str) -> bool:
    """Whether the sentence's first verb moves its number down."""
    words = _WORD_RE.findall(low)[:3]
    return any(lemma(word) in _FALLING or word in _FALLING for word in words)


def _tidy(value: float) -> float:
    """Arithmetic noise removed (34 × 1.2 is 40.8, not 40.800000000000004)."""
    return round(value, 6)


def _multiplier(low: str) -> float | None:
    """The factor of "double", "triple", "halve"... when the sentence has one."""
    if MULTIPLY_RE.search(low) is None:  # "double down on enterprise" multiplies nothing
        return None
    for word in _WORD_RE.findall(low):
        for stem, factor in _MULTIPLY.items():
            if word.startswith(stem.rstrip("e")):
                return factor
    return None


def _range(
    low: float, high: float, unit: str | None, falling: bool, baseline: float | None
) -> Measure:
    """A range's near end as the target: the low end of a rise, the high end of a fall."""
    target, other = (high, low) if falling else (low, high)
    note = f"a range, {low:g} to {high:g}: met at {target:g}; type {other:g} to aim for the far end"
    return Measure(baseline, target, unit, note)


def _relative(by: float, unit: str | None, falling: bool, baseline: float | None) -> Measure:
    """A "by N" change turned into both ends, from the typed baseline or from an index."""
    sign = -1.0 if falling else 1.0
    if unit == "%":
        factor = 1 + sign * by / 100
        if baseline is None:
            return Measure(100.0, _tidy(100 * factor), INDEX_UNIT, _index_note(by, falling))
        word = "down" if falling else "up"
        return Measure(baseline, _tidy(baseline * factor), None, f"{baseline:g}, {word} {by:g}%")
    if unit == "x":
        factor = 1 / by if falling and by else by
        if baseline is None:
            return Measure(100.0, _tidy(100 * factor), INDEX_UNIT, f"{by:g} times the start")
        return Measure(baseline, _tidy(baseline * factor), None, f"{by:g} times {baseline:g}")
    if baseline is None:
        change_unit = f"{unit} change" if unit else "change"
        return Measure(0.0, _tidy(sign * by), change_unit, "a change from where it starts")
    return Measure(baseline, _tidy(baseline + sign * by), None, f"{baseline:g} {sign * by:+g}")


def _index_note(by: float, falling: bool) -> str:
    """Why a relative change without baseline is measured against 100."""
    word = "down" if falling else "up"
    return f"{by:g}% {word}, measured against the start (100); type the baseline to use real values"


def read_measure(statement: str, baseline: float | None = None) -> Measure | None:
    """Baseline, target and unit that a key-result sentence states, or None when it states none.

    `baseline`, when the person already typed one, turns a relative change into a target.
    """
    low = statement.lower()
    falling = _falls(low)
    change = parse_change(statement)
    if change is None:
        often = _FREQUENCY_RE.search(low)
        if often is not None:
            count = 1.0 if often.group(1) == "once" else 2.0
            return Measure(
                baseline, count, None, "a count per period, as often as the sentence says"
            )
        factor = _multiplier(low)
        if factor is None:
            return None
        return _relative(factor, "x", False, baseline)
    if change.by is not None:
        return _relative(change.by, change.unit, falling, baseline)
    if change.upper is not None and change.target is not None:
        return _range(change.target, change.upper, change.unit, falling, baseline)
    start = change.baseline if change.baseline is not None else baseline
    if change.target is None and start is None:
        return None
    if change.baseline is not None and change.target is not None:
        note = "both ends written in the sentence"
    else:
        note = "the sentence states only one end: check the other"
    return Measure(start, change.target, change.unit, note)
