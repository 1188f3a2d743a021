"""Numbers in a statement: which are quantities to reach, and the change they describe.

A number is read as a person reads it:

- Digits count unless they name or date something: "Windows 11", "Python 3.13", "multistream
  2.0", "tier 1", "v2", "Q3", "FY26", "H1 2024", "Web 3", "COVID-19", "ISO 27001", "24/7",
  "by 5/1/15", a year.
- A unit or a multiplier glued to digits belongs to the amount: "3s", "200ms", "2h", "1TB",
  "5GB", "50k+", "3.5M", "10x", "$7.7M", "99.9%". Other letters glued to digits make a name:
  "5G", "3D", "2FA", "1st", "2H".
- A fraction in digits is a share when it is a proper one over a small whole: "2/3", "9/10",
  "4/5". "24/7" and "5/1" are not fractions.
- A number word counts when it counts something: "two new customers", "a dozen case studies",
  "no more than three", "hire a dozen", "zero P1 incidents". It does not in "the three
  warehouses" (a known set), "two of them", "zero trust" (a name), nor in "hundreds of", which
  sizes without setting a target.
- "one" mostly means "a single": "consolidate into one site", "one platform", "one source of
  truth". It counts when the noun after it is a person taken on or a result won ("one hire",
  "one new customer", "one data engineer", "one enterprise deal"), when a verb of taking on or
  winning comes just before it ("hire one", "sign one new account"), after "at least", "more
  than", "at most", and as a time limit ("within one day").
- A fraction word counts as a share or a change: "half of new users", "a third of", "cut by a
  third", "cut in half", "in half the time". It does not as a period or a rank: "the first half
  of 2025", "once a quarter", "a third party".
- "double", "triple", "halve", "twice", "tenfold" multiply; "double down" does not.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from constellation.core.language.lexicon import (
    ARTEFACT_NOUNS,
    DELIVER_VERBS,
    EVENT_NOUNS,
    FRACTION_WORDS,
    METRIC_VERBS,
    NUMBER_MULTIPLIERS,
    NUMBER_TENS,
    NUMBER_WORDS,
    PERSON_NOUNS,
    PHRASE_BREAKS,
    RESULT_NOUNS,
    is_known,
    lemma,
    word_set,
)


@dataclass(frozen=True, slots=True)
class Change:
    """A change read from a sentence: baseline and target values and their unit.

    `by` holds a relative change ("by 25%", unit "%") when the sentence states no target.
    `upper` holds the other end of a range ("3 to 5 case studies", "4-5 stars"): `target` is
    then the low end.
    """

    baseline: float | None
    target: float | None
    unit: str | None
    by: float | None = None
    upper: float | None = None


# One amount: an optional currency, a number, a glued multiplier, a percent sign or a unit word.
_AMOUNT = (
    r"(?P<cur{i}>[$€£])?\s?(?P<num{i}>\d+(?:,\d{{3}})+(?:\.\d+)?|\d*\.?\d+)"
    r"(?:(?P<mult{i}>k|mm|mn|m|bn|b)\b|\s(?P<bigmult{i}>thousand|million|billion)\b)?"
    r"\s?(?P<pct{i}>%|percent\b|pp\b|percentage points?\b|points?\b|pts\b|x\b)?"
    r"(?:\s?(?P<unit{i}>ms|milliseconds?|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?"
    r"|weeks?|months?|years?|kbps|mbps|gbps|kb|mb|gb|tb|pb|kg|km)\b)?"
)
AMOUNT_RE = re.compile(_AMOUNT.format(i=""))
_AMOUNT_ANY_CASE_RE = re.compile(_AMOUNT.format(i=""), re.I)
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
    r"|(?P<frac>half|(?:a|one)[ -]half|(?:a|one)[ -]third|(?:a|one)[ -]quarter|two[ -]thirds"
    r"|three[ -]quarters|(?:a|one)[ -]fifth|(?:a|one)[ -]tenth)\b(?!\s+part(?:y|ies)\b))",
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
    r"\b(?:doubl(?!e down|ing down)|tripl|quadrupl|halv|twice|tenfold|twofold|threefold"
    r"|by half|in half)|\dx\b|\d x\b"
)
# "3 to 5 case studies", "4-5 stars", "$1-2M": a range (or, after a verb of change, both ends).
RANGE_RE = re.compile(
    r"(?<![\w.\-/:])"
    + _AMOUNT.format(i="1")
    + r"(?:\s?[-–]\s?|\s+to\s+)"
    + _AMOUNT.format(i="2")
    + r"(?![\d/.:-])"
)
BETWEEN_RE = re.compile(
    r"\bbetween\s+" + _AMOUNT.format(i="1") + r"\s+and\s+" + _AMOUNT.format(i="2")
)
# "2/3 of users", "4 out of 5 users", "1 in 5 customers", "4/5 or higher".
SHARE_RE = re.compile(
    r"(?<![\w.\-/:])(?P<n>\d+(?:\.\d+)?)(?P<sep>/|\s+out\s+of\s+|\s+in\s+)(?P<d>\d+)(?![\d/.,:])"
    r"(?:\s+(?P<next>[a-z]+))?"
)
# "half of", "a third of", "two thirds of": a share written in words.
_FRACTION_OF_RE = re.compile(
    r"(?<![\w-])(?:(?P<count>a|an|one|two|three|four|nine)[\s-]+)?"
    r"(?P<frac>half|thirds?|quarters?|fifths?|tenths?)\s+of\b"
)
# "Grow signups 10x": a multiple of the start.
_TIMES_RE = re.compile(
    r"(?<![\w.])(\d+(?:\.\d+)?)\s?x\b(?!\s*\d)(?:\s+(?P<more>more|faster|fewer|less|higher|lower"
    r"|bigger|larger|better|cheaper|quicker|smaller)\b)?"
)
_IN_HALF_RE = re.compile(r"\bin half\b")
# A number and what is glued to it: a unit or multiplier ("3s", "1TB"), a percent sign, a
# denominator ("2/3"), or letters and marks that make it a name ("5G", "COVID-19", "24/7").
_NUMBER_RE = re.compile(
    r"(?<![\w.\-/])([$€£]\s?)?(\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)*|\.\d+)"
    r"(?:(?P<suffix>[A-Za-z]+\+?)(?!\w)|(?P<pct>\s?%)|/(?P<den>\d+)(?![\d/])"
    r"|(?P<glue>-[A-Za-z]|/\d|[A-Za-z]))?"
)
_DIGIT_RE = re.compile(r"\d")
_TOKEN_RE = re.compile(r"[a-z][a-z0-9'’&\-]*|\d[\d,.]*", re.I)

# Units and multipliers written glued to a number, in any case ("1TB", "1tb", "50K", "10x").
_GLUED_UNITS = word_set("""
    k m mm mn bn b x kb mb gb tb pb kbps mbps gbps pp pts bps rps qps fps kg km cm kwh mwh pct
    """)
# Units glued in lower case only: "3S" and "2H" are names, "3s" and "2h" are times.
_GLUED_TIME_UNITS = word_set("s ms sec secs min mins h hr hrs")
# Words after a bare number that make it an amount: "1.5 s", "2.0 points".
_UNIT_WORDS = word_set("""
    s ms sec secs second seconds min mins minute minutes h hr hrs hour hours day days week weeks
    month months year years x times percent points pts pp stars star k m bn million billion
    thousand
    """)

# Numbers that name things rather than count them: "version 2", "ISO 27001", "Python 3.13".
_NAMING_WORDS = word_set("""
    version ver v release phase iso python ios android windows soc level tier type gen generation
    series section article chapter route sprint week day quarter q step stage wave room ward
    grade year gate pci covid web ipv ecmascript es php java node postgres postgresql django
    react ubuntu debian rhel iphone pixel galaxy model fy cy h edition season episode part
    zone floor pod squad http oauth tls ssl wcag nist fedramp hitrust hipaa usb
    """)
# Measures whose value follows them bare: "CSAT 4.5" is a level, "multistream 2.0" a version.
_MEASURE_WORDS = word_set("""
    score rating ratio index churn rate average median mean cac ltv roas roi apdex nps csat
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

