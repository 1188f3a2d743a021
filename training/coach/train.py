"""Train the coach's learned reader on the corpus of real key results, and evaluate it honestly.

The corpus is every `*.tsv` file in training/coach/corpus/ (one row a published key result:
source, url, objective, statement, nature, measurable, maintain, focus, ambiguous, note; the
labelling rules are in docs/coach.md). Each field is a logistic regression (scikit-learn,
liblinear, fixed settings: the same corpus always gives the same model) over the features of
constellation/core/language/features.py: the grammar reader's knowledge (verb classes, the kind
of a phrase's head noun, numbers with their units, "from A to B", work reported done, people
hired, customer and business words), the statement's words and the endings of its leading word,
its head noun and its last word.

Evaluation is leave-one-source-out: every source (an organisation or author) is predicted by a
model trained on all the others, so no score comes from a source the model has seen. Rows marked
ambiguous are trained on for no field and scored on none.

    .venv/bin/pip install -e '.[train]'
    .venv/bin/python training/coach/train.py            # evaluate, then write the model
    .venv/bin/python training/coach/train.py --check    # evaluate only; fail if the shipped
                                                        # model differs from a fresh training

The model is written to constellation/core/language/reader_model.json; the run's scores to
standard output (benchmarks/classify.py prints the same evaluation).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from constellation.core.language import learned, reader  # noqa: E402
from constellation.core.language.features import features, parse  # noqa: E402

CORPUS = ROOT / "training" / "coach" / "corpus"
# A second labelling of every statement's nature, made blind to the corpus's labels and to any
# reader, from the written rules alone: how consistently the rules label real key results.
SECOND = ROOT / "training" / "coach" / "second" / "nature.tsv"
MODEL = ROOT / "constellation" / "core" / "language" / "reader_model.json"
FIELDS = ("nature", "measurable", "maintain", "focus")
# The positive class of each field's binary model.
POSITIVE = {"nature": "output", "measurable": "yes", "maintain": "yes", "focus": "business"}
C = {"nature": 0.5, "measurable": 0.5, "maintain": 0.5, "focus": 0.5}
# Nature weighs outputs and outcomes equally, whatever their shares in the corpus: how many of
# each the sources happen to publish is not what a statement is.
CLASS_WEIGHT: dict[str, str | None] = {
    "nature": "balanced",
    "measurable": None,
    "maintain": None,
    "focus": None,
}
# Features seen in fewer rows than this are left out of the model (they would only memorise).
MIN_ROWS = 2
# Features a field's model does not weigh: the spelling of a statement's words tells work from
# result, not whose result it is.
EXCLUDE = {"focus": ("suffix-",)}


@dataclass(frozen=True, slots=True)
class Row:
    """One labelled statement of the corpus."""

    source: str
    statement: str
    nature: str
    measurable: str
    maintain: str
    focus: str
    ambiguous: bool

    def label(self, field: str) -> str | None:
        """The row's label for a field, or None when it is not trained or scored on it."""
        if self.ambiguous:
            return None
        if field == "focus":
            return self.focus if self.nature == "outcome" and self.focus in FOCUS_CLASSES else None
        return str(getattr(self, field))


FOCUS_CLASSES = ("customer", "business")


