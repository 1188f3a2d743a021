"""Numbers in a statement: which are quantities to reach, and the change they describe."""

from __future__ import annotations

import re
from dataclasses import dataclass

from constellation.core.language.lexicon import NUMBER_WORDS, is_known, word_set


@dataclass(frozen=True, slots=True)
class Change:
    """A change read from a sentence: baseline and target values and their unit.

    `by` holds a relative change ("by 25%", unit "%") when the sentence states no target.
    """

    baseline: float | None
    target: float | None
    unit: str | None
    by: float | None = None


# One amount: an optional currency, a number, a glued multiplier, a percent sign or a unit word.
_AMOUNT = (
    r"(?P<cur{i}>[$€£])?\s?(?P<num{i}>\d+(?:,\d{{3}})+(?:\.\d+)?|\d*\.?\d+)"
    r"(?:(?P<mult{i}>k|mn|m|bn|b)\b|\s(?P<bigmult{i}>thousand|million|billion)\b)?"
    r"\s?(?P<pct{i}>%|percent\b|pp\b|percentage points?\b|points?\b|pts\b|x\b)?"
    r"(?:\s?(?P<unit{i}>ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?"
    r"|weeks?|months?|years?)\b)?"
)
AMOUNT_RE = re.compile(_AMOUNT.format(i=""))
_QUALIFIERS = (
    r"(?:(?:at|least|most|under|below|over|above|just|about|around|less|more|fewer|than|only"
    r"|down|up|no)\s+){0,3}"
)
FROM_TO_RE = re.compile(
    r"\bfrom\s+(?:about\s+|around\s+|~)?"
    + _AMOUNT.format(i="1")
    + r"[\w .,/%-]{0,40}?\s(?:to|->|→)\s+"
    + _QUALIFIERS
    + _AMOUNT.format(i="2"),
)
BY_RE = re.compile(
    r"\bby\s+(?:(?:at least|over|more than|about|around|a further|another|up to)\s+)?"
    r"(?:(?P<cur>[$€£])\s?(?P<money>\d[\d,]*(?:\.\d+)?)(?P<mult>k|mn|m|bn|b)?\b"
    r"|(?P<num>\d[\d,]*(?:\.\d+)?)\s?(?P<unit>%|percent\b|pp\b|percentage points?\b|points?\b"
    r"|pts\b|x\b|times\b)"
    r"|(?P<frac>half|a half|a third|a quarter|two thirds|a fifth|a tenth)\b)",
)
TO_RE = re.compile(r"\b(?:to|reach(?:es|ing)?|hit|exceed|of)\s+" + _QUALIFIERS + r"(?=[$€£]?\s?\d)")
LEVEL_RE = re.compile(
    r"\b(?:at or above|at or below|at least|at most|above|below|under|over|no more than"
    r"|no less than|less than|more than|fewer than|within|at|between)\s+[$€£]?\s?\d"
    r"|\d\s?%?\s+or\s+(?:higher|lower|more|less|better|above|below|fewer)\b"
    r"|[<>≤≥]=?\s?[$€£]?\d",
)
# "..., down from 6%": the baseline written after the target.
SINCE_RE = re.compile(r"\b(?:down|up|rising|falling|dropping|growing) from\s+(?=[$€£]?\s?\d)")
PCT_OF_RE = re.compile(r"(?<![\w.])(\d+(?:\.\d+)?)\s?(?:%|percent)\s+of\b")
MULTIPLY_RE = re.compile(
    r"\b(?:doubl|tripl|quadrupl|halv|twice|tenfold|twofold|threefold|by half)|\dx\b|\d x\b"
)
# Numbers that name things rather than count them: "version 2", "ISO 27001", "Python 3.13".
_NUMBER_RE = re.compile(
    r"(?<![\w.\-/])([$€£]\s?)?(\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*)"
    r"(?:(k|mn|m|bn|b)\b)?(\s?%)?(?P<glue>-[a-z]|/\d|[a-z])?",
    re.I,
)
# "one" mostly means "a single" ("into one site", "one platform"), not a count to reach.
_COUNT_WORDS = frozenset(NUMBER_WORDS) - {"one"}
_WORD_NUMBER_RE = re.compile(
    r"(?<!the )(?<!our )(?<![\w-])(" + "|".join(_COUNT_WORDS) + r")(?![\w-])\s+(?!of\b)[a-z]", re.I
)
_SPELLED_RE = re.compile(r"(?<![\w-])(" + "|".join(NUMBER_WORDS) + r")(?![\w-])", re.I)
_NAMING_WORDS = word_set("""
    version v release phase iso python ios android windows soc level tier type gen generation
    series section article chapter route sprint week day quarter q step stage wave room ward
    grade year gate pci covid web ipv ecmascript es php java node postgres postgresql django
    react ubuntu debian rhel iphone pixel galaxy model
    """)