# Words before a number word at the end of a phrase that make it a target: "no more than three".
_NUMBER_LEADS = word_set("""
    than least most to from by under over below above within exactly about around
    approximately approx roughly nearly almost only just reach reaches reached hit hits avg
    """)
# Verbs whose object "one" counts: "hire one", "sign one new account".
_COUNTING_VERBS = word_set("""
    hire recruit sign close win land onboard acquire gain attract book secure retain convert
    enrol enroll employ appoint staff
    """)
# People taken on, counted by "one": "one hire", "one data engineer".
_ROLE_NOUNS = word_set("""
    hire engineer designer developer manager analyst scientist researcher recruiter salesperson
    rep ae sdr bdr intern writer marketer specialist director head architect consultant
    coordinator officer executive vp cto cfo coo ceo cmo ambassador champion mentor advisor
    contributor maintainer tester editor nurse doctor teacher trainer coach
    """)
# Person nouns that "one" makes "a single" rather than a count: "one team", "one account".
_SINGLE_SENSE = word_set("""
    team family people business company organisation organization workspace household account
    school hospital partner owner admin
    """)
_TIME_NOUNS = word_set("minute hour day week month year sprint quarter")
# "the first two months", "the next 90 days": a period, not a target.
_PERIOD_LEADS = word_set("first next last past coming following initial final")
_SENTENCE_ENDS = frozenset(".:;!?")
_TIME_LEADS = word_set("within under in to than below")
# "zero trust", "zero-day": names, not a count of nothing.
_ZERO_NAMES = word_set("trust touch knowledge day shot sum based party")
# Words before a fraction word that make it a period or a rank, not a share.
_ORDINAL_LEADS = word_set("""
    first second third fourth last next this that each every per the our its their these those
    same back front latter former
    """)
