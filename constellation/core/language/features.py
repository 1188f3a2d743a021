"""What the learned reader looks at in a key-result statement.

Each statement becomes a list of named features: its words (lemmas) and word pairs, its first
word and the class of its leading verb, the grammar reader's own answers, and the structure a
person reads (a number and its unit, "from A to B", a count of work done, a deliverable named
as a noun, a state reported done or in the perfect tense, people hired). The learned model
(`learned.py`) weighs them; each feature also knows how to say itself as a reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

from constellation.core.language import lexicon as lx
from constellation.core.language.numbers import (
    BY_RE,
    FROM_TO_RE,
    MULTIPLY_RE,
    PCT_OF_RE,
    has_quantity,
)

# Bullets, numbering, "KR1:" labels, owner tags and "We will" before the statement proper.
LEAD_RE = re.compile(
    r"^\s*(?:(?:[-*•·>]+|\(?\d+[.)]|\(?[a-z][.)]|(?:kr|o)\s*\d*(?:\.\d+)?\s*[:.)-])\s*)*"
    r"(?:(?:we|i|they|the team)\s+(?:will|shall|must|should|want to|plan to|aim to|need to"
    r"|are going to)\s+|we'll\s+|to\s+)?",
    re.I,
)
TOKEN_RE = re.compile(r"[a-z][a-z0-9'’&\-]*|\d[\d,.]*")
# Money: a currency sign or word next to a number.
_MONEY_RE = re.compile(r"[$€£]\s?\d|\d\s?(?:usd|eur|gbp|dollars|euros|pounds)\b")
_LEVEL_RE = re.compile(
    r"\b(?:at or above|at or below|above|below|under|over|no more than|no less than|less than"
    r"|more than|fewer than|within)\s+[$€£]?\s?\d|[<>≤≥]=?\s?[$€£]?\d",
    re.I,
)
_AT_LEAST_RE = re.compile(r"\bat least\b|\bminimum of\b|\b\d+\+", re.I)
_VERSION_RE = re.compile(r"\b(?:v\d|version\s?\d|\d+\.\d+(?:\.\d+)+|\d\.\d\b)", re.I)
# "is enabled", "are in place", "has been migrated", "have shipped": work reported done.
_DONE_STATE_RE = re.compile(
    r"\b(?:is|are|be|being|been|was|were|get|gets|got)\s+(?:now\s+|fully\s+|all\s+)?"
    r"(?P<state>[a-z]+ed|built|written|done|shipped|in place|live|available|ready|set up"
    r"|up and running|complete|finished|open-sourced|deployed)\b"
    r"|(?:\b(?:has|have)|['’]ve)\s+(?:been\s+)?(?P<perfect>[a-z]+(?:ed|en|wn|lt|ne))\b",
    re.I,
)
_CHANGES = frozenset(("from-to", "by-amount", "multiply", "percent"))
_DONE_GUARD = lx.word_set(
    "is are be being been was were get gets got has have i've we've they've it's"
)
_NUMBER_OF_RE = re.compile(r"\b(?:number|count|amount|#)\s+of\s+(?:new\s+)?([a-z\-]+)", re.I)
_HIRE_MEASURE_RE = re.compile(r"\b(?:time|cost|days?)[\s-]+(?:to|per|of)[\s-]+hire\b")
_HIRE_WORDS = frozenset(
    (
        "hire",
        "hires",
        "hired",
        "hiring",
        "recruit",
        "recruited",
        "recruiting",
        "headcount",
        "ramped",
        "onboarded",
        "full-time",
        "fte",
        "ftes",
        "contractor",
        "contractors",
        "backfill",
        "backfills",
    )
)
_ROLE_WORDS = frozenset(
    (
        "engineer",
        "engineers",
        "developer",
        "developers",
        "designer",
        "designers",
        "manager",
        "managers",
        "sdr",
        "sdrs",
        "ae",
        "aes",
        "rep",
        "reps",
        "recruiter",
        "analyst",
        "analysts",
        "scientist",
        "scientists",
        "lead",
        "director",
        "pm",
        "pms",
        "writer",
        "writers",
        "researcher",
        "researchers",
        "specialist",
        "specialists",
        "intern",
        "interns",
        "marketer",
        "marketers",
        "executive",
        "executives",
        "officer",
        "officers",
        "consultant",
        "consultants",
        "coordinator",
        "coordinators",
        "administrator",
        "administrators",
        "architect",
        "architects",
        "technician",
        "technicians",
        "representative",
        "representatives",
    )
)
_COUNT_WORDS = frozenset(lx.NUMBER_WORDS) | {"a", "an", "another", "additional", "more", "new"}


# How a statement with a label or "We will" in front may start (lower case); only these, and
# statements starting with a sign or a digit, go through LEAD_RE.
_LEAD_PREFIXES = (
    "we ",
    "we'",
    "i ",
    "they ",
    "the team ",
    "to ",
    "kr",
    *(f"o{c}" for c in "0123456789:.)"),
)


@dataclass(slots=True)
class Parsed:
    """A statement made ready to read: its body, lower-case body, words and lemmas."""

    body: str
    low: str
    words: list[str]
    lemmas: list[str]


def parse(text: str) -> Parsed:
    """Strip bullets and "We will"; words (numbers as "#") and their lemmas."""
    body = text.strip()
    if body and (not body[0].isalpha() or body[:9].lower().startswith(_LEAD_PREFIXES)):
        body = LEAD_RE.sub("", body, count=1).strip()
    low = body.lower()
    words = [w if w[0].isalpha() else "#" for w in TOKEN_RE.findall(low)]
    return Parsed(body, low, words, [lx.lemma(w) if w != "#" else w for w in words])


def lexical_class(lemma: str) -> str | None:
    """The class of a verb lemma in the lexicon: maintain, metric, result, deliver, or None."""
    if lemma in lx.MAINTAIN_VERBS:
        return "maintain"
    if lemma in lx.METRIC_VERBS:
        return "metric"
    if lemma in lx.RESULT_VERBS:
        return "result"
    if lemma in lx.DELIVER_VERBS:
        return "deliver"
    return None


def verb_class(lemma: str) -> str:
    """The class of a leading word's lemma: a lexical class, "number" or "other"."""
    return lexical_class(lemma) or ("number" if lemma == "#" else "other")