_MONTHS = word_set("""
    january february march april may june july august september october november december jan
    feb mar apr jun jul aug sep sept oct nov dec
    """)
# "the three warehouses" names a known set; it is not a number to reach.
SET_NAMERS = word_set("the our these those its their both")
_YEAR_LEADS = word_set("in by of for until before during since fy end")
_WORD_BEFORE_RE = re.compile(r"([A-Za-z][\w'’-]*)\W*$")
_WORD_AFTER_RE = re.compile(r"\W*([A-Za-z]+)")

_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_UNITS = {
    "%": "%",
    "percent": "%",
    "pp": "pp",
    "percentage point": "pp",
    "percentage points": "pp",
    "point": "points",
    "points": "points",
    "pts": "points",
    "x": "x",
    "times": "x",
}
_TIME_UNITS = {
    "ms": "ms",
    "s": "s",
    "sec": "s",
    "secs": "s",
    "min": "min",
    "mins": "min",
    "h": "h",
    "hr": "h",
    "hrs": "h",
    "day": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
}
_FRACTIONS = {
    "half": 50.0,
    "a half": 50.0,
    "a third": 100 / 3,
    "a quarter": 25.0,
    "two thirds": 200 / 3,
    "a fifth": 20.0,
    "a tenth": 10.0,
}


def _naming(text: str, start: int, end: int, raw: str) -> bool:
    """True when the number at text[start:end] names or dates something instead of counting."""
    # Only the word just before matters; a bounded window keeps long input linear.
    before = _WORD_BEFORE_RE.search(text, max(0, start - 48), start)
    if before is not None:
        word = before.group(1)
        low = word.lower()
        if low in _NAMING_WORDS or low in _MONTHS or low in SET_NAMERS:
            return True
        # A capitalised word inside the sentence before a bare number is a name: "Windows 11".
        if before.start(1) > 0 and word[0].isupper() and not word.isupper() and not is_known(low):
            return True
        if word.isupper() and len(word) > 1 and before.start(1) > 0 and "." not in raw:
            return low not in {"nps", "csat", "mrr", "arr", "kpi"}
    after = _WORD_AFTER_RE.match(text, end)
    if after is not None and after.group(1).lower() in _MONTHS:
        return True
    if raw.count(".") > 1:
        return True
    if len(raw) == 4 and raw[:2] in ("19", "20") and raw.isdigit():
        return before is None or before.group(1).lower() in _YEAR_LEADS or after is None
    return False


def has_quantity(text: str, words: list[str] | None = None) -> bool:
    """True when the statement holds a number to reach (not a version, a name or a date).

    `words`, the statement's lower-case words when the caller has them, spares a regex pass.
    """
    for match in _NUMBER_RE.finditer(text):
        if match.group("glue"):
            continue
        if match.group(1) or match.group(4):
            return True
        if not _naming(text, match.start(2), match.end(), match.group(2)):
            return True
    if words is None:
        found = _WORD_NUMBER_RE.search(text) is not None
    else:
        found = any(
            w in _COUNT_WORDS
            and i + 1 < len(words)
            and words[i + 1] not in ("of", "#")
            and (i == 0 or words[i - 1] not in SET_NAMERS)
            for i, w in enumerate(words)
        )
    return found or MULTIPLY_RE.search(text.lower()) is not None


def has_change(low: str) -> bool:
    """True when a lower-case statement moves a number: from A to B, by N%, or double."""
    return (
        FROM_TO_RE.search(low) is not None
        or BY_RE.search(low) is not None
        or MULTIPLY_RE.search(low) is not None
        or SINCE_RE.search(low) is not None
    )