_FRACTION_LEADS = word_set("""
    by than over under about around nearly almost least most only just roughly
    """)
_NUMBERISH = frozenset(NUMBER_WORDS) | frozenset(FRACTION_WORDS)

_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
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
_DATA_UNITS = {
    "kb": "KB",
    "mb": "MB",
    "gb": "GB",
    "tb": "TB",
    "pb": "PB",
    "kbps": "kbps",
    "mbps": "Mbps",
    "gbps": "Gbps",
}
_FRACTIONS = {
    "half": 50.0,
    "a half": 50.0,
    "a third": 100 / 3,
    "a quarter": 25.0,
    "two thirds": 200 / 3,
    "three quarters": 75.0,
    "a fifth": 20.0,
    "a tenth": 10.0,
}


def _word_before(text: str, start: int) -> tuple[str, int] | None:
    """The word just before text[start:] and where it starts, across spaces and marks."""
    # The common case, "word 12", without a regex.
    if start > 1 and text[start - 1] == " ":
        lowest = max(0, start - 48)
        begin = text.rfind(" ", lowest, start - 1) + 1
        word = text[begin : start - 1]
        if (begin or not lowest) and word.isascii() and word.isalpha():
            return word, begin
    # Only the word just before matters; a bounded window keeps long input linear.
    found = _WORD_BEFORE_RE.search(text, max(0, start - 48), start)
    return None if found is None else (found.group(1), found.start(1))


def _naming(text: str, start: int, end: int, raw: str) -> bool:
    """True when the number at text[start:end] names or dates something instead of counting."""
    before = _word_before(text, start)
    version = period = False
    if before is not None:
        word, begin = before
        low = word.lower()
        if low in _NAMING_WORDS or low in _MONTHS or low in SET_NAMERS:
            # "Release 4 new workshops": a verb that starts the statement, not "release 4".
            if begin or "." in raw or low not in DELIVER_VERBS:
                return True
        # A capitalised word inside the sentence before a bare number is a name: "Windows 11".
        elif (
            begin > 0
            and word[0].isupper()
            and not word.isupper()
            and not is_known(low)
            and text[max(0, begin - 8) : begin].rstrip()[-1:] not in _SENTENCE_ENDS
        ):
            return True
        if word.isupper() and len(word) > 1 and begin > 0 and "." not in raw:
            return low not in {"nps", "csat", "mrr", "arr", "kpi"}
        # A decimal after a word of no known class is a version: "multistream 2.0".
        version = (
            "." in raw
            and low.isalpha()
            and low not in _MEASURE_WORDS
            and low not in _NUMBER_LEADS
            and not is_known(low)
        )
        period = low in _PERIOD_LEADS
    after = _WORD_AFTER_RE.match(text, end)
    after_word = None if after is None else after.group(1).lower()
    if version and after_word not in _UNIT_WORDS:
        return True
    # "within the first 90 days": a period, not a number to reach.
    if period and after_word is not None and lemma(after_word) in _TIME_NOUNS:
        return True
    if after_word in _MONTHS:
        return True
    if raw.count(".") > 1:
        return True
    if len(raw) == 4 and raw[:2] in ("19", "20") and raw.isdigit():
        return before is None or before[0].lower() in _YEAR_LEADS or after is None
    return False