_NOUN_KINDS = (
    ("artefact", lx.ARTEFACT_NOUNS),
    ("event", lx.EVENT_NOUNS),
    ("person", lx.PERSON_NOUNS),
    ("result", lx.RESULT_NOUNS),
)


def noun_kind(lemma: str) -> str | None:
    """Kind of a noun lemma (or the last part of a hyphenated one): artefact, event, person
    or result."""
    base = lemma.rsplit("-", 1)[-1]
    for kind, nouns in _NOUN_KINDS:
        if lemma in nouns or base in nouns:
            return kind
    return None


def _phrase_span(p: Parsed, start: int) -> tuple[int, int]:
    """The noun phrase from `start`, over leading particles, to the first break: its first
    word and the word after its last."""
    words, n = p.words, len(p.words)
    i = start
    while i < n and words[i] in _PARTICLES:
        i += 1
    end = i
    while end < n and words[end] not in lx.PHRASE_BREAKS:
        end += 1
    return i, end


def _object_kind(p: Parsed, start: int) -> str | None:
    """The kind of the head of the noun phrase from `start`: its last word of a known kind."""
    words, lemmas = p.words, p.lemmas
    first, end = _phrase_span(p, start)
    for j in range(end - 1, first - 1, -1):
        word = words[j]
        if word != "#" and word not in lx.DETERMINERS:
            kind = _head_noun_kind(lemmas[j])
            if kind is not None:
                return kind
    # "Make checkout effortless", "Make sign-up simpler": how people will find the thing, an
    # experience (unlike "Make the buttons touch friendly", a property to build).
    if end > first + 1 and (words[end - 1] in _EXPERIENCE_WORDS or words[end - 1].endswith("less")):
        return "experience"
    return None


_EXPERIENCE_WORDS = lx.word_set("""
    easy easier simple simpler delightful intuitive enjoyable fast faster quick quicker happy
    happier smooth smoother painless seamless frictionless effortless pleasant
    """)


def _head_noun_kind(lemma: str) -> str | None:
    """noun_kind, with events a team holds and the organisation's own people."""
    kind = noun_kind(lemma)
    if kind is None and lemma in _EVENT_WORDS:
        return "event"
    if (kind is None or kind == "person") and lemma in _STAFF_WORDS:
        return "staff"
    return kind


_PARTICLES = frozenset(("out", "up", "off", "down", "back", "over"))


def _first(p: Parsed) -> int:
    """Index of the leading word, over adverbs ("successfully launch") and "to"."""
    i = 0
    while i + 1 < len(p.words) and (
        p.words[i].endswith("ly") or p.words[i] in ("to", "and", "also", "then")
    ):
        i += 1
    return i


