"""Words the coach builds its hints from: the deliverable named in a title, numbers, quotes."""

from __future__ import annotations

import re

from constellation.core.language import lexicon as lx

_WORD_RE = re.compile(r"[^\s]+")
_LEAD_RE = re.compile(
    r"^\s*(?:(?:[-*•]+|\d+[.)]|kr\s*\d*\s*[:.)-])\s*)*"
    r"(?:(?:we|the team)\s+(?:will|shall|must|plan to|aim to|need to)\s+|we'll\s+|to\s+)?",
    re.I,
)
_QUANTITY_RE = re.compile(r"^[$€£]?\d[\d,.]*[%kmb]?$", re.I)
# Determiners that read badly in "users of X"; "the" reads well and stays.
_DROPPED = frozenset(("a", "an", "our", "their", "its", "some", "all", "every", "each", "new"))
_EVENT_HEADS = lx.EVENT_NOUNS | frozenset(("class", "course", "training", "talk", "tour"))
_DOC_HEADS = lx.word_set(
    "guide guideline playbook handbook manual documentation docs wiki faq article blog post "
    "study studies paper report template newsletter video podcast episode"
)


def deliverable(title: str) -> str:
    """The thing a title asks to deliver: "Launch the mobile app on iOS" -> "the mobile app".

    Reads the words after the leading verb (and any adverb before it), drops counts and
    loose determiners, and stops at the first word that ends a noun phrase.
    """
    words = _WORD_RE.findall(_LEAD_RE.sub("", title, count=1))
    i = 0
    while i < len(words) - 1 and words[i].lower().endswith("ly"):
        i += 1
    rest = words[i + 1 :] if len(words) > 1 else words
    picked: list[str] = []
    for word in rest:
        low = word.lower().strip(".,;:!?")
        if picked and low in lx.PHRASE_BREAKS:
            break
        if not picked and (low in _DROPPED or low in lx.NUMBER_WORDS or _QUANTITY_RE.match(low)):
            continue
        picked.append(word.strip(".,;:!?"))
    if picked and picked[0].lower() in lx.PHRASE_BREAKS:
        picked = picked[1:]
    return " ".join(picked) or title.strip()


def _head(phrase: str) -> str:
    """The lemma of the last word of a noun phrase."""
    last = phrase.split()[-1].lower() if phrase.split() else ""
    return lx.lemma(last)


def output_example(title: str) -> tuple[str, str]:
    """When the work in `title` is done, and an outcome key result it could move (A, B open)."""
    thing = deliverable(title)
    head = _head(thing)
    if head in _EVENT_HEADS:
        return (
            f"after {thing}",
            f"Grow the share of people who come back after {thing} from A% to B%",
        )
    if head in _DOC_HEADS:
        return (
            f"once {thing} is out",
            f"Cut support requests that {thing} should answer from A to B a week",
        )
    if head in lx.PERSON_NOUNS:
        return (
            f"once {thing} are on board",
            f"Cut the waiting time that {thing} should shorten from A to B days",
        )
    return f"once {thing} is live", f"Raise weekly active users of {thing} from A to B"


def healthy_range(title: str, target: float | None) -> str:
    """A `healthy:` range for a level a key result keeps: "<= x" or ">= x"."""
    low = title.lower()
    below = any(word in low for word in _BELOW_WORDS)
    value = number(target) if target is not None else "x"
    return f"<= {value}" if below else f">= {value}"


_BELOW_WORDS = ("below", "under ", "at most", "less than", "no more than", "fewer than", "within")


def number(value: float) -> str:
    """A number as a person writes it: 85 rather than 85.0."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def quoted(text: str) -> str:
    """A statement in double quotes, shortened when very long."""
    text = " ".join(text.split())
    return f'"{text}"' if len(text) <= 90 else f'"{text[:87]}..."'


def titled(text: str) -> str:
    """A title in typographic quotes, as a page names things, shortened when very long."""
    text = " ".join(text.split())
    return f"“{text}”" if len(text) <= 90 else f"“{text[:87]}...”"
