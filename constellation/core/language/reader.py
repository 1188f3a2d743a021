"""Reading a key-result statement: outcome or output, measurable, maintain, and its focus.

Two readers work together. The grammar reader (`read_rules`) decides by structure: the first
verb and its class, the head noun of its object, and whether a number changes ("from A to B",
"by N%", "double") or only holds a level. The learned reader (`learned.py`), trained on real
teams' key results, weighs the grammar reader's answers with the statement's words and shapes
and has the last word (`read`), with the reason a person can read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from constellation.core.language import learned
from constellation.core.language import lexicon as lx
from constellation.core.language.features import Parsed, lexical_class, noun_kind, parse
from constellation.core.language.lexicon import word_set
from constellation.core.language.numbers import (
    PCT_OF_RE,
    has_change,
    has_quantity,
)


@dataclass(frozen=True, slots=True)
class Reading:
    """What a statement is: nature "outcome"|"output", measurable, maintain, focus, and the
    reason for its nature ("“C# driver” is a deliverable"; empty when none is readable)."""

    nature: str
    measurable: bool
    maintain: bool
    focus: str | None
    reason: str = ""


_TIME_UNIT_RE = re.compile(
    r"\d\s?(?:ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?)\b"
)
_SERVICE_LEVEL_RE = re.compile(
    r"\b(?:within|in under|in less than|under)\s+\d|\bon time\b|\bon the (?:same|promised|first)"
    r"|\bsame[- ]day\b|\bfirst (?:contact|time|call)\b",
)
_STATE_LEVEL_RE = re.compile(
    r"\b(?:at or above|at or below|at least|at most|above|below|under|over|no more than"
    r"|no less than|less than|more than|fewer than)\s+[$€£]?\s?\d"
    r"|\d\s?%?\s+or\s+(?:higher|lower|more|less|better|above|below|fewer)\b|[<>≤≥]=?\s?[$€£]?\d",
)
_PARTICLES = word_set("out up off down back over through")
_COMPARATIVES = word_set(
    "faster quicker cheaper sooner shorter higher lower fewer less more better smaller easier"
)
_ADJECTIVE_SUFFIXES = ("ier", "ful", "less", "able", "ible", "ous", "ive", "easy", "safe")
# "Be the tool that is never down" describes a state, whatever noun follows.
_COPULAS = word_set("be become have see feel")
_MONEY_VERBS = frozenset(("spend", "spending", "paying", "pay", "sell", "selling", "convert"))
_RELATIVES = frozenset(("who", "that", "whose"))
_VERB_SUFFIXES = ("ise", "ize", "ate", "ify")


def _first_verb(words: list[str], lemmas: list[str]) -> int:
    """Index of the leading verb, stepping over adverbs ("successfully launch")."""
    i = 0
    while i + 1 < len(words) and words[i].endswith("ly") and lexical_class(lemmas[i + 1]):
        i += 1
    return i


def _object_kind(words: list[str], lemmas: list[str], start: int) -> str | None:
    """Kind of the object's head noun: artefact, event, person, result, or None."""
    i = start
    while i < len(words) and words[i] in _PARTICLES:
        i += 1
    phrase: list[str] = []
    while i < len(words) and words[i] not in lx.PHRASE_BREAKS:
        if words[i] != "#" and words[i] not in lx.DETERMINERS:
            phrase.append(lemmas[i])
        i += 1
    if not phrase:
        return None
    # The head (last word) decides; its modifiers only when the head says nothing.
    for word in (phrase[-1], *phrase[:-1]):
        kind = _noun_kind(word)
        if kind is not None:
            return kind
    return None


def _noun_kind(word: str) -> str | None:
    """Kind of one noun lemma (or the last part of a hyphenated one); "quality" for adjectives."""
    if word in _COMPARATIVES or word.endswith(_ADJECTIVE_SUFFIXES):
        return "quality"
    return noun_kind(word)