def features(p: Parsed) -> list[str]:
    """The features of one parsed statement."""
    words, lemmas, low = p.words, p.lemmas, p.low
    if not words:
        return ["empty"]
    # Single words; word pairs were tried and added nothing in leave-one-source-out.
    out = ["w:" + lemma for lemma in lemmas]
    i = _first(p)
    lead = lemmas[i]
    kind = verb_class(lead)
    out.append("first:" + lead)
    out.append("firstclass:" + kind)
    first_word = words[i]
    if first_word.endswith("ing") and kind in ("deliver", "metric", "result"):
        out.append("gerund")
    elif first_word.endswith("ed") and kind == "deliver":
        out.append("lead-participle")
    obj = _object_kind(p, i + 1)
    if obj:
        out.append("object:" + obj)
        out.append("verb-object:" + kind + "_" + obj)
    # "Ship the referral programme and grow sign-ups by 30%": work, then a measured change.
    then_change = kind == "deliver" and not lx.METRIC_VERBS.isdisjoint(lemmas[i + 1 :])
    if kind == "other" and lx.DELIVER_VERBS.isdisjoint(lemmas[:3]):
        out.append("noun-phrase:" + (_head_kind(lemmas) or "none"))
    if kind == "other":
        head = _nominal_head(words)
        if head >= 0:
            nominal = _nominal_kind(words[head])
            if nominal is not None:
                out.append("nominal:" + nominal)
    _suffixes(p, i, kind, out)
    if len(words) <= 4:
        out.append("short")
    elif len(words) >= 16:
        out.append("long")
    before = len(out)
    _numbers(p, out)
    if (
        (then_change and not _CHANGES.isdisjoint(out[before:]))
        or (kind == "deliver" and "and" in words and _joined_result(words, lemmas, i) >= 0)
        or (
            kind == "deliver"
            and not _WITH_LINKS.isdisjoint(words)
            and _work_with_result(words, lemmas, i) >= 0
        )
    ):
        out.append("then-change")
    if (
        kind == "number"
        and _counted_work_done(words, lemmas) >= 0
        and not ("from-to" in out or "by-amount" in out)
    ):
        out.append("counted-done")
    if kind == "metric" and _own_work_changed(words, lemmas) >= 0:
        out.append("own-work-change")
    if kind == "metric" and _headcount_changed(words, lemmas) >= 0:
        out.append("headcount-change")
    if kind in ("deliver", "other") and "times" in words and _times_done(words, lemmas) >= 0:
        out.append("times-done")
    if lead in _GATHER_VERBS and _gathered(words, lemmas, i) >= 0:
        out.append("work-gathered")
    if not _DONE_GUARD.isdisjoint(words):
        participle = _done_participle(words)
        if participle:
            out.append("done-state")
            # "have been assessed" is work done; "I've closed a customer", "is increased by
            # 5%" are results: the class of the participle's verb tells them apart.
            out.append("done:" + verb_class(lx.lemma(participle)))
    if not _METRIC_NOUNS.isdisjoint(lemmas):
        out.append("metric-noun")
    if ("who" in words or "that" in words) and _people_who(words, lemmas):
        # "tenants who pay rent through the app": what people served do.
        out.append("people-who")
    if (
        "customer" in low
        or "client" in low
        or "account" in low
        or "logo" in low
        or "deal" in low
        or "contract" in low
    ) and _won(low):
        out.append("customers-won")
    if not lx.DONE_WORDS.isdisjoint(words):
        out.append("done-word")
    if ("number of" in low or "count of" in low or "amount of" in low or "# of" in low) and (
        "of" in words
    ):
        counted = _NUMBER_OF_RE.search(low)
        if counted:
            out.append("count-of:" + (noun_kind(lx.lemma(counted.group(1))) or "other"))
    if not _HIRE_WORDS.isdisjoint(words):
        # "Cut time to hire from 60 to 35 days" measures hiring; it does not hire anyone.
        out.append("hire-measure" if _HIRE_MEASURE_RE.search(low) else "hire-word")
    if not _ROLE_WORDS.isdisjoint(words) and ("#" in words or not _COUNT_WORDS.isdisjoint(words)):
        out.append("people-counted")
    if not _EVENT_WORDS.isdisjoint(lemmas):
        out.append("event-word")
    _leaning(lemmas, out)
    # A word said twice counts twice, in training as here.
    return out


def _joined_result(words: list[str], lemmas: list[str], i: int) -> int:
    """Index of a result joined to the work by "and" with a number after it ("Publish 60
    articles and get 6,000+ page visits", "Train 5 models and achieve 80% accuracy"); -1."""
    n = len(words)
    for k in range(i + 2, n):
        result = lemmas[k] in lx.RESULT_VERBS or lemmas[k] in lx.METRIC_VERBS
        if words[k - 1] == "and" and result and "#" in words[k + 1 :]:
            return k
    return -1


# Words that join a result to the work: "Launch the trial with 10K+ sign-ups a month".
_WITH_LINKS = frozenset(("with", "leading", "resulting", "achieving", "reaching", "that", "which"))
# What the joined result measures: how people take the work up and how well it serves them.
_WITH_RESULTS = lx.word_set("""
    satisfaction rating star adoption adopt conversion signup sign-up disruption downtime pass
    nps csat retention churn uptime accuracy latency error use used outperform join time
    """)
_WITH_AMOUNTS = frozenset(("#", "zero", "no"))


def _work_with_result(words: list[str], lemmas: list[str], i: int) -> int:
    """Index of the word joining a measured result to the work, or -1: "Ship the apps with
    4.5+ star rating", "Run 3 events with 90% attendee satisfaction", "Implement a voting
    system that is used by more than 50% of the team". The labelling rules read work joined
    to a measured outcome as an outcome. Not the work's own size ("with 5 core features")."""
    n = len(words)
    for k in range(i + 2, n - 1):
        if words[k] not in _WITH_LINKS:
            continue
        window = range(k + 1, min(n, k + 8))
        if _WITH_AMOUNTS.isdisjoint(words[j] for j in window):
            continue
        if any(lemmas[j] in _WITH_RESULTS for j in window):
            return k
        # "Finish Q4 with 24 more customers": people gained are a result too.
        if any(
            words[j] in ("more", "new") and j + 1 < n and lemmas[j + 1] in _SERVED_WORDS
            for j in window
        ):
            return k
    return -1


def _suffixes(p: Parsed, i: int, kind: str, out: list[str]) -> None:
    """How the leading word, the head of its phrase and the last word end ("-ed", "-ion",
    "-ity", "-ers"): the shape of a word tells work from result where the lexicon knows
    nothing of it ("Audiobooks transcribed", "Quick turnaround", "Discoverability")."""
    words = p.words
    lead = words[i]
    if lead != "#":
        out.append("suffix-first:" + lead[-3:])
    first, end = _phrase_span(p, i + 1 if kind != "other" and kind != "number" else i)
    for j in range(end - 1, first - 1, -1):
        word = words[j]
        if word != "#" and word not in lx.DETERMINERS:
            out.append("suffix-head:" + word[-3:])
            break
    for j in range(len(words) - 1, -1, -1):
        if words[j] != "#":
            out.append("suffix-last:" + words[j][-3:])
            break


