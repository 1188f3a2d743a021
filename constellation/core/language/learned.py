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

from constellation.core.language.features import REASONS, Parsed, evidence, features
from constellation.core.language.lexicon import STOP_WORDS

MODEL_FILE = "reader_model.json"


@dataclass(frozen=True, slots=True)
class Model:
    """Each field's name, positive class and bias; each feature's row of weights."""

    fields: tuple[str, ...]
    positive: tuple[str, ...]
    bias: tuple[float, float, float, float]
    # For each feature with a weight: its weight in each field (0.0 where it has none), then
    # how far it leans towards an output as a reason (its nature weight times its precedence
    # as a reason; 0.0 when it does not read as one). One lookup a feature scores it.
    table: dict[str, tuple[float, float, float, float, float]]


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
    readable = readable_features(weights)
    table: dict[str, tuple[float, float, float, float, float]] = {}
    for name, w in weights.items():
        row = [float(w[k]) if w[k] else 0.0 for k in range(4)]
        if any(row):
            lean = row[0] * readable[name] if row[0] and name in readable else 0.0
            table[name] = (row[0], row[1], row[2], row[3], lean)
    return Model(fields, positive, bias, table)


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
    """Each field's score (above 0: its positive class), the statement's features, and the
    readable feature that leaned most towards an output and the one that leaned most towards
    an outcome ("" when none did)."""

    nature: float
    measurable: float
    maintain: float
    focus: float
    features: list[str]
    toward_output: str = ""
    toward_outcome: str = ""


def score(p: Parsed, m: Model) -> Answer:
    """The model's score of each field for one parsed statement: sums of weights.

    One pass over the features: each field's weights are added in the order of the features,
    from 0.0, as `sum` would add them, and the features leaning furthest either way are kept
    (the first of equals)."""
    feats = features(p)
    table = m.table
    s0 = s1 = s2 = s3 = 0.0
    up = down = 0.0
    toward_output = toward_outcome = ""
    for name in feats:
        row = table.get(name)
        if row is not None:
            w0, w1, w2, w3, lean = row
            s0 += w0
            s1 += w1
            s2 += w2
            s3 += w3
            if lean > up:
                up, toward_output = lean, name
            elif lean < down:
                down, toward_outcome = lean, name
    b0, b1, b2, b3 = m.bias
    return Answer(b0 + s0, b1 + s1, b2 + s2, b3 + s3, feats, toward_output, toward_outcome)


def strongest(answer: Answer, m: Model, toward_output: bool) -> str:
    """The readable feature that leaned most towards the nature given; "" when none did."""
    return answer.toward_output if toward_output else answer.toward_outcome


def reason(p: Parsed, feature: str) -> str:
    """A feature said as a reason, quoting the statement: "names a deliverable: “C# driver”"."""
    if not feature:
        return ""
    template = REASONS.get(feature) or REASONS[feature.partition(":")[0]]
    return template.format(evidence(p, feature))
