"""The learned reader: a linear model over the statement's features, shipped as a JSON file.

training/coach/train.py fits one logistic regression a field (nature, measurable, maintain,
focus) on the corpus of real key results and writes `reader_model.json` beside this module.
Applying it is a sum of weights: no dependency, no download, no network, and the same statement
always gets the same answer. The readable feature that weighed most towards the answer is its
reason.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from itertools import repeat

from constellation.core.language.features import REASONS, Parsed, evidence, features
from constellation.core.language.lexicon import STOP_WORDS

MODEL_FILE = "reader_model.json"


@dataclass(frozen=True, slots=True)
class Model:
    """Each field's name, positive class and bias; each field's weight by feature."""

    fields: tuple[str, ...]
    positive: tuple[str, ...]
    bias: tuple[float, float, float, float]
    weights: tuple[dict[str, float], dict[str, float], dict[str, float], dict[str, float]]
    # For each readable feature, how far it leans towards an output (its nature weight times
    # its precedence as a reason): one lookup a feature when choosing the reason.
    leaning: dict[str, float]


@cache
def model() -> Model | None:
    """The shipped model, or None when the package holds none (the grammar reader alone)."""
    try:
        text = resources.files("constellation.core.language").joinpath(MODEL_FILE).read_text()
    except FileNotFoundError:
        return None
    data = json.loads(text)
    b = data["bias"]
    return build(
        tuple(data["fields"]), tuple(data["positive"]), (b[0], b[1], b[2], b[3]), data["weights"]
    )


def build(
    fields: tuple[str, ...],
    positive: tuple[str, ...],
    bias: tuple[float, float, float, float],
    weights: dict[str, list[float]],
) -> Model:
    """A model from its parts: `weights` gives each feature's weight in field order."""
    by_field: tuple[dict[str, float], ...] = tuple(
        {name: float(w[k]) for name, w in weights.items() if w[k]} for k in range(4)
    )
    readable = readable_features(weights)
    nature = by_field[0]
    return Model(
        fields,
        positive,
        bias,
        (by_field[0], by_field[1], by_field[2], by_field[3]),
        {name: nature[name] * k for name, k in readable.items() if name in nature},
    )


def readable_features(names: Iterable[str]) -> dict[str, float]:
    """The features that read as a reason, with their precedence: what the statement does
    (its verb, a deliverable, a number moving) before a single word, and only words that
    mean something on their own."""
    readable = {}
    for name in names:
        kind, _, value = name.partition(":")
        if kind == "w":
            if len(value) > 2 and value not in STOP_WORDS and value != "#":
                readable[name] = 0.5
        elif name in REASONS or kind in REASONS:
            readable[name] = 1.0
    return readable


@dataclass(slots=True)
class Answer:
    """Each field's score (above 0: its positive class) and the statement's features."""

    nature: float
    measurable: float
    maintain: float
    focus: float
    features: list[str]


def score(p: Parsed, m: Model) -> Answer:
    """The model's score of each field for one parsed statement: sums of weights."""
    feats = features(p)
    zero = repeat(0.0)
    w0, w1, w2, w3 = m.weights
    b0, b1, b2, b3 = m.bias
    return Answer(
        b0 + sum(map(w0.get, feats, zero)),
        b1 + sum(map(w1.get, feats, zero)),
        b2 + sum(map(w2.get, feats, zero)),
        b3 + sum(map(w3.get, feats, zero)),
        feats,
    )


def strongest(answer: Answer, m: Model, toward_output: bool) -> str:
    """The readable feature that leaned most towards the nature given; "" when none did."""
    leaning = m.leaning
    sign = 1.0 if toward_output else -1.0
    best, best_lean = "", 0.0
    for name in answer.features:
        lean = leaning.get(name)
        if lean is not None and lean * sign > best_lean:
            best, best_lean = name, lean * sign
    return best


def reason(p: Parsed, feature: str) -> str:
    """A feature said as a reason, quoting the statement: "names a deliverable: “C# driver”"."""
    if not feature:
        return ""
    template = REASONS.get(feature) or REASONS[feature.partition(":")[0]]
    return template.format(evidence(p, feature))