def _done_participle(words: list[str]) -> str:
    """The participle of work reported done, without a pattern: "is enabled", "are in place",
    "has been migrated", "I've closed"; "" when there is none."""
    n = len(words)
    for k, word in enumerate(words):
        if word not in _DONE_GUARD:
            continue
        j = k + 1
        while j < n and words[j] in _DONE_FILLERS:
            j += 1
        if j >= n:
            return ""
        nxt = words[j]
        perfect = word in _PERFECT_AUX
        if perfect:
            if nxt.endswith(("ed", "en", "wn", "lt", "ne")) and len(nxt) > 3:
                return nxt
        elif (nxt.endswith("ed") and len(nxt) > 3) or nxt in _DONE_STATES:
            return nxt
        elif nxt in ("in", "up", "set") and j + 1 < n and words[j + 1] in ("place", "up"):
            return "set" if nxt == "set" else "place"
    return ""


_DONE_FILLERS = frozenset(("now", "fully", "all", "been"))
_PERFECT_AUX = frozenset(("has", "have", "i've", "we've", "they've"))
_DONE_STATES = lx.word_set(
    "built written done shipped live available ready complete finished open-sourced deployed"
)


def _people_who(words: list[str], lemmas: list[str]) -> bool:
    """A person noun followed by "who" or "that"."""
    for k in range(1, len(words)):
        if words[k] in ("who", "that") and lemmas[k - 1] in lx.PERSON_NOUNS:
            return True
    return False


def _head_kind(lemmas: list[str]) -> str | None:
    """Kind of the last noun of a known kind in a statement with no leading verb."""
    for lemma in reversed(lemmas):
        kind = noun_kind(lemma)
        if kind is not None:
            return kind
    return None


# Nouns that name a change observed in the world: a statement made of one of them ("Continued
# high use of ArcGIS", "Easy discoverability of resources") names an outcome.
_OUTCOME_NOMINALS = lx.word_set("""
    use usage utilization utilisation adoption engagement retention satisfaction awareness
    growth reduction increase decrease improvement turnaround discoverability availability
    accessibility access participation attendance uptake enrollment enrolment circulation
    traffic interaction perception understanding saving cost-saving reach visibility
    recognition trust loyalty conversion churn demand interest feedback rating
    """)
# Words that end the leading noun phrase whose last word is its head: "Publication of 2-3
# projects", "Positive interactions with patrons", "Use of Pressbooks increases".
_NOMINAL_ENDS = frozenset(
    ("of", "with", "by", "for", "in", "from", "between", "across", "to", "on", "at")
) | frozenset(("is", "are", "will", "has", "have", "was", "were"))
# Endings that turn a verb into the noun of its action, with the verb's possible endings:
# "implementation" -> "implement", "completion" -> "complete", "recruitment" -> "recruit".
_NOMINAL_SUFFIXES = (
    ("ication", ("y",)),
    ("ation", ("e", "", "ate")),
    ("ition", ("e", "ite")),
    ("tion", ("te", "t", "e")),
    ("sion", ("se", "de", "t", "sion")),
    ("ment", ("",)),
    ("al", ("", "e")),
    ("ance", ("", "e")),
    ("ence", ("", "e")),
    ("ery", ("er",)),
)


# Nouns of action whose verb their ending does not give.
_NOMINAL_VERBS = {
    "publication": "publish",
    "analysis": "analyse",
    "delivery": "deliver",
    "hire": "hire",
    "rollout": "roll",
    "setup": "set",
    "signup": "sign",
}


def _nominal_head(words: list[str]) -> int:
    """Index of the head of a statement's leading noun phrase (the word before its first
    preposition or verb "to be"), or -1 when it has none."""
    k = 0
    while k < len(words) and words[k] not in _NOMINAL_ENDS:
        k += 1
    if k == 0 or words[k - 1] in lx.DETERMINERS or words[k - 1] == "#":
        return -1
    return k - 1


@lru_cache(maxsize=1 << 14)
def _nominal_kind(word: str) -> str | None:
    """What the head of a statement without a verb names: "outcome" for a change observed
    ("usage", "engagement"), or the class of the verb it is made from ("publication" ->
    deliver, "reduction" is listed as an outcome); None for any other noun."""
    base = word[:-1] if word.endswith("s") and not word.endswith("ss") else word
    if base in _OUTCOME_NOMINALS or word in _OUTCOME_NOMINALS:
        return "outcome"
    forms: list[str] = [_NOMINAL_VERBS.get(base, base)]
    for suffix, endings in _NOMINAL_SUFFIXES:
        if base.endswith(suffix) and len(base) > len(suffix) + 2:
            stem = base[: -len(suffix)]
            forms.extend(stem + ending for ending in endings)
    if base.endswith("ing"):
        forms.append(lx.lemma(base))
    for form in forms:
        found = lexical_class(form)
        if found is not None:
            return found
    return None


# "Met" a target is a result, though "meet" (as in "meet with 5 customers") is not one.
_MET = frozenset(("met", "meet", "meets", "meeting", "exceed", "exceeds", "exceeded"))


def _counted_work_done(words: list[str], lemmas: list[str]) -> int:
    """Index of the participle that reports a counted piece of work done, or -1: "150 hours
    of audiobooks transcribed", "100% of services are identified in a catalogue", "4 blog
    posts published". Not when the participle describes the thing counted ("50% of selected
    partners"), when people served are the ones acting ("50% of users successfully
    scheduled"), for verbs that go both ways ("tickets resolved"), or when a result follows
    ("entities assessed and met the target")."""
    for k in range(1, len(words)):
        word = words[k]
        if not (word.endswith("ed") and len(word) > 4):
            continue
        before = words[k - 1]
        if before in ("#", "of") or before in lx.DETERMINERS:
            return -1
        base = lx.lemma(word)
        if lexical_class(base) != "deliver" or base in lx.AMBIGUOUS_DELIVER:
            return -1
        if not lx.PERSON_NOUNS.isdisjoint(lemmas[1:k]):
            return -1
        for later in lemmas[k + 1 :]:
            if later in lx.RESULT_VERBS or later in lx.METRIC_VERBS or later in _MET:
                return -1
        return k
    return -1