def _looks_imperative(words: list[str], i: int) -> bool:
    """True when an unknown first word reads as a verb: "Overhaul the form", "Digitise..."."""
    word = words[i]
    # A gerund or participle starts a subject: "Borrowing an e-book takes a few taps".
    if word in lx.SUBJECT_STARTERS or word == "#" or word.endswith(("ing", "ed")):
        return False
    if lx.lemma(word) in lx.PERSON_NOUNS or word in lx.CUSTOMER_WEIGHTS:
        return False
    if word.endswith(_VERB_SUFFIXES):
        return True
    nxt = words[i + 1] if i + 1 < len(words) else ""
    return nxt in lx.DETERMINERS or nxt == "#"


def _later_change_word(words: list[str], lemmas: list[str], start: int) -> bool:
    """True when a verb of change or a comparative follows the leading verb."""
    for word, base in zip(words[start:], lemmas[start:], strict=True):
        if base in lx.METRIC_VERBS or base in lx.RESULT_VERBS or word in _COMPARATIVES:
            return True
    return False


def _nature(body: str, words: list[str], lemmas: list[str], quantity: bool) -> tuple[str, bool]:
    """Nature and maintain flag of a statement."""
    if not words:
        return "outcome", False
    i = _first_verb(words, lemmas)
    verb = lemmas[i]
    kind = lexical_class(verb)
    change = has_change(body)
    if kind == "maintain":
        return _maintain(words, lemmas, i, change, quantity)
    if kind == "deliver":
        return _deliver(body, words, lemmas, i, verb, change), False
    if change or kind == "metric":
        return "outcome", False
    if kind == "result":
        if verb in _COPULAS:
            return "outcome", False
        obj = _object_kind(words, lemmas, i + 1)
        return ("output" if obj in ("artefact", "event") else "outcome"), False
    if _looks_imperative(words, i):
        # "Ensure 90% of callers reach...": a share of people doing something is a result.
        if PCT_OF_RE.search(body):
            return "outcome", False
        obj = _object_kind(words, lemmas, i + 1)
        return ("outcome" if obj in ("person", "result") else "output"), False
    return _statement(body, words, lemmas, change, quantity)


def _maintain(
    words: list[str], lemmas: list[str], i: int, change: bool, quantity: bool
) -> tuple[str, bool]:
    """Keep/maintain/hold: a level held is maintain; an event or artefact held is work."""
    if change:
        return "outcome", False
    obj = _object_kind(words, lemmas, i + 1)
    if lemmas[i] == "hold" and (obj == "event" or not quantity):
        return "output", False
    if obj == "artefact" and not quantity:
        return "output", False
    return "outcome", True


def _deliver(
    body: str, words: list[str], lemmas: list[str], i: int, verb: str, change: bool
) -> str:
    """A leading verb of delivery is work unless a measured change or a result follows it."""
    if change and _later_change_word(words, lemmas, i + 1):
        return "outcome"
    if PCT_OF_RE.search(body) and _SERVICE_LEVEL_RE.search(body):
        return "outcome"
    if verb in lx.AMBIGUOUS_DELIVER:
        obj = _object_kind(words, lemmas, i + 1)
        if obj in ("person", "result"):
            return "outcome"
    return "output"


def _names_a_thing(words: list[str], lemmas: list[str]) -> bool:
    """True for a bare noun phrase naming an artefact: "Guided setup wizard", "New website"."""
    if len(words) > 6 or _noun_kind(lemmas[-1]) not in ("artefact", "event"):
        return False
    for word, base in zip(words[:-1], lemmas[:-1], strict=True):
        plural_or_verb = word.endswith("s") and not word.endswith("ss")
        if plural_or_verb or base in lx.PERSON_NOUNS or base in lx.STATE_VERBS or base == "be":
            return False
    return True


def _statement(
    body: str, words: list[str], lemmas: list[str], change: bool, quantity: bool
) -> tuple[str, bool]:
    """A statement with a subject first: work reported done, a level held, or an outcome."""
    if not change and any(w in lx.DONE_WORDS for w in words):
        return "output", False
    if not change and _names_a_thing(words, lemmas) and not quantity:
        return "output", False
    # "80% of new hires rate it good or better" is a share to reach, not a level to hold.
    held = not change and (
        any(w in lx.STATE_VERBS for w in words)
        or (_STATE_LEVEL_RE.search(body) is not None and PCT_OF_RE.search(body) is None)
    )
    return "outcome", held and quantity


