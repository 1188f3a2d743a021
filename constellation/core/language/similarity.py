"""How alike two statements are, to catch a key result copied down from a parent objective."""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from constellation.core.language import lexicon as lx
from constellation.core.language.lexicon import word_set

# At or above this similarity a key result counts as a copy of its parent's.
COPY_THRESHOLD = 0.85

_TOKEN_RE = re.compile(r"[$€£]?\d[\d,]*(?:\.\d+)?(?:k|m|bn)?\b%?|[a-z][a-z0-9'’\-]*", re.I)
_MULTIPLIERS = {"k": 1e3, "m": 1e6, "bn": 1e9}
# Verbs of the same direction say the same thing: "grow" and "increase" are one change.
_UP = word_set("increase raise grow lift boost improve expand double triple accelerate")
_DOWN = word_set("reduce cut lower decrease shrink shorten halve minimise minimize trim")


def _number(token: str) -> str:
    """A number written in a canonical form: "$1.1M" and "$1,100,000" read the same."""
    low = token.lower().replace(",", "")
    prefix = low[0] if low[0] in "$€£" else ""
    suffix = "%" if low.endswith("%") else ""
    core = low[len(prefix) : len(low) - len(suffix)]
    mult = 1.0
    for unit in ("bn", "k", "m"):
        if core.endswith(unit):
            mult, core = _MULTIPLIERS[unit], core[: -len(unit)]
            break
    try:
        value = float(core) * mult
    except ValueError:
        return low
    return f"{prefix}{value:g}{suffix}"


@lru_cache(maxsize=1 << 14)
def _bag(text: str) -> Counter[str]:
    """The content words of a statement, lemmatised, as a multiset."""
    bag: Counter[str] = Counter()
    for token in _TOKEN_RE.findall(text):
        if token[0].isdigit() or token[0] in "$€£":
            bag[_number(token)] += 1
            continue
        # "e-book" and "ebook" are one word; hyphens only join its parts.
        word = token.lower().strip("'’-").replace("-", "")
        if not word or word in lx.STOP_WORDS:
            continue
        base = lx.lemma(word)
        bag["+up" if base in _UP else "+down" if base in _DOWN else base] += 1
    return bag


def similarity(a: str, b: str) -> float:
    """0..1: 1.0 for the same words; near-identical statements score >= COPY_THRESHOLD."""
    bag_a, bag_b = _bag(a), _bag(b)
    total = sum(bag_a.values()) + sum(bag_b.values())
    if total == 0:
        return 1.0 if a.strip().lower() == b.strip().lower() else 0.0
    shared = sum((bag_a & bag_b).values())
    return 2.0 * shared / total