# Things a team makes or holds itself: more of them is more work done, not a result.
_OWN_WORK = lx.word_set("""
    post blog-post article snippet video episode talk blog tutorial guide case-study webinar
    workshop newsletter podcast presentation demo interview experiment meeting course lesson
    study audit
    """)
_OBJECT_ENDS = lx.word_set(
    "from to by per in # across on for within through over at that who which whose of"
)


def _counted_from(words: list[str]) -> int:
    """Where the counted noun phrase after a leading verb starts: after "the number of" near
    the start ("Grow the number of engineers"), else at the second word."""
    if "number" in words[1:4] and "of" in words[2:5]:
        return words.index("of", 2) + 1
    return 1


def _object_end(words: list[str], first: int) -> int:
    """The index after the noun phrase from `first`: its first word of `_OBJECT_ENDS`."""
    k = first
    while k < len(words) and words[k] not in _OBJECT_ENDS:
        k += 1
    return k


def _own_work_noun(words: list[str], lemmas: list[str], first: int, end: int) -> int:
    """Index of the noun of own work that ends the phrase from `first` to `end`, or -1: "blog
    posts", "blog posts published" (the participle says what was done to it). Not when people
    are counted in the phrase ("weekly listeners", "students who complete the course")."""
    while (
        end > first + 1
        and words[end - 1].endswith("ed")
        and verb_class(lemmas[end - 1]) == "deliver"
    ):
        end -= 1
    if end <= first or lemmas[end - 1] not in _OWN_WORK:
        return -1
    if any(lemmas[m] in lx.PERSON_NOUNS or lemmas[m] in _SERVED_WORDS for m in range(first, end)):
        return -1
    return end - 1


def _own_work_changed(words: list[str], lemmas: list[str]) -> int:
    """Index of the noun of the team's own work that a verb of change counts, or -1: "Increase
    blog posts from 15 to 30", "Increase blog posts published by 25%", "Increase the snippet
    collection to 1000 snippets", "Increase the number of process studies from 1 to 5"; the
    labelling rules call such counts outputs. Not things others do ("Increase reviews", "Cut
    abandoned calls", "Grow weekly listeners of the podcast", "Triple the number of learners
    who finish a course")."""
    first = _counted_from(words)
    end = _object_end(words, first)
    found = _own_work_noun(words, lemmas, first, end)
    if found >= 0 or first > 1:
        return found
    # "... to 1000 snippets", "from 785 to 850 snippets": the target number's own noun.
    for j in range(end, len(words) - 2):
        if words[j] == "to" and words[j + 1] == "#" and lemmas[j + 2] in _OWN_WORK:
            return j + 2
    return -1


def _headcount_changed(words: list[str], lemmas: list[str]) -> int:
    """Index of the team's own people a verb of change counts, or -1: "Increase bilingual
    sales staff from 2 to 5", "Grow headcount to 80", "Grow the number of engineers from 10 to
    15". Hiring in any wording is an output by the labelling rules; "Reduce engineer attrition"
    and "employees working from home" are not headcounts (the phrase goes on past the people).
    """
    first = _counted_from(words)
    k = _object_end(words, first)
    if k <= first or k + 1 >= len(words) or words[k] not in ("from", "to", "by"):
        return -1
    if words[k + 1] != "#":  # "Increase lead to demo ratio" is no headcount
        return -1
    last = words[k - 1]
    if lemmas[k - 1] in _HEADCOUNT or last in _ROLE_WORDS or last in _HIRE_WORDS:
        return k - 1
    return -1


# The organisation's own people, counted as staff (not contributors or volunteers, whom a
# community gains).
_HEADCOUNT = lx.word_set("employee staff headcount personnel workforce hire engineer fte")


# Verbs of result that also take the team's own work items and research as their object.
_GATHER_VERBS = lx.word_set("close get gather collect seek solicit request")
# Work items a team closes and research it gathers: "Close 10 text selection bugs", "Get
# feedback on the prototype from 5 users".
_WORK_ITEMS = lx.word_set("bug ticket issue defect task pr pull-request finding warning feedback")


def _gathered(words: list[str], lemmas: list[str], i: int) -> int:
    """Index of the work item or research the leading verb closes or gathers, or -1: "Close
    50% of issues from the audit", "close 50 Jira tickets", "Get feedback from one external
    user". The labelling rules count the team's own work items done, and research, as
    outputs. Not people's issues ("Close 95% of customer issues") nor rated feedback ("Get
    5-star feedback")."""
    for j in range(i + 1, min(len(words), i + 7)):
        if words[j] in lx.PHRASE_BREAKS and words[j] != "of":
            return -1
        if lemmas[j] in _WORK_ITEMS:
            if any(lemmas[m] in lx.PERSON_NOUNS or "star" in lemmas[m] for m in range(i + 1, j)):
                return -1
            return j
    return -1


# "3 times more", "twice as fast": a multiplier, not a count of times done.
_TIMES_AFTER = lx.word_set("more less fewer faster slower higher lower bigger smaller as over")


