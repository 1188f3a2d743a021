"""Export, lint and import (dry run) of a large organisation, each as the `okr` command runs it.

A child process migrates a fresh SQLite data directory and builds the organisation: a
generated OKR file (`constellation.core.generate`) of N objectives with K key results each is
imported, then C weekly check-ins are added to every key result (in bulk, as a quarter of
check-ins would have accumulated). Then, each as its own process, timed with its peak memory
(the child's maximum resident set size, from wait4):
  okr export --org bench --output FILE
  okr lint --format json FILE
  okr import FILE --org bench --dry-run      (the file it came from: nothing to change)
The organisation is built without the handlers that keep stored scores current (none of the
three commands reads them; an import that writes refreshes them, and benchmarks/server.py
times that).

Run:  .venv/bin/python benchmarks/transfer.py [--objectives 25000] [--key-results 4]
                                              [--check-ins 12] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import write_figures  # a sibling module: the docs section writer

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
OKR = ROOT / ".venv" / "bin" / "okr"
SECTION = "## Export, lint and import of a large organisation"
FIGURES_START = "<!-- figures of benchmarks/transfer.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of transfer figures -->"
BENCH_ORG = "bench"
BATCH = 5000
# What a step may take before it needs a closer look.
LIMIT_SECONDS = 120
LIMIT_MEGABYTES = 1536


# ---------------------------------------------------------------- inside the prepared process


def prepare(objectives: int, key_results: int, check_ins: int) -> dict[str, object]:
    """Migrate, import the generated organisation and add its check-ins; what it took."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.db import transaction
    from django.test import override_settings
    from django.utils import timezone

    from constellation.core.generate import generate_plan_text
    from constellation.core.okrfile import load_text
    from constellation.core.periods import period_containing
    from constellation.server.okrs.models import KeyResult
    from constellation.server.plans.transfer import import_plan
    from constellation.server.tracking.models import CheckIn

    period = period_containing(timezone.localdate())
    started = time.perf_counter()
    text = generate_plan_text(objectives, key_results, period=period.key)
    plan = load_text(text, path=f"generated-{objectives}.yaml")
    # Only the rows are needed here: the stored scores an import refreshes are not read by
    # export, lint or a dry run that finds nothing to change (benchmarks/server.py times them).
    with override_settings(CHANGE_HANDLERS=[]):
        import_plan(plan, BENCH_ORG)
    imported = time.perf_counter() - started
    started = time.perf_counter()
    rows = KeyResult.objects.filter(objective__organization__slug=BENCH_ORG).values_list(
        "id", "type", "baseline", "target"
    )
    made = 0
    with transaction.atomic():
        pending: list[CheckIn] = []
        for kr_id, kind, baseline, target in rows.iterator(chunk_size=BATCH):
            for week in range(check_ins):
                pending.append(_check_in(kr_id, kind, baseline, target, week, check_ins, period))
            if len(pending) >= BATCH:
                CheckIn.objects.bulk_create(pending)
                made, pending = made + len(pending), []
        CheckIn.objects.bulk_create(pending)
        made += len(pending)
    return {
        "import_seconds": round(imported, 1),
        "check_in_seconds": round(time.perf_counter() - started, 1),
        "check_ins": made,
    }


def _check_in(
    kr_id: int,
    kind: str,
    baseline: float | None,
    target: float | None,
    week: int,
    weeks: int,
    period: Any,
) -> Any:
    """The check-in of week `week`: a value on its way from baseline to target, or done."""
    from constellation.server.tracking.models import CheckIn

    share = (week + 1) / weeks
    on = period.start + timedelta(days=7 * week)
    confidence = 5 + (kr_id + week) % 5
    note = "On track after the pricing change" if week % 4 == 3 else ""
    if kind == "milestone":
        return CheckIn(
            key_result_id=kr_id, checked_on=on, done=share >= 1, confidence=confidence, note=note
        )
    start = baseline if baseline is not None else (target or 0) * 0.9
    end = target if target is not None else start
    value = round(start + (end - start) * share * 0.8, 2)
    return CheckIn(
        key_result_id=kr_id, checked_on=on, value=value, confidence=confidence, note=note
    )


# ---------------------------------------------------------------- the driving process


@dataclass
class Step:
    """One command's run: wall seconds, CPU seconds and peak memory (max RSS, MB)."""

    name: str
    command: list[str]
    seconds: float
    cpu: float
    peak_mb: float
    code: int