def _value(match: re.Match[str], i: str = "") -> tuple[float, str | None, bool]:
    """The value, unit and whether a multiplier was written, from one amount match."""
    value = float(match.group("num" + i).replace(",", ""))
    mult = match.group("mult" + i) or match.group("bigmult" + i)
    if mult:
        value *= _MULTIPLIERS[mult.lower()]
    unit = match.group("cur" + i)
    pct = match.group("pct" + i)
    if unit is None and pct:
        unit = _UNITS.get(pct.lower().strip(), pct.lower())
    word = match.group("unit" + i)
    if unit is None and word:
        low = word.lower()
        unit = _TIME_UNITS.get(low.rstrip("s") if len(low) > 2 else low)
        if unit is None:
            unit = {"millisecond": "ms", "second": "s", "minute": "min", "hour": "h"}.get(
                low.rstrip("s"), low
            )
    return value, unit, bool(mult)


def _from_to(match: re.Match[str]) -> Change:
    """A Change from a "from A to B" match, sharing unit and multiplier between the two ends."""
    base, base_unit, base_mult = _value(match, "1")
    target, target_unit, target_mult = _value(match, "2")
    raw_base = float(match.group("num1").replace(",", ""))
    raw_target = float(match.group("num2").replace(",", ""))
    # "from 1.2 to 1.5M": a multiplier written once applies to both ends.
    if target_mult and not base_mult and raw_base < 1000:
        base = raw_base * (target / raw_target if raw_target else 1.0)
    elif base_mult and not target_mult and raw_target < 1000:
        target = raw_target * (base / raw_base if raw_base else 1.0)
    return Change(base, target, target_unit or base_unit)


def _by(match: re.Match[str]) -> Change:
    """A relative Change from a "by N%" match."""
    if match.group("frac"):
        return Change(None, None, "%", by=_FRACTIONS[match.group("frac").lower()])
    if match.group("money"):
        value = float(match.group("money").replace(",", ""))
        if match.group("mult"):
            value *= _MULTIPLIERS[match.group("mult").lower()]
        return Change(None, None, match.group("cur"), by=value)
    unit = match.group("unit").lower()
    return Change(None, None, _UNITS.get(unit, unit), by=float(match.group("num").replace(",", "")))


def _digits(match: re.Match[str]) -> str:
    """A number word written in digits."""
    return f"{NUMBER_WORDS[match.group(1).lower()]:g}"


def parse_change(text: str) -> Change | None:
    """The baseline, target and unit written in a statement, or None when it states no number."""
    text = _SPELLED_RE.sub(_digits, text)
    original, text = text, text.lower()
    match = FROM_TO_RE.search(text)
    if match is not None:
        return _from_to(match)
    match = BY_RE.search(text)
    if match is not None:
        return _by(match)
    since = SINCE_RE.search(text)
    if since is not None:
        return _since(text, since)
    match = PCT_OF_RE.search(text)
    if match is not None:
        return Change(None, float(match.group(1)), "%")
    for pattern in (TO_RE, LEVEL_RE):
        found = pattern.search(text)
        if found is not None:
            amount = AMOUNT_RE.search(text, found.start())
            if amount is not None:
                value, unit, _ = _value(amount)
                return Change(None, value, unit)
    return _first_quantity(original)


def _since(text: str, since: re.Match[str]) -> Change:
    """A Change from "N ..., down from M": M is the baseline, the first other amount the target."""
    base = AMOUNT_RE.match(text, since.end())
    baseline, unit = (None, None) if base is None else _value(base)[:2]
    for amount in AMOUNT_RE.finditer(text, 0, since.start()):
        value, target_unit, _ = _value(amount)
        return Change(baseline, value, target_unit or unit)
    return Change(baseline, None, unit)


def _first_quantity(text: str) -> Change | None:
    """A target from the first counting number of a statement, or None."""
    for match in _NUMBER_RE.finditer(text):
        if match.group("glue"):
            continue
        counted = match.group(1) or match.group(4)
        if counted or not _naming(text, match.start(2), match.end(), match.group(2)):
            amount = AMOUNT_RE.match(text, match.start())
            if amount is not None:
                value, unit, _ = _value(amount)
                return Change(None, value, unit)
    word = _WORD_NUMBER_RE.search(text)
    if word is not None:
        return Change(None, NUMBER_WORDS[word.group(1).lower()], None)
    return None