def _times_done(words: list[str], lemmas: list[str]) -> int:
    """Index of "times" counting how often the team or person does something, or -1: "Work out
    3 or more times weekly", "Post 30 times on Instagram", "Deploy to production 10 times".
    The labelling rules count one's own activity as an output. Not a multiplier ("3 times
    more sign-ups") nor people served acting ("Customers log in 3 times a week")."""
    for k in range(1, len(words)):
        if words[k] != "times":
            continue
        if not lx.PERSON_NOUNS.isdisjoint(lemmas[:k]):
            return -1
        if k + 1 < len(words) and words[k + 1] in _TIMES_AFTER:
            return -1
        j = k - 1
        if j >= 2 and words[j - 1] == "or" and words[j] in ("more", "fewer", "less"):
            j -= 2
        if words[j] == "#" or words[j] in lx.NUMBER_WORDS:
            return k
    return -1


def _numbers(p: Parsed, out: list[str]) -> None:
    """Numbers as a person reads them. Each pattern runs only when a cheap test says it may
    match, so reading stays fast."""
    low, words = p.low, p.words
    if has_quantity(p.body, words):
        out.append("quantity")
    if " from " in low and FROM_TO_RE.search(low):
        out.append("from-to")
    if "by " in low and BY_RE.search(low):
        out.append("by-amount")
    if _may_multiply(low) and MULTIPLY_RE.search(low):
        out.append("multiply")
    if "%" in low or "percent" in low:
        out.append("percent")
        if " of" in low and PCT_OF_RE.search(low):
            out.append("share-of")
    if "#" not in words:
        return
    if words[0] == "#":
        out.append("starts-with-number")
    for found in _NUMBER_UNIT_RE.finditer(low):
        out.append(_SHAPE_NAMES[found.lastgroup or ""])
    if (
        "above" in low
        or "below" in low
        or "under" in low
        or "over" in low
        or "than" in low
        or "within" in low
        or "<" in low
        or ">" in low
        or "≤" in low
        or "≥" in low
    ) and _LEVEL_RE.search(low):
        out.append("level")
    if ("at least" in low or "minimum of" in low or "+" in low) and _AT_LEAST_RE.search(low):
        out.append("at-least")
    if ("version" in low or "." in low or low.startswith("v") or " v" in low) and (
        _VERSION_RE.search(low)
    ):
        out.append("version")
    if _names_money(low):
        out.append("money")


def _names_money(low: str) -> bool:
    """A currency sign, or a number with a currency word."""
    if "$" in low or "€" in low or "£" in low:
        return True
    return (
        "usd" in low or "eur" in low or "gbp" in low or "dollar" in low or "pound" in low
    ) and _MONEY_RE.search(low) is not None


def _leaning(lemmas: list[str], out: list[str]) -> None:
    """Which way the statement's customer and business words lean, in coarse steps."""
    customer = business = 0.0
    marks = 0
    topics = _topics()
    for lemma in lemmas:
        topic = topics.get(lemma)
        if topic is not None:
            customer += topic[0]
            business += topic[1]
            marks |= topic[2]
    if customer:
        out.append("lex-customer:strong" if customer >= 2 else "lex-customer:some")
    if business:
        out.append("lex-business:strong" if business >= 2 else "lex-business:some")
    if customer - business > 0.25:
        out.append("lean:customer")
    elif business - customer > 0.25:
        out.append("lean:business")
    else:
        out.append("lean:none")
    if marks & _STAFF:
        out.append("staff")
        if customer:
            # "employee satisfaction", "teacher retention": the people are the organisation's.
            out.append("staff-experience")
    if marks & _SERVED:
        out.append("served")
    if marks & _INSIDE:
        out.append("inside-work")


_STAFF, _SERVED, _INSIDE = 1, 2, 4


@cache
def _topics() -> dict[str, tuple[float, float, int]]:
    """Customer weight, business weight and marks of every word that has any: one lookup a
    word while reading."""
    table: dict[str, tuple[float, float, int]] = {}
    words = (
        set(lx.CUSTOMER_WEIGHTS) | set(lx.BUSINESS_WEIGHTS) | _STAFF_WORDS | _SERVED_WORDS
    ) | _INSIDE_WORDS
    for word in words:
        marks = (
            (_STAFF if word in _STAFF_WORDS else 0)
            | (_SERVED if word in _SERVED_WORDS and word not in _STAFF_WORDS else 0)
            | (_INSIDE if word in _INSIDE_WORDS else 0)
        )
        table[word] = (
            lx.CUSTOMER_WEIGHTS.get(word, 0.0),
            lx.BUSINESS_WEIGHTS.get(word, 0.0),
            marks,
        )
    return table


# Customers counted as won: "Add 40 new customers", "Sign 12 logos", "100 new paying accounts".
_WON_RE = re.compile(
    r"\b(?:add(?:ed)?|win|won|sign(?:ed)?|acquire[ds]?|close[ds]?|land(?:ed)?|onboard(?:ed)?|get"
    r"|gain(?:ed)?|find|bring on|convert)\b[^.%]{0,30}?"
    r"\b(?:customers?|clients?|accounts?|logos?|deals?|contracts?)\b"
    r"|(?:\d[\d,]*\+?|\b(?:number|count) of)\s+(?:more\s+|new\s+|paying\s+|paid\s+)+"
    r"(?:customers?|clients?|accounts?|logos?|subscribers?)\b"
    # "the number of customers from 500 to 1,000", not "the number of customers who renew".
    r"|\b(?:number|count) of (?:customers|clients|accounts|logos)\b(?=\s*(?:$|[.,]|from|to|by))"
)
# "Get 3 enterprise customers to adopt Code Insights": what customers are brought to do.
_GET_TO_RE = re.compile(r"\s+to\s+(?!the\b|a\b|an\b|our\b|\d)[a-z]+")