def _glued_unit(suffix: str, raw: str) -> bool:
    """True when letters glued to a number are its unit or multiplier: "3s", "1TB", "50k+"."""
    unit = suffix.rstrip("+")
    if unit == "s" and len(raw) == 4 and raw[:2] in ("19", "20"):
        return False  # "the 1990s"
    return unit in _GLUED_TIME_UNITS or unit.lower() in _GLUED_UNITS


def _fraction(numerator: str, denominator: str) -> float | None:
    """The share of a digit fraction, or None for "24/7", "5/1" and dates like "3/15"."""
    top, bottom = float(numerator.replace(",", "")), int(denominator)
    if 0 < top < bottom and (bottom <= 10 or bottom in (100, 1000)):
        return top / bottom
    return None


def _counting(text: str, match: re.Match[str]) -> bool:
    """True when a _NUMBER_RE match is a quantity rather than a name, a version or a date."""
    currency, raw, suffix, pct, denominator, glue = match.groups()
    if suffix is not None:
        return currency is not None or _glued_unit(suffix, raw)
    if glue:
        # "a 4.5-star rating" is a rating; "3-day", "COVID-19" and "24/7" name things.
        return glue in ("-s", "-S") and text.startswith("star", match.end(2) + 1)
    if denominator is not None:
        return _fraction(raw, denominator) is not None
    if currency or pct:
        return True
    return not _naming(text, match.start(2), match.end(2), raw)


def _words(low: str) -> list[str]:
    """The words of a lower-case statement, numbers in digits as "#"."""
    return [w if w[0].isalpha() else "#" for w in _TOKEN_RE.findall(low)]


def _compound(word: str) -> float | None:
    """The value of "twenty-five", or None for any other word."""
    tens, _, unit = word.partition("-")
    if tens in NUMBER_TENS and unit in NUMBER_WORDS and NUMBER_WORDS[unit] < 10:
        return NUMBER_WORDS[tens] + NUMBER_WORDS[unit]
    return None


def _word_value(word: str) -> float | None:
    """The value of one number word ("a" before "dozen" is one), or None."""
    if word in NUMBER_WORDS:
        return NUMBER_WORDS[word]
    if "-" in word:
        return _compound(word)
    return None


def _joins(words: list[str], j: int, last: str) -> int:
    """How many words from words[j] carry on the number ending in `last` (0 when none)."""
    word = words[j]
    if word in NUMBER_MULTIPLIERS:
        return 1
    if last in NUMBER_TENS and word in NUMBER_WORDS and NUMBER_WORDS[word] < 10:
        return 1  # "twenty five"
    if last in NUMBER_MULTIPLIERS and last != "dozen":
        if word == "and" and j + 1 < len(words) and _word_value(words[j + 1]) is not None:
            return 2  # "two hundred and fifty"
        if word not in NUMBER_MULTIPLIERS and _word_value(word) is not None:
            return 1
    return 0


def _runs(words: list[str]) -> Iterator[tuple[int, int, float]]:
    """Number words read together ("two hundred and fifty", "a dozen"): start, end, value."""
    i, n = 0, len(words)
    while i < n:
        word = words[i]
        if word in ("a", "an") and i + 1 < n and words[i + 1] in NUMBER_MULTIPLIERS:
            value: float | None = 1.0
        else:
            value = _word_value(word)
        if value is None:
            i += 1
            continue
        total, current, last, j = 0.0, value, word, i + 1
        if word in NUMBER_MULTIPLIERS and word not in ("hundred", "dozen"):
            total, current = value, 0.0
        while j < n:
            step = _joins(words, j, last)
            if not step:
                break
            last = words[j + step - 1]
            size = NUMBER_WORDS.get(last) or _compound(last) or 0.0
            if last in ("hundred", "dozen"):
                current = (current or 1.0) * size
            elif last in NUMBER_MULTIPLIERS:
                total, current = total + (current or 1.0) * size, 0.0
            else:
                current += size
            j += step
        yield i, j, total + current
        i = j


