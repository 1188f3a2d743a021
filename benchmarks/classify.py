"""Accuracy of the language reader on labelled statements, and `okr classify` throughput.

First the honest figure: leave-one-source-out on the corpus of real key results
(training/coach/corpus; each source read by a model trained on every other source, needs
scikit-learn: `pip install -e '.[train]'`), per field, with the confusion of nature and the
recall of outputs, beside the grammar reader alone. Then the labelled files kept as tests
(never trained on), and the throughput of the real `okr classify` process.

Run: .venv/bin/python benchmarks/classify.py [--statements 20000 100000] [--misses] [--no-loso]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import typer

from constellation.core.language import read

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "core" / "data"
SHARED = Path(os.environ.get("OKR_EXAMPLES", ROOT.parent / "shared" / "examples"))
# The shared examples when they are at hand, else the copy kept with the tests.
LABELLED = [
    SHARED / "key_results.tsv"
    if (SHARED / "key_results.tsv").exists()
    else DATA / "key_results.tsv",
    DATA / "held_out_statements.tsv",
]

_VERBS_UP = ["Increase", "Raise", "Grow", "Lift", "Boost"]
_VERBS_DOWN = ["Reduce", "Cut", "Lower", "Shorten"]
_METRICS = [
    "weekly active users",
    "the share of patients seen within 4 hours",
    "net revenue retention",
    "the median time to first response",
    "monthly recurring revenue",
    "the number of pupils who read daily",
    "cost per delivered parcel",
    "the conversion rate of trials",
]
_WORK = ["Launch", "Ship", "Build", "Write", "Host", "Migrate", "Publish", "Hire"]
_THINGS = ["the new portal", "case studies", "community events", "the billing system", "nurses"]


def accuracy(path: Path) -> dict[str, float]:
    """Share of rows where each field of the reading matches its label."""
    hits = {"nature": 0, "measurable": 0, "maintain": 0, "focus": 0}
    rows = focus_rows = 0
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            got = read(row["text"])
            rows += 1
            hits["nature"] += got.nature == row["kind"]
            hits["measurable"] += got.measurable == (row["measurable"] == "yes")
            hits["maintain"] += got.maintain == (row["maintain"] == "yes")
            if row["focus"] != "-":
                focus_rows += 1
                hits["focus"] += got.focus == row["focus"]
    return {key: value / (focus_rows if key == "focus" else rows) for key, value in hits.items()}


def misses(path: Path) -> list[str]:
    """Rows whose reading differs from the label, for working on the reader."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            got = read(row["text"])
            want = (row["kind"], row["measurable"] == "yes", row["maintain"] == "yes")
            wrong = (got.nature, got.measurable, got.maintain) != want or (
                row["focus"] != "-" and got.focus != row["focus"]
            )
            if wrong:
                out.append(f"  {row['text']!r}: got {got}, want {want} {row['focus']}")
    return out


def generate(count: int, seed: int = 7) -> str:
    """Distinct statements of every kind, one a line."""
    rng = random.Random(seed)
    lines = []
    for i in range(count):
        a, b = rng.randint(1, 900), rng.randint(1, 900)
        pick = i % 4
        if pick == 0:
            verb = rng.choice(_VERBS_UP)
            lines.append(f"{verb} {rng.choice(_METRICS)} from {a}% to {a + b}% in region {i}")
        elif pick == 1:
            verb = rng.choice(_VERBS_DOWN)
            lines.append(f"{verb} {rng.choice(_METRICS)} by {a % 90 + 1}% for cohort {i}")
        elif pick == 2:
            lines.append(f"{rng.choice(_WORK)} {b} {rng.choice(_THINGS)} for site {i}")
        else:
            lines.append(f"Keep {rng.choice(_METRICS)} below {a},{b:03d} in area {i}")
    return "\n".join(lines) + "\n"


def _command_name() -> list[str]:
    """["classify"], or nothing while classify is the only command (Typer then runs it bare)."""
    from constellation.cli import main as _registers  # noqa: F401
    from constellation.cli.app import app

    command = typer.main.get_command(app)
    return ["classify"] if hasattr(command, "commands") else []


def throughput(count: int, runs: int = 3) -> tuple[float, list[str]]:
    """Best statements/s of the real `okr classify` over `count` generated statements."""
    okr = shutil.which("okr", path=str(Path(sys.executable).parent)) or "okr"
    command = [okr, *_command_name()]
    data = generate(count).encode()
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, input=data, capture_output=True, check=True)
        best = min(best, time.perf_counter() - start)
        assert done.stdout.count(b"\n") == count
    return count / best, command


def leave_one_source_out() -> None:
    """The corpus scores of the grammar reader alone and of the learned reader."""
    sys.path.insert(0, str(ROOT / "training" / "coach"))
    try:
        import train  # the training script, a sibling folder's module
    except ImportError as error:  # scikit-learn missing
        print(f"leave-one-source-out skipped: {error}")
        return
    rows = train.load()
    feats = train.featurise(rows)
    print(f"Corpus: {train.corpus_facts(rows)}.")
    print(f"Labels: {train.agreement(rows)}.")
    print("| reader | nature | output recall | measurable | maintain | focus |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(train.report("grammar reader alone", train.evaluate(rows, feats, learn=False)))
    print(train.report("learned reader, leave-one-source-out", train.evaluate(rows, feats)))


def main() -> None:
    """Print the accuracies and the throughput."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--statements", type=int, nargs="+", default=[20_000, 100_000])
    parser.add_argument("--misses", action="store_true", help="list the rows read wrongly")
    parser.add_argument("--no-loso", action="store_true", help="skip leave-one-source-out")
    args = parser.parse_args()
    if not args.no_loso:
        leave_one_source_out()
    for path in LABELLED:
        if not path.exists():
            print(f"{path}: missing, skipped")
            continue
        figures = accuracy(path)
        shown = "  ".join(f"{key} {value:.3f}" for key, value in figures.items())
        print(f"{path.name}: {shown}")
        if args.misses:
            print("\n".join(misses(path)))
    for count in args.statements:
        rate, command = throughput(count)
        print(
            f"okr classify: {rate:,.0f} statements/s over {count:,} generated statements "
            f"(best of 3, process start-up included): {' '.join(command)} < statements.txt"
        )
    print(f"produced by: {sys.executable} {' '.join(sys.argv)}")


if __name__ == "__main__":
    main()