@lru_cache(maxsize=1 << 15)
def _weights(word: str) -> tuple[float, float, bool]:
    """Customer weight, business weight and person-ness of one word (parts of a compound too)."""
    base = lx.lemma(word)
    parts = (word, base, *word.split("-")) if "-" in word else (word, base)
    customer = max(lx.CUSTOMER_WEIGHTS.get(p, 0.0) for p in parts)
    business = max(lx.BUSINESS_WEIGHTS.get(p, 0.0) for p in parts)
    return customer, business, base in lx.PERSON_NOUNS


def _focus(body: str, words: list[str], measurable: bool) -> str | None:
    """Customer or business, from weighted words; None when the signals do not lean."""
    customer = business = 0.0
    previous_person = False
    for i, word in enumerate(words):
        word_customer, word_business, person = _weights(word)
        customer += word_customer
        # "patients spend", "paying a fine": a money word used as a verb of what people do.
        used_as_verb = previous_person or (i + 1 < len(words) and words[i + 1] in lx.DETERMINERS)
        if not (used_as_verb and word in _MONEY_VERBS):
            business += word_business
        if previous_person and word in _RELATIVES:
            customer += 1.5
        previous_person = person
    if "$" in body or "€" in body or "£" in body:
        business += 2.0
    if _TIME_UNIT_RE.search(body):
        customer += 0.75
    # Business results name money or commerce; a measured outcome that names neither is
    # about what people experience, so it leans customer by a little.
    if measurable and business == 0.0:
        customer += 0.3
    if business - customer > 0.25:
        return "business"
    if customer - business > 0.25:
        return "customer"
    return None


_RULE_FEATURES = frozenset(
    (
        "counted-done",
        "own-work-change",
        "times-done",
        "work-gathered",
        "hire-word",
        "people-counted",
        "headcount-change",
        "object:experience",
        "firstclass:result",
        "then-change",
        "object:person",
        "object:result",
        "quantity",
        "customers-won",
    )
)


@lru_cache(maxsize=1 << 16)
def read(text: str) -> Reading:
    """Read a key-result statement: outcome or output, measurable, maintain, focus, reason."""
    parsed = parse(text)
    model = learned.model()
    if model is None:
        return _rules(parsed)
    return decide(parsed, model)