def _won(low: str) -> bool:
    """True when the statement counts customers, clients, accounts or deals won."""
    found = _WON_RE.search(low)
    if found is None:
        return False
    return not (found.group().startswith("get") and _GET_TO_RE.match(low, found.end()))


# Nouns that name a measure: "Cloud cost", "Change failure rate", "time to first response".
_METRIC_NOUNS = lx.word_set(
    """
    cost rate ratio score share percentage percent time duration latency uptime availability
    revenue income margin spend churn retention conversion satisfaction nps csat usage traffic
    number count volume average median mean frequency speed throughput level index
    """
)
# People inside the organisation: a change for them is the business's, not its customers'.
_STAFF_WORDS = lx.word_set(
    """employee staff colleague teammate hire headcount engineer manager recruiter intern
    volunteer contributor maintainer workforce personnel candidate applicant recruit talent
    crew worker team-member"""
)
# People an organisation serves.
_SERVED_WORDS = lx.word_set(
    """user customer client patient citizen resident student pupil reader visitor subscriber
    member guest passenger learner buyer shopper viewer listener player fan parent family
    community attendee audience traveller traveler tenant borrower donor consumer developer
    household"""
)
# The organisation's own machinery: its costs, sales, people, process and reputation.
_INSIDE_WORDS = lx.word_set(
    """revenue arr mrr booking pipeline lead deal quota margin cost spend budget cash runway
    profit ebitda funding investor valuation fundraise raise hire hiring recruiting headcount
    attrition turnover engagement morale payroll invoice payment collection forecast close
    audit compliance velocity deploy deployment ci build release cycle lead-time throughput
    utilisation utilization capacity inventory supplier vendor procurement brand awareness
    press media coverage mention publication traffic visitor follower impression seo backlink
    occupancy market share partner partnership sponsor sponsorship grant donation accident
    safety overtime absenteeism training diversity campaign click-through ctr unsubscribe
    open-rate visit retweet impression rfp shortlist upsell up-sell cross-sell nrr aov
    order-value maturity yield processing prd internal salary compensation culture burnout
    stress wellbeing well-being payback cac ltv arpu win-rate merge flaky"""
)
# Events and happenings a team holds: counts of them are work done.
_EVENT_WORDS = lx.word_set(
    """meetup hangout stream livestream talk webinar workshop session event conference
    engagement speaking podcast episode post article tweet newsletter video demo hackathon
    sprint retro call interview meeting class course lesson tutorial blog"""
)
# A number and what is glued to it: a unit or multiplier ("3s", "1TB", "50k+", "10x"), a time
# unit ("90 minutes"), or a fraction ("2/3"). Led by a digit, so the scan is fast.
_NUMBER_UNIT_RE = re.compile(
    r"\d(?:(?P<glued_unit>(?:k|bn|mb|gb|tb|x|m|b)\+?(?![a-z]))"
    r"|\s?(?P<time_unit>ms|s|secs?|seconds?|mins?|minutes?|h|hrs?|hours?|days?|weeks?)\b"
    r"|/(?P<fraction>\d))"
)


def _may_multiply(low: str) -> bool:
    """A cheap test before MULTIPLY_RE: one of its words, or an "x" (after a digit)."""
    return (
        "doubl" in low
        or "tripl" in low
        or "halv" in low
        or "twice" in low
        or "fold" in low
        or "quadrupl" in low
        or "by half" in low
        or "x" in low
    )


_SHAPE_NAMES = {"glued_unit": "glued-unit", "time_unit": "time-unit", "fraction": "fraction"}


# How a feature reads as a reason, by its prefix; {} is the word or phrase it names.
REASONS = {
    "first": "it starts with “{}”",
    "firstclass:deliver": "“{}” is work to do",
    "firstclass:metric": "“{}” changes a number",
    "firstclass:result": "“{}” names a result to reach",
    "firstclass:maintain": "“{}” keeps a level",
    "object:artefact": "“{}” is a deliverable",
    "object:event": "“{}” is an event to hold",
    "object:staff": "“{}” are people to add to the team",
    "object:person": "it is about people: “{}”",
    "object:result": "“{}” is a result",
    "noun-phrase:artefact": "“{}” is a deliverable",
    "noun-phrase:event": "“{}” is an event",
    "done-state": "“{}” reports work done",
    "done-word": "“{}” reports work done",
    "done:deliver": "“{}” reports work done",
    "counted-done": "“{}” reports work done",
    "own-work-change": "“{}” counts the team's own work",
    "times-done": "“{}” counts how often it is done",
    "headcount-change": "“{}” adds people to the team",
    "work-gathered": "“{}” is the team's own work",
    "nominal:deliver": "“{}” is work to do",
    "nominal:outcome": "“{}” is a change to observe",
    "done:result": "“{}” reports a result",
    "done:metric": "“{}” reports a change",
    "hire-word": "“{}” adds people to the team",
    "people-counted": "“{}” counts people to add",
    "count-of:artefact": "“{}” counts work done",
    "count-of:event": "“{}” counts work done",
    "customers-won": "“{}” counts customers won",
    "people-who": "“{}” is what people do",
    "metric-noun": "“{}” names a measure",
    "from-to": "“{}” moves a number",
    "then-change": "“{}” is the change the work should bring",
    "by-amount": "“{}” moves a number",
    "multiply": "“{}” multiplies a number",
    "share-of": "“{}” is a share of people or things",
    "money": "“{}” is money",
    "time-unit": "“{}” is a time people wait or spend",
    "level": "“{}” is a level to reach",
    "w": "the word “{}”",
}