def _one_counts(words: list[str], i: int) -> bool:
    """Whether "one" at words[i] counts something rather than meaning "a single"."""
    prev = words[i - 1] if i else ""
    if prev in ("than", "least", "most"):
        return True
    for j in range(i + 1, min(i + 4, len(words))):
        word = words[j]
        if word == "#" or word in PHRASE_BREAKS:
            break
        base = lemma(word)
        if word in _ROLE_NOUNS or base in _ROLE_NOUNS or base in RESULT_NOUNS:
            return True
        if base in _TIME_NOUNS:
            return prev in _TIME_LEADS
        if base in ARTEFACT_NOUNS or base in EVENT_NOUNS:
            return False
        if base in PERSON_NOUNS and base not in _SINGLE_SENSE:
            return True
    return prev in _COUNTING_VERBS or lemma(prev) in _COUNTING_VERBS


def _run_counts(words: list[str], i: int, j: int) -> bool:
    """Whether the number words words[i:j] are a quantity to reach."""
    prev = words[i - 1] if i else ""
    nxt = words[j] if j < len(words) else ""
    if prev in SET_NAMERS or prev == "#" or nxt in FRACTION_WORDS:
        return False
    if prev in _PERIOD_LEADS and lemma(nxt) in _TIME_NOUNS:
        return False  # "within the first two months"
    first = words[i]
    if j - i == 1:
        if first == "one":
            return _one_counts(words, i)
        if first == "zero" and nxt in _ZERO_NAMES:
            return False
    if nxt:
        return nxt not in ("of", "#")
    return first in ("a", "an") or j - i > 1 or prev in _NUMBER_LEADS or prev in _COUNTING_VERBS


def _fraction_counts(words: list[str], i: int) -> bool:
    """Whether a fraction word at words[i] is a share or a change, not a period or a rank."""
    prev = words[i - 1] if i else ""
    if prev in _ORDINAL_LEADS:
        return False
    nxt = words[i + 1] if i + 1 < len(words) else ""
    if nxt in ("party", "parties"):
        return False
    if nxt == "of" or (words[i] == "half" and nxt == "the"):
        return True
    if prev in ("by", "in", "than"):
        return True
    prev2 = words[i - 2] if i > 1 else ""
    return (prev in ("a", "an") or prev in NUMBER_WORDS) and prev2 in _FRACTION_LEADS


def _words_count(words: list[str]) -> bool:
    """True when number or fraction words in `words` make a quantity to reach."""
    for i, j, _ in _runs(words):
        if _run_counts(words, i, j):
            return True
    for i, word in enumerate(words):
        if word in FRACTION_WORDS and _fraction_counts(words, i):
            return True
    return False


def has_quantity(text: str, words: list[str] | None = None) -> bool:
    """True when the statement holds a number to reach (not a version, a name or a date).

    `words`, the statement's lower-case words (numbers in digits as "#") when the caller has
    them, spares a regex pass. The rules are in this module's docstring.
    """
    digit = _DIGIT_RE.search(text)
    if digit is not None:
        # The match may start at a currency sign and a space before the first digit.
        for match in _NUMBER_RE.finditer(text, max(0, digit.start() - 2)):
            if _counting(text, match):
                return True
    low = text.lower()
    if words is None:
        words = _words(low)
    if (not _NUMBERISH.isdisjoint(words) or "ty-" in low) and _words_count(words):
        return True
    return _may_multiply(low) and MULTIPLY_RE.search(low) is not None


def _may_multiply(low: str) -> bool:
    """The cheap test before MULTIPLY_RE: one of its stems is in `low`."""
    return (
        "doubl" in low
        or "tripl" in low
        or "quadrupl" in low
        or "halv" in low
        or "twice" in low
        or "fold" in low
    )


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
    unit = match.group("cur" + i)
    if mult and mult.lower() == "mm" and unit is None:
        return value, "mm", False  # millimetres; "$1MM" is a million
    if mult:
        value *= _MULTIPLIERS[mult.lower()]
    pct = match.group("pct" + i)
    if unit is None and pct:
        unit = _UNITS.get(pct.lower().strip(), pct.lower())
    word = match.group("unit" + i)
    if unit is None and word:
        low = word.lower()
        unit = _DATA_UNITS.get(low) or _TIME_UNITS.get(low.rstrip("s") if len(low) > 2 else low)
        if unit is None:
            unit = {"millisecond": "ms", "second": "s", "minute": "min", "hour": "h"}.get(
                low.rstrip("s"), low
            )
    return value, unit, bool(mult)


