"""The shape of an OKR file: which keys each kind of mapping holds, in canonical order, and enums.

The loader, the writer and `okr fmt` all read this one table, so a key added here is accepted,
written back and put in its place by all three.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class Kind:
    """One kind of mapping in the file: its name in messages, keys in canonical order, required."""

    name: str
    keys: tuple[str, ...]
    required: tuple[str, ...] = ()
    # Keys holding a mapping (or a list of mappings) of another kind, for `okr fmt`.
    children: tuple[tuple[str, str], ...] = ()
    # The same keys as sets, so checking a mapping's keys is one comparison done in C.
    key_set: frozenset[str] = field(init=False, repr=False, compare=False)
    required_set: frozenset[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key_set", frozenset(self.keys))
        object.__setattr__(self, "required_set", frozenset(self.required))


TOP = Kind(
    "the top level",
    ("version", "organization", "period", "strategy", "teams", "kpis", "objectives"),
    ("version", "organization", "period"),
    (("strategy", "strategy"), ("teams", "team"), ("kpis", "kpi"), ("objectives", "objective")),
)
STRATEGY = Kind("strategy", ("vision", "mission", "levers"), (), (("levers", "lever"),))
LEVER = Kind("lever", ("id", "title"), ("id", "title"))
TEAM = Kind("team", ("id", "name", "parent", "phase"), ("id", "name"))
KPI = Kind("KPI", ("id", "title", "unit", "direction", "healthy", "current"), ("id", "title"))
OBJECTIVE = Kind(
    "objective",
    (
        "id",
        "team",
        "title",
        "period",
        "focus",
        "commitment",
        "state",
        "grade",
        "owner",
        "levers",
        "aligns_to",
        "guardrails",
        "key_results",
        "initiatives",
    ),
    ("id", "team", "title"),
    (("key_results", "key_result"), ("initiatives", "initiative")),
)
KEY_RESULT = Kind(
    "key result",
    (
        "id",
        "title",
        "type",
        "baseline",
        "target",
        "current",
        "unit",
        "done",
        "healthy",
        "kpi",
        "weight",
        "confidence",
        "owner",
        "check_ins",
    ),
    ("title",),
    (("check_ins", "check_in"),),
)
INITIATIVE = Kind("initiative", ("id", "title", "status", "owner", "moves", "links"), ("title",))
CHECK_IN = Kind("check-in", ("on", "value", "confidence", "done", "note"), ("on",))

# The longest text each kind's keys may hold, by the kind's name: the server's columns. `okr
# lint` refuses what `okr import` would (both read this table); keys not listed are bounded by
# the file's size alone.
MAX_LENGTH: dict[str, dict[str, int]] = {
    "the top level": {"organization": 200},
    "lever": {"id": 60, "title": 300},
    "team": {"id": 60, "name": 200},
    "KPI": {"id": 60, "title": 300, "unit": 30},
    "objective": {"id": 80, "title": 300, "owner": 150},
    "key result": {"id": 80, "title": 300, "unit": 30, "owner": 150},
    "initiative": {"id": 80, "title": 300, "owner": 150},
}

KINDS: dict[str, Kind] = {
    "top": TOP,
    "strategy": STRATEGY,
    "lever": LEVER,
    "team": TEAM,
    "kpi": KPI,
    "objective": OBJECTIVE,
    "key_result": KEY_RESULT,
    "initiative": INITIATIVE,
    "check_in": CHECK_IN,
}

FOCUS = ("customer", "business", "both")
DIRECTION = ("increase", "decrease")
KR_TYPE = ("metric", "milestone", "range")
PHASE = ("exploratory", "growth", "mature")
COMMITMENT = ("committed", "aspirational")
STATE = ("draft", "in_review", "launched", "closed")
STATUS = ("planned", "in_progress", "done", "dropped")

SUPPORTED_VERSION = 1
MAX_CONFIDENCE = 10

_ID = re.compile(r"^\w[\w.-]*$")
_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH = 40


def is_id(text: str) -> bool:
    """Whether text can be an id: letters, digits, '_', '.', '-', no spaces or '/'."""
    return bool(_ID.match(text))


def slug(title: str) -> str:
    """A KR id made from its title: lowercase words joined by '-', at most 40 characters."""
    if not title.isascii():
        title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    text = _NOT_SLUG.sub("-", title.lower()).strip("-")
    if len(text) > SLUG_LENGTH:
        cut = text[: SLUG_LENGTH + 1]
        # Cut on a word boundary when there is one, so ids stay readable.
        text = cut.rsplit("-", 1)[0] if "-" in cut else text[:SLUG_LENGTH]
        text = text[:SLUG_LENGTH].strip("-")
    return text or "kr"


def derive_ids(titles: Iterable[str], given: Iterable[str | None]) -> list[str]:
    """Ids for key results of one objective: the given ones, else unique slugs of the titles."""
    given_list = list(given)
    taken = {kr_id for kr_id in given_list if kr_id is not None}
    ids: list[str] = []
    for title, kr_id in zip(titles, given_list, strict=True):
        if kr_id is None:
            base = slug(title)
            kr_id, number = base, 2
            while kr_id in taken:
                kr_id, number = f"{base}-{number}", number + 1
            taken.add(kr_id)
        ids.append(kr_id)
    return ids