def decide(p: Parsed, model: learned.Model) -> Reading:
    """The learned reader's answer, with rules of the grammar reader kept on top of it.

    Nature, measurable and focus are the model's, with exceptions, each a labelling rule whose
    real examples are too few or too unlike one another to learn: work joined to a measured
    change ("... and grow sign-ups by 30%", "... with a 4.5+ star rating") and a result verb
    giving people an easier experience ("Make checkout effortless") are outcomes; a count of
    work reported done ("150 hours of audiobooks transcribed"), more of the team's own work
    ("Increase blog posts from 15 to 30"), doing something a number of times ("Work out 3 or
    more times weekly"), work items closed and feedback gathered ("Close 10 bugs", "Get
    feedback from 5 users") and people counted and hired ("4 account executives ramped",
    "Increase sales staff from 2 to 5") are outputs; customers won ("Find 30 new customers") and
    people hired are the business's.
    Keeping a level is rare too (a few in a thousand): a statement the model reads as an
    outcome that holds a level verb ("keep", "stays", "maintain") is read for it by the
    grammar reader, which knows "Keep error rate below 0.1%" from "Keep shipping weekly".
    Focus is given for outputs too: it says whom the statement is about ("Launch the customer
    portal" is work for customers); the coach counts only outcomes towards the balance.
    """
    answer = learned.score(p, model)
    # A count of work reported done is an output ("150 hours of audiobooks transcribed", "100%
    # of services are identified in a catalogue"): the labelling rule, each source writing
    # it with its own nouns and verbs, too few of them alike to learn.
    feats = answer.features
    # The features the rules below ask about, found in one pass.
    fired = _RULE_FEATURES.intersection(feats)
    forced = ""
    if "counted-done" in fired:
        forced = "counted-done"
    # More of the team's own work is still work ("Increase blog posts from 15 to 30").
    elif "own-work-change" in fired:
        forced = "own-work-change"
    # So is doing something a number of times ("Work out 3 or more times weekly").
    elif "times-done" in fired:
        forced = "times-done"
    # And so are work items closed and feedback gathered ("Close 10 text selection bugs").
    elif "work-gathered" in fired:
        forced = "work-gathered"
    # People counted and hired in any wording ("4 account executives ramped", "Hire 2 data
    # engineers") are an output by the same rules, whatever else the statement's words weigh.
    elif "hire-word" in fired and "people-counted" in fired:
        forced = "people-counted"
    elif "headcount-change" in fired:
        forced = "headcount-change"
    # Work joined to a measured change is an outcome ("Ship the referral programme and grow
    # sign-ups by 30%", "Ship the apps with a 4.5+ star rating"): the labelling rule, too rare
    # in real key results to learn. So is a result verb giving people an easier experience
    # ("Make checkout effortless").
    experience = "object:experience" in fired and "firstclass:result" in fired
    output = (answer.nature > 0 or bool(forced)) and not ("then-change" in fired or experience)
    # "Add 500 paying customers" is a result; "Add 10 templates" is work: for the verbs that
    # go both ways the object decides, as in the grammar reader.
    if output and p.lemmas and p.lemmas[0] in lx.AMBIGUOUS_DELIVER:
        hires = "hire-word" in fired or "people-counted" in fired
        if ("object:person" in fired or "object:result" in fired) and "quantity" in fired:
            output = hires
    maintain = not output and _keeps_a_level(p, feats)
    # Customers won and people hired are the business's, however much the statement speaks
    # of them.
    business = answer.focus > 0 or "customers-won" in fired or "headcount-change" in fired
    return Reading(
        "output" if output else "outcome",
        answer.measurable > 0,
        maintain,
        "business" if business else "customer",
        learned.reason(
            p,
            forced if forced and output else learned.strongest(answer, model, output),
        ),
    )


@lru_cache(maxsize=1 << 16)
def read_rules(text: str) -> Reading:
    """The grammar reader alone: outcome or output, measurable, maintain, focus."""
    return _rules(parse(text))


def _rules(p: Parsed) -> Reading:
    """The grammar reader on a parsed statement."""
    measurable = has_quantity(p.body, p.words)
    nature, maintain = _nature(p.low, p.words, p.lemmas, measurable)
    focus = _focus(p.low, p.words, measurable) if nature == "outcome" else None
    return Reading(nature, measurable, maintain, focus)


def _keeps_a_level(p: Parsed, feats: list[str]) -> bool:
    """The grammar reader's rule for a level kept, from the features already read: a leading
    keep/maintain/hold, or "stays"/"remains", over a number that does not move. A held event
    ("Hold 4 town halls") or artefact ("Keep the runbook") is work, not a level."""
    if lx.MAINTAIN_VERBS.isdisjoint(p.lemmas) and lx.STATE_VERBS.isdisjoint(p.words):
        return False
    if "from-to" in feats or "by-amount" in feats or "multiply" in feats:
        return False
    quantity = "quantity" in feats
    if "firstclass:maintain" in feats:
        if "first:hold" in feats and ("object:event" in feats or not quantity):
            return False
        return quantity or "object:artefact" not in feats
    return quantity and not lx.STATE_VERBS.isdisjoint(p.words)


def read_objective(title: str) -> bool:
    """True when an objective title is itself a deliverable ("Launch app X").

    Objective titles are written unlike key results: a direction without a number ("New
    teams get to value in their first week"). The learned reader, trained on key results,
    reads some of them as work; a title is called a deliverable only when both readers agree.
    """
    return read(title).nature == "output" and read_rules(title).nature == "output"