def _two_ends(match: re.Match[str]) -> tuple[float, float, str | None]:
    """Both amounts of a two-amount match, sharing unit and multiplier between them."""
    first, first_unit, first_mult = _value(match, "1")
    second, second_unit, second_mult = _value(match, "2")
    raw_first = float(match.group("num1").replace(",", ""))
    raw_second = float(match.group("num2").replace(",", ""))
    # "from 1.2 to 1.5M", "$1-2M": a multiplier written once applies to both ends.
    if second_mult and not first_mult and raw_first < 1000:
        first = raw_first * (second / raw_second if raw_second else 1.0)
    elif first_mult and not second_mult and raw_second < 1000:
        second = raw_second * (first / raw_first if raw_first else 1.0)
    return first, second, second_unit or first_unit


def _from_to(match: re.Match[str]) -> Change:
    """A Change from a "from A to B" match."""
    base, target, unit = _two_ends(match)
    return Change(base, target, unit)


def _by(match: re.Match[str]) -> Change:
    """A relative Change from a "by N%" match."""
    if match.group("frac"):
        words = match.group("frac").lower().replace("-", " ").replace("one ", "a ")
        return Change(None, None, "%", by=_FRACTIONS[words])
    if match.group("money"):
        value = float(match.group("money").replace(",", ""))
        if match.group("mult"):
            value *= _MULTIPLIERS[match.group("mult").lower()]
        return Change(None, None, match.group("cur"), by=value)
    unit = match.group("unit").lower()
    return Change(None, None, _UNITS.get(unit, unit), by=float(match.group("num").replace(",", "")))


def _digits(value: float) -> str:
    """A number read from words, written in digits: 1000000, not 1e+06."""
    return str(int(value)) if value.is_integer() else f"{value}"


def _spell_out(text: str) -> str:
    """The statement with its counting number words written in digits ("hire 12 nurses")."""
    low = text.lower()
    if _NUMBERISH.isdisjoint(_words(low)) and "ty-" not in low:
        return text
    tokens = list(_TOKEN_RE.finditer(text))
    words = [m.group().lower() if m.group()[0].isalpha() else "#" for m in tokens]
    parts: list[str] = []
    done = 0
    for i, j, value in _runs(words):
        if _run_counts(words, i, j):
            parts += [text[done : tokens[i].start()], _digits(value)]
            done = tokens[j - 1].end()
    return "".join(parts) + text[done:] if parts else text


def _metric_verb(low: str) -> bool:
    """Whether a verb of change ("grow", "cuts", "increases") is among the words of `low`."""
    return any(lemma(word) in METRIC_VERBS for word in _words(low))


def parse_change(text: str) -> Change | None:
    """The baseline, target and unit written in a statement, or None when it states no number.

    Number words that count are read as digits first ("no more than three" is 3; "one
    platform" stays words). A range gives its low end as `target` and its high end as `upper`.
    """
    text = _spell_out(text)
    original, low = text, text.lower()
    if len(low) != len(original):
        original = low  # positions read in one must hold in the other
    match = FROM_TO_RE.search(low)
    if match is not None:
        return _from_to(match)
    match = BY_RE.search(low)
    if match is not None:
        return _by(match)
    first = _first_counting(original)
    # A multiple, a share or a range is read only when no other quantity is written before it.
    before = len(original) if first is None else first.end()
    times = _TIMES_RE.search(low) if "x" in low else None
    if (
        times is not None
        and times.start() < before
        and (times.group("more") or _metric_verb(low[: times.start()]))
    ):
        return Change(None, None, "x", by=float(times.group(1)))
    if "in half" in low and _IN_HALF_RE.search(low):
        return Change(None, None, "%", by=50.0)
    since = SINCE_RE.search(low)
    if since is not None:
        return _since(low, since)
    match = PCT_OF_RE.search(low)
    if match is not None:
        return Change(None, float(match.group(1)), "%")
    found = _share(original, low, before)
    if found is None:
        found = _range(original, low, before)
    if found is None:
        found = _level(original, low)
    return found if found is not None else _first_quantity(original, first)