def load(folder: Path = CORPUS) -> list[Row]:
    """Every row of the corpus files, the first of any repeated statement kept."""
    rows: list[Row] = []
    seen: set[str] = set()
    for path in sorted(folder.glob("*.tsv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for line, raw in enumerate(csv.DictReader(handle, delimiter="\t"), start=2):
                statement = (raw.get("statement") or "").strip()
                key = " ".join(statement.lower().split())
                if not statement or key in seen:
                    continue
                seen.add(key)
                nature = raw["nature"].strip()
                if nature not in ("outcome", "output"):
                    raise SystemExit(f"{path.name}:{line}: nature {nature!r}")
                rows.append(
                    Row(
                        source=raw["source"].strip(),
                        statement=statement,
                        nature=nature,
                        measurable=raw["measurable"].strip(),
                        maintain=raw["maintain"].strip(),
                        focus=raw["focus"].strip(),
                        ambiguous=raw["ambiguous"].strip() == "yes",
                    )
                )
    return rows


def featurise(rows: list[Row]) -> list[list[str]]:
    """The features of every row."""
    out = []
    for row in rows:
        out.append(features(parse(row.statement)))
    return out


def _fit(
    feats: list[list[str]], labels: list[int], c: float, class_weight: str | None = None
) -> tuple[dict[str, float], float]:
    """A binary logistic regression: weight by feature, and the intercept."""
    from sklearn.feature_extraction import DictVectorizer  # type: ignore[import-untyped]
    from sklearn.linear_model import LogisticRegression  # type: ignore[import-untyped]

    counts = Counter(f for fs in feats for f in set(fs))
    # A feature's value is how often the statement shows it, as the package sums its weights.
    kept = [{f: float(n) for f, n in Counter(fs).items() if counts[f] >= MIN_ROWS} for fs in feats]
    vectoriser = DictVectorizer(sort=True)
    matrix = vectoriser.fit_transform(kept).tocsr()
    matrix.indices = matrix.indices.astype("int32")  # liblinear takes 32-bit indices only
    matrix.indptr = matrix.indptr.astype("int32")
    if len(set(labels)) < 2:
        return {}, 4.0 if labels and labels[0] else -4.0
    model = LogisticRegression(C=c, solver="liblinear", max_iter=1000, class_weight=class_weight)
    model.fit(matrix, labels)
    names = vectoriser.get_feature_names_out()
    weights = {
        str(name): round(float(w), 4)
        for name, w in zip(names, model.coef_[0], strict=True)
        if abs(w) >= 1e-3
    }
    return weights, round(float(model.intercept_[0]), 4)


def train(rows: list[Row], feats: list[list[str]]) -> dict[str, Any]:
    """One model a field, trained on every row labelled for it."""
    fields: dict[str, Any] = {}
    for field in FIELDS:
        left_out = EXCLUDE.get(field, ())
        pairs = [
            (
                [f for f in fs if not f.startswith(left_out)] if left_out else fs,
                int(row.label(field) == POSITIVE[field]),
            )
            for row, fs in zip(rows, feats, strict=True)
            if row.label(field) is not None
        ]
        weights, bias = _fit(
            [p[0] for p in pairs], [p[1] for p in pairs], C[field], CLASS_WEIGHT[field]
        )
        fields[field] = {"positive": POSITIVE[field], "bias": bias, "weights": weights}
    return fields


@dataclass
class Scores:
    """Per-field accuracy over the labelled rows, the nature confusion and output recall."""

    hits: dict[str, int]
    totals: dict[str, int]
    confusion: dict[tuple[str, str], int]

    def accuracy(self, field: str) -> float:
        return self.hits[field] / self.totals[field] if self.totals[field] else float("nan")

    @property
    def output_recall(self) -> float:
        caught = self.confusion[("output", "output")]
        return caught / max(1, caught + self.confusion[("output", "outcome")])


def as_model(fields: dict[str, Any]) -> learned.Model:
    """Trained fields as the package's model, so evaluation reads exactly as `read` does."""
    names = {name for f in FIELDS for name in fields[f]["weights"]}
    weights = {name: [fields[f]["weights"].get(name, 0.0) for f in FIELDS] for name in names}
    b = [fields[f]["bias"] for f in FIELDS]
    return learned.build(
        FIELDS, tuple(POSITIVE[f] for f in FIELDS), (b[0], b[1], b[2], b[3]), weights
    )


def predict(model: learned.Model, statement: str) -> dict[str, str | None]:
    """The answer `read` would give with this model."""
    got = reader.decide(parse(statement), model)
    return {
        "nature": got.nature,
        "measurable": "yes" if got.measurable else "no",
        "maintain": "yes" if got.maintain else "no",
        "focus": got.focus,
    }


def evaluate(rows: list[Row], feats: list[list[str]], *, learn: bool = True) -> Scores:
    """Leave-one-source-out: each source read by a model trained on every other source (or
    by the grammar reader alone with `learn=False`)."""
    hits: dict[str, int] = defaultdict(int)
    totals: dict[str, int] = defaultdict(int)
    confusion: dict[tuple[str, str], int] = defaultdict(int)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(rows):
        by_source[row.source].append(i)
    for indexes in by_source.values():
        held = set(indexes)
        if learn:
            rest = [i for i in range(len(rows)) if i not in held]
            model = as_model(train([rows[i] for i in rest], [feats[i] for i in rest]))
        for i in indexes:
            row = rows[i]
            if learn:
                got = predict(model, row.statement)
            else:
                rule = reader.read_rules(row.statement)
                got = {
                    "nature": rule.nature,
                    "measurable": "yes" if rule.measurable else "no",
                    "maintain": "yes" if rule.maintain else "no",
                    "focus": rule.focus,
                }
            _tally(row, got, hits, totals, confusion)
    return Scores(dict(hits), dict(totals), dict(confusion))


def _tally(
    row: Row,
    got: dict[str, str | None],
    hits: dict[str, int],
    totals: dict[str, int],
    confusion: dict[tuple[str, str], int],
) -> None:
    for field in FIELDS:
        want = row.label(field)
        if want is None:
            continue
        totals[field] += 1
        hits[field] += got[field] == want
    if not row.ambiguous:
        confusion[(row.nature, str(got["nature"]))] += 1


def report(title: str, scores: Scores) -> str:
    """The scores as Markdown lines."""
    c = scores.confusion
    lines = [
        f"| {title} | {scores.accuracy('nature'):.3f} | {scores.output_recall:.3f} | "
        f"{scores.accuracy('measurable'):.3f} | {scores.accuracy('maintain'):.3f} | "
        f"{scores.accuracy('focus'):.3f} |",
    ]
    lines.append(
        f"|  | outputs read as outputs {c.get(('output', 'output'), 0)}, as outcomes "
        f"{c.get(('output', 'outcome'), 0)}; outcomes read as outcomes "
        f"{c.get(('outcome', 'outcome'), 0)}, as outputs {c.get(('outcome', 'output'), 0)} "
        "| | | | |"
    )
    return "\n".join(lines)


def corpus_facts(rows: list[Row]) -> str:
    """How big the corpus is: rows, sources, outputs, ambiguous."""
    sources = Counter(row.source for row in rows)
    outputs = sum(row.nature == "output" and not row.ambiguous for row in rows)
    ambiguous = sum(row.ambiguous for row in rows)
    return (
        f"{len(rows):,} statements from {len(sources)} sources ({outputs:,} outputs, "
        f"{len(rows) - outputs - ambiguous:,} outcomes, {ambiguous:,} marked ambiguous and left "
        f"out of training and scores; the largest source holds {max(sources.values())} rows)"
    )


def agreement(rows: list[Row], path: Path = SECOND) -> str:
    """How often the blind second labelling gives a statement the corpus's nature."""
    if not path.exists():
        return f"{path.name}: missing, agreement not measured"
    second: dict[str, tuple[str, bool]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for raw in csv.DictReader(handle, delimiter="\t"):
            key = " ".join(raw["statement"].lower().split())
            second[key] = (raw["nature"], raw["ambiguous"] == "yes")
    both = same = clear = guessed = 0
    for row in rows:
        found = second.get(" ".join(row.statement.lower().split()))
        if found is None or row.ambiguous:
            continue
        clear += 1
        guessed += found[0] == row.nature
        if not found[1]:
            both += 1
            same += found[0] == row.nature
    return (
        f"a second labelling blind to these labels gives the same nature to {same:,} of the "
        f"{both:,} statements both call clear ({same / max(1, both):.3f}), and its best guess "
        f"agrees on {guessed:,} of the {clear:,} labelled statements "
        f"({guessed / max(1, clear):.3f})"
    )


def model_file(fields: dict[str, Any], rows: list[Row]) -> str:
    """The shipped model as JSON text: one weight list a feature, in FIELDS order."""
    names = sorted({name for f in FIELDS for name in fields[f]["weights"]})
    return (
        json.dumps(
            {
                "about": "The coach's learned reader; made by training/coach/train.py from "
                + corpus_facts(rows)
                + ". Do not edit: retrain.",
                "fields": list(FIELDS),
                "positive": [fields[f]["positive"] for f in FIELDS],
                "bias": [fields[f]["bias"] for f in FIELDS],
                "weights": {n: [fields[f]["weights"].get(n, 0.0) for f in FIELDS] for n in names},
            },
            ensure_ascii=False,
            indent=0,
            sort_keys=False,
        ).replace("\n", "")
        + "\n"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the shipped model is stale")
    parser.add_argument("--no-eval", action="store_true", help="skip leave-one-source-out")
    parser.add_argument("--corpus", type=Path, default=CORPUS, help="folder of *.tsv files")
    args = parser.parse_args()
    started = time.perf_counter()
    rows = load(args.corpus)
    feats = featurise(rows)
    print(f"Corpus: {corpus_facts(rows)}.")
    print(f"Labels: {agreement(rows)}.")
    if not args.no_eval:
        print("| reader | nature | output recall | measurable | maintain | focus |")
        print("| --- | ---: | ---: | ---: | ---: | ---: |")
        print(report("grammar reader alone", evaluate(rows, feats, learn=False)))
        print(report("learned reader, leave-one-source-out", evaluate(rows, feats)))
    text = model_file(train(rows, feats), rows)
    if args.check:
        if MODEL.read_text(encoding="utf-8") != text:
            raise SystemExit(f"{MODEL.relative_to(ROOT)} differs from a fresh training: retrain")
        print(f"{MODEL.relative_to(ROOT)} is what the corpus trains.")
    else:
        MODEL.write_text(text, encoding="utf-8")
        print(f"wrote {MODEL.relative_to(ROOT)} ({len(text) / 1024:.0f} KiB)")
    print(f"({time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