# The pattern whose match in the statement a feature of that name quotes.
_EVIDENCE_PATTERNS = {
    "done": _DONE_STATE_RE,
    "customers-won": _WON_RE,
    "done-state": _DONE_STATE_RE,
    "from-to": FROM_TO_RE,
    "by-amount": BY_RE,
    "multiply": MULTIPLY_RE,
    "share-of": PCT_OF_RE,
    "money": _MONEY_RE,
    "level": _LEVEL_RE,
    "count-of": _NUMBER_OF_RE,
}


def evidence(p: Parsed, feature: str) -> str:
    """The words of a statement a feature stands for, to quote in its reason."""
    low = p.low
    name, _, value = feature.partition(":")
    if name in ("w", "first"):
        if value in p.lemmas:
            k = p.lemmas.index(value)
            return _words_text(p, k, k)
        return value
    if name == "firstclass":
        lead = _first(p)
        return _words_text(p, lead, lead) if p.words else ""
    if name in ("object", "noun-phrase"):
        i = _first(p)
        first, end = _phrase_span(p, i + 1 if name == "object" else i)
        if first == end:
            return _clip(p.body)
        return _clip(_words_text(p, first, end - 1))
    if name == "then-change":
        i = _first(p)
        joined = _joined_result(p.words, p.lemmas, i)
        if joined >= 0:
            return _clip(_words_text(p, joined, len(p.words) - 1))
        joined = _work_with_result(p.words, p.lemmas, i)
        if joined >= 0:
            return _clip(_words_text(p, joined + 1, len(p.words) - 1))
        for k in range(i + 1, len(p.lemmas)):
            if p.lemmas[k] in lx.METRIC_VERBS:
                return _clip(_words_text(p, k, len(p.words) - 1))
    if name == "counted-done":
        k = _counted_work_done(p.words, p.lemmas)
        if k >= 0:
            return _clip(_words_text(p, 0, k))
    if name == "own-work-change":
        k = _own_work_changed(p.words, p.lemmas)
        if k >= 0:
            return _words_text(p, 1, k)
    if name == "work-gathered":
        k = _gathered(p.words, p.lemmas, _first(p))
        if k >= 0:
            return _clip(_words_text(p, _first(p), k))
    if name == "headcount-change":
        k = _headcount_changed(p.words, p.lemmas)
        if k >= 0:
            return _words_text(p, 1, k)
    if name == "times-done":
        k = _times_done(p.words, p.lemmas)
        if k >= 0:
            return _clip(_words_text(p, 0, k))
    if name == "nominal":
        k = _nominal_head(p.words)
        if k >= 0:
            return _clip(_words_text(p, 0, k))
    if name == "metric-noun":
        for k, lemma in enumerate(p.lemmas):
            if lemma in _METRIC_NOUNS:
                return _words_text(p, k, k)
    if name == "people-who":
        for k in range(1, len(p.words)):
            if p.words[k] in ("who", "that") and p.lemmas[k - 1] in lx.PERSON_NOUNS:
                return _clip(_words_text(p, k - 1, min(len(p.words) - 1, k + 3)))
    if name == "time-unit":
        for unit in _NUMBER_UNIT_RE.finditer(low):
            if unit.lastgroup == "time_unit":
                start = unit.start()
                while start > 0 and (low[start - 1].isdigit() or low[start - 1] in ".,"):
                    start -= 1  # the whole number: "150 hours", not "0 hours"
                return _clip(p.body[start : unit.end()])
    pattern = _EVIDENCE_PATTERNS.get(name)
    if pattern is not None:
        found = pattern.search(low)
        if found:
            end = found.end()
            while end < len(p.body) and not p.body[end].isspace() and p.body[end] not in ",;":
                end += 1  # the whole number and its unit: "above 10%", not "above 1"
            return _clip(p.body[found.start() : end])
    if name in ("hire-word", "people-counted", "done-word"):
        pool = _HIRE_WORDS | _ROLE_WORDS if name != "done-word" else lx.DONE_WORDS
        for k, word in enumerate(p.words):
            if word in pool:
                return _words_text(p, k, k)
    return _clip(p.body)


def _words_text(p: Parsed, first: int, last: int) -> str:
    """The statement's own text (its case and signs) from its word `first` to word `last`."""
    if 0 <= first <= last:
        # Words are found in the lower-case text up to the last one wanted.
        start = end = -1
        for k, found in enumerate(TOKEN_RE.finditer(p.low)):
            if k == first:
                start = found.start()
            end = found.end()
            if k == last:
                break
        if start < 0:
            return p.body
    else:
        spans = [m.span() for m in TOKEN_RE.finditer(p.low)]
        if not spans or first >= len(spans):
            return p.body
        start, end = spans[first][0], spans[min(last, len(spans) - 1)][1]
    while end < len(p.body) and p.body[end] in "#+":
        end += 1  # "C#", "C++"
    if (
        end < len(p.body)
        and p.body[end] == ")"
        and p.body.count("(", start, end) > p.body.count(")", start, end)
    ):
        end += 1  # "testbed (50k+ nodes)"
    return p.body[start:end]


def _clip(text: str, limit: int = 48) -> str:
    """At most `limit` characters, cut at a word."""
    text = text.strip()
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + "…"
