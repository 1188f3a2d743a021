"""How long `okr lint` takes on a big generated OKR file, end to end and step by step.

Run: .venv/bin/python benchmarks/lint.py [--objectives 5000] [--key-results 4] [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from constellation.core.coach import lint
from constellation.core.generate import generate_plan_text
from constellation.core.language import read
from constellation.core.okrfile import load_file

ROOT = Path(__file__).resolve().parent.parent
OKR = ROOT / ".venv" / "bin" / "okr"
TARGET_SECONDS = 3.0


def time_command(path: Path, repeat: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of `okr lint --format json FILE`, start-up included.

    CPU time (user + system) shows the cost even when other work shares the machine.
    """
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        completed = subprocess.run(
            [str(OKR), "lint", "--format", "json", str(path)],
            capture_output=True,
            check=False,
        )
        walls.append(time.perf_counter() - start)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
        if completed.returncode not in (0, 1):
            sys.exit(f"okr lint failed ({completed.returncode}): {completed.stderr.decode()}")
    return walls, cpus


def time_steps(path: Path, repeat: int) -> tuple[list[float], list[float], Counter[str]]:
    """Seconds to load the file and to lint the plan, each run with the reader's cache empty."""
    loads, lints = [], []
    rules: Counter[str] = Counter()
    for _ in range(repeat):
        start = time.perf_counter()
        plan = load_file(path)
        loads.append(time.perf_counter() - start)
        read.cache_clear()
        start = time.perf_counter()
        findings = lint(plan)
        lints.append(time.perf_counter() - start)
        rules = Counter(f.rule for f in findings)
    return loads, lints, rules


def _row(name: str, times: list[float]) -> str:
    return f"| {name} | {min(times):.2f} s | {statistics.median(times):.2f} s |"


def main() -> None:
    """Generate the file, time the command and the steps, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--objectives", type=int, default=5000)
    parser.add_argument("--key-results", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    text = generate_plan_text(args.objectives, args.key_results)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "generated.yaml"
        path.write_text(text, encoding="utf-8")
        size = os.path.getsize(path) / 1e6
        command, command_cpu = time_command(path, args.repeat)
        loads, lints, rules = time_steps(path, args.repeat)
    key_results = args.objectives * args.key_results
    print(f"file: {args.objectives:,} objectives, {key_results:,} key results, {size:.1f} MB")
    print(f"findings: {sum(rules.values()):,} ({', '.join(f'{r} {n}' for r, n in rules.items())})")
    print("| step | best | median |")
    print("| --- | --- | --- |")
    print(_row("`okr lint --format json` (process, end to end)", command))
    print(_row("the same, CPU time (user + system)", command_cpu))
    print(_row("load_file (in process)", loads))
    print(_row("lint (in process, reader cache empty)", lints))
    verdict = "within" if min(command) < TARGET_SECONDS else "OVER"
    print(f"end to end best {min(command):.2f} s: {verdict} the {TARGET_SECONDS:.0f} s target")


if __name__ == "__main__":
    main()