def _share(original: str, low: str, before: int) -> Change | None:
    """A share or a score: "2/3 of users" (66.67%), "4 out of 5 users", "4/5 or higher"."""
    for match in SHARE_RE.finditer(low):
        if match.start() >= before:
            break
        top, bottom = float(match.group("n")), float(match.group("d"))
        slash = match.group("sep") == "/"
        if slash and _fraction(match.group("n"), match.group("d")) is None:
            continue
        if not 0 < top <= bottom:
            continue
        after = match.group("next") or ""
        base = lemma(after)
        counted = base in PERSON_NOUNS or base in RESULT_NOUNS or base in _ROLE_NOUNS
        # "9/10 customers" is a share of customers; "8/10 customer satisfaction" a score.
        if after == "of" or after == "people" or (counted and base != after):
            return Change(None, round(100 * top / bottom, 2), "%")
        if match.group("sep").strip() != "in":
            return Change(None, top, f"out of {bottom:g}")
    if "of" in low:
        for match in _FRACTION_OF_RE.finditer(low):
            if match.start() >= before:
                break
            word = _word_before(original, match.start())
            if word is not None and word[0].lower() in _ORDINAL_LEADS:
                continue
            count = match.group("count")
            share = FRACTION_WORDS[match.group("frac")]
            if count not in (None, "a", "an"):
                share *= NUMBER_WORDS[count]
            if share <= 1:
                return Change(None, round(100 * share, 2), "%")
    return None


def _range(original: str, low: str, before: int) -> Change | None:
    """A range, "3 to 5 case studies", "4-5 stars", "between 10 and 20"; or, after a verb of
    change, both ends: "Grow NPS 30 to 45"."""
    if "between" in low:
        match = BETWEEN_RE.search(low)
        if match is not None and match.start("num1") < before:
            first, second, unit = _two_ends(match)
            return Change(None, min(first, second), unit, upper=max(first, second))
    if "-" not in low and "–" not in low and " to " not in low:
        return None
    for match in RANGE_RE.finditer(low):
        if match.start() >= before:
            break
        start, end = match.start("num1"), match.end("num1")
        if not match.group("cur1") and _naming(original, start, end, match.group("num1")):
            continue
        first, second, unit = _two_ends(match)
        written_to = " to " in low[match.end("num1") : match.start("num2")]
        if written_to and (first > second or _metric_verb(low[: match.start()])):
            return Change(first, second, unit)
        if first < second:
            return Change(None, first, unit, upper=second)
    return None


def _level(original: str, low: str) -> Change | None:
    """A target after "to", "reach", "at least", "below"...; years and names are skipped."""
    for pattern in (TO_RE, LEVEL_RE):
        for found in pattern.finditer(low):
            # "3 of 5 regions": the count is the 3, not the 5.
            if found.group().startswith("of") and low[: found.start()].rstrip()[-1:].isdigit():
                continue
            amount = AMOUNT_RE.search(low, found.start())
            if amount is None:
                continue
            num = amount.group("num")
            plain = not (amount.group("cur") or amount.group("pct") or amount.group("unit"))
            if plain and _naming(original, amount.start("num"), amount.end("num"), num):
                continue
            value, unit, _ = _value(amount)
            return Change(None, value, unit)
    return None


def _since(text: str, since: re.Match[str]) -> Change:
    """A Change from "N ..., down from M": M is the baseline, the first other amount the target."""
    base = AMOUNT_RE.match(text, since.end())
    baseline, unit = (None, None) if base is None else _value(base)[:2]
    for amount in AMOUNT_RE.finditer(text, 0, since.start()):
        value, target_unit, _ = _value(amount)
        return Change(baseline, value, target_unit or unit)
    return Change(baseline, None, unit)


def _first_counting(text: str) -> re.Match[str] | None:
    """The first number of a statement that counts (not a name, a version or a date)."""
    for match in _NUMBER_RE.finditer(text):
        if _counting(text, match):
            return match
    return None


def _first_quantity(text: str, match: re.Match[str] | None) -> Change | None:
    """A target from the first counting number of a statement (`match`), or None."""
    if match is None:
        return None
    amount = _AMOUNT_ANY_CASE_RE.match(text, match.start())
    if amount is None:
        return None
    value, unit, _ = _value(amount)
    # "Write 3x 5 minute videos": three of them, not three times as many.
    if unit == "x" and text[amount.end() : amount.end() + 2].strip()[:1].isdigit():
        unit = None
    return Change(None, value, unit)