def run_step(name: str, command: list[str], env: dict[str, str], output: Path) -> Step:
    """Run one command with its output in a file; time it and read its peak memory."""
    with output.open("wb") as out, (output.with_suffix(".err")).open("wb") as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    return Step(
        name,
        command,
        seconds,
        usage.ru_utime + usage.ru_stime,
        usage.ru_maxrss / 1024,  # kilobytes on Linux
        process.returncode,
    )


def _shown(command: list[str], folder: Path) -> str:
    words = [str(Path(c).name) if c == str(OKR) else c for c in command]
    return " ".join(w.replace(str(folder) + "/", "") for w in words)


def main() -> None:
    """Build the organisation, run the three commands, print (and write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=25000)
    parser.add_argument("--key-results", type=int, default=4)
    parser.add_argument("--check-ins", type=int, default=12, help="per key result")
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data directory")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.objectives, args.key_results, args.check_ins)))
        return
    folder = Path(tempfile.mkdtemp(prefix="okr-transfer-"))
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    env["OKR_DATA_DIR"] = str(folder / "data")
    shape = ["--objectives", str(args.objectives), "--key-results", str(args.key_results)]
    shape += ["--check-ins", str(args.check_ins)]
    built = subprocess.run(
        [str(PYTHON), __file__, "--prepare", *shape],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise SystemExit(f"building the organisation failed:\n{built.stderr}")
    facts = json.loads(built.stdout.strip().splitlines()[-1])
    exported = folder / "bench.yaml"
    commands = [
        ("export", [str(OKR), "export", "--org", BENCH_ORG, "--output", str(exported)], (0,)),
        ("lint", [str(OKR), "lint", "--format", "json", str(exported)], (0, 1)),
        ("import --dry-run", [str(OKR), "import", str(exported), "--org", BENCH_ORG, "--dry-run"],
         (0,)),
    ]  # fmt: skip
    steps = []
    for name, command, codes in commands:
        step = run_step(name, command, env, folder / f"{name.split()[0]}.out")
        steps.append(step)
        if step.code not in codes:
            errors = (folder / f"{name.split()[0]}.err").read_text(errors="replace")[-3000:]
            raise SystemExit(f"{name} exited {step.code}:\n{errors}")
    report = (folder / "import.out").read_text(errors="replace").strip().split("\n\n")
    size = exported.stat().st_size / 2**20
    said = " ".join(report[0].split()).replace(str(folder) + "/", "") if report else ""
    result = _figures(args, facts, steps, size, said, folder)
    print(result)
    if args.write_docs:
        shape_shown = " ".join(shape)
        command = f".venv/bin/python benchmarks/transfer.py {shape_shown}"
        write_docs(f"`{command}` (with `--write-docs` to write this block)", result)
    if not args.keep:
        import shutil

        shutil.rmtree(folder, ignore_errors=True)
    else:
        print(f"kept: {folder}")


def _figures(
    args: argparse.Namespace,
    facts: dict,
    steps: list[Step],
    size: float,
    imported: str,
    folder: Path,
) -> str:
    krs = args.objectives * args.key_results
    lines = [
        f"Organisation: {args.objectives:,} objectives, {krs:,} key results, "
        f"{facts['check_ins']:,} check-ins ({args.check_ins} a key result); the exported file "
        f"is {size:,.1f} MB. SQLite, one process per command, {os.cpu_count()} CPUs.",
        "",
        "| step | command | wall | CPU | peak memory (max RSS) |",
        "| --- | --- | --- | --- | --- |",
    ]
    for step in steps:
        flag = " ⚠" if step.seconds > LIMIT_SECONDS or step.peak_mb > LIMIT_MEGABYTES else ""
        lines.append(
            f"| {step.name} | `{_shown(step.command, folder)}` | {step.seconds:.1f} s{flag} "
            f"| {step.cpu:.1f} s | {step.peak_mb:,.0f} MB |"
        )
    lines += [
        "",
        f"Building the organisation (not timed above): the import of the generated file took "
        f"{facts['import_seconds']} s, adding the check-ins {facts['check_in_seconds']} s. "
        f"The dry run said: “{imported}”",
    ]
    return "\n".join(lines)


def write_docs(command: str, body: str) -> None:
    """Replace this benchmark's figures in docs/benchmarks.md (the section is added once)."""
    write_figures(SECTION, FIGURES_START, FIGURES_END, f"{command}", body)


if __name__ == "__main__":
    main()
