"""`okr lint`: coach OKR files and report findings as text, JSON, SARIF or GitHub annotations."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from constellation.cli.app import (
    EXIT_BAD_INPUT,
    EXIT_FINDINGS,
    EXIT_OK,
    app,
    console,
    err_console,
    version,
)
from constellation.core.coach import RULES, Finding, lint
from constellation.core.coach.report import github_annotations, json_report, sarif_report
from constellation.core.model import Plan

if TYPE_CHECKING:
    from constellation.core.okrfile.problems import Problem

# Below this many objectives linting is too quick for a progress bar to help.
PROGRESS_THRESHOLD = 1000
# Files at least this big take seconds to read: a spinner says which one is being read.
READING_NOTICE_BYTES = 10 * 1024 * 1024
# The report lists at most this many findings, and this many problems of unreadable files; a
# count says how many more there are (the summary and the exit status count them all). A file
# with 141,744 problems printed 425,233 lines before the cap.
REPORT_LIMIT = 1000
_STYLES = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_PLURALS = {"error": "errors", "warning": "warnings", "info": "info"}


class LintFormat(StrEnum):
    """Output formats of `okr lint`."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


@dataclass(slots=True)
class FileResult:
    """One linted file: its path, its plan and the coach's findings."""

    path: str
    plan: Plan
    findings: list[Finding] = field(default_factory=list)


MaxSizeOption = Annotated[
    float | None,
    typer.Option(
        "--max-size",
        metavar="MB",
        min=0.001,
        help="Refuse files bigger than this many megabytes "
        "[default: the OKR_MAX_FILE_MB setting, else 200].",
        show_default=False,
    ),
]


def reading(path: Path) -> AbstractContextManager[object]:
    """A spinner on stderr while a big file is read, only when stderr is a terminal."""
    try:
        size = path.stat().st_size
    except OSError:
        size = 0
    if size < READING_NOTICE_BYTES or not err_console.is_terminal:
        return nullcontext()
    shown = f"{size / 2**20:,.0f} MB"
    return err_console.status(f"reading {escape(str(path))} ({shown})", spinner="dots")


def _load(
    paths: Sequence[Path], max_size: float | None = None
) -> tuple[list[tuple[str, Plan]], int, list[Problem]]:
    """Load every file; print each bad file's problems to stderr and go on with the others.
    Returns the plans read, the number of files that could not be, and their problems."""
    # Imported here so that `okr --help` and the other commands do not pay for the loader.
    from constellation.core.okrfile import OkrFileError, load_file

    plans: list[tuple[str, Plan]] = []
    bad = 0
    problems: list[Problem] = []
    for path in paths:
        try:
            with reading(path):
                plans.append((str(path), load_file(path, max_mb=max_size)))
        except OkrFileError as error:
            bad += 1
            problems.extend(error.problems)
    for problem in problems[:REPORT_LIMIT]:
        err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    _more(len(problems), "problem")
    return plans, bad, problems[:REPORT_LIMIT]


def _more(count: int, what: str) -> int:
    """Say on stderr how many of `count` are left out of the report; return that number."""
    left_out = max(count - REPORT_LIMIT, 0)
    if left_out:
        err_console.print(
            f"… and {left_out:,} more {what}s not shown: the report lists the first "
            f"{REPORT_LIMIT:,} of {count:,}.",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
    return left_out


def _capped(results: list[FileResult]) -> tuple[list[FileResult], int]:
    """The results with at most REPORT_LIMIT findings in all, and how many were left out."""
    room = REPORT_LIMIT
    shown = []
    for result in results:
        shown.append(FileResult(result.path, result.plan, result.findings[: max(room, 0)]))
        room -= len(result.findings)
    total = sum(len(result.findings) for result in results)
    return shown, max(total - REPORT_LIMIT, 0)


def _progress(total: int) -> AbstractContextManager[Progress | None]:
    """A progress bar on stderr for big plans, only when stderr is a terminal."""
    if total < PROGRESS_THRESHOLD or not err_console.is_terminal:
        return nullcontext()
    return Progress(
        TextColumn("linting"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("objectives"),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )


def _lint_all(plans: list[tuple[str, Plan]]) -> list[FileResult]:
    """Lint each plan, advancing a progress bar (when shown) objective by objective."""
    total = sum(len(plan.objectives) for _, plan in plans)
    results: list[FileResult] = []
    with _progress(total) as bar:
        advance: Callable[[int], object] | None = None
        if bar is not None:
            task = bar.add_task("lint", total=total)

            def advance(step: int) -> None:
                bar.advance(task, step)

        for path, plan in plans:
            results.append(FileResult(path, plan, lint(plan, progress=advance)))
    return results


def _objective_groups(result: FileResult) -> list[tuple[str, list[Finding]]]:
    """Findings grouped under a heading: the plan-wide group first, then objectives in order."""
    titles = {o.id: o.title for o in result.plan.objectives}
    groups: dict[str, list[Finding]] = {}
    for finding in result.findings:
        subject = RULES[finding.rule].subject
        if subject in ("objective", "key_result") and finding.object is not None:
            objective_id = finding.object.split("/", 1)[0]
            title = titles.get(objective_id, "")
            heading = f"{objective_id} — {title}" if title else objective_id
        else:
            heading = "plan: strategy, teams and KPIs"
        groups.setdefault(heading, []).append(finding)
    plan_wide = [(h, f) for h, f in groups.items() if h.startswith("plan: ")]
    return plan_wide + [(h, f) for h, f in groups.items() if not h.startswith("plan: ")]


def _print_text(results: list[FileResult], unreadable: int) -> None:
    """Findings by file, then by objective, each with its hint; colours only on a terminal."""
    shown, _ = _capped(results)
    for result, complete in zip(shown, results, strict=True):
        if complete.findings and not result.findings:
            continue  # past the cap
        if not result.findings:
            console.print(f"[bold]{escape(result.path)}[/]: no findings", soft_wrap=True)
            continue
        console.print(f"[bold]{escape(result.path)}[/]", soft_wrap=True)
        for heading, findings in _objective_groups(result):
            console.print(f"  [bold]{escape(heading)}[/]", soft_wrap=True)
            for finding in findings:
                style = _STYLES[finding.severity]
                where = f"line {finding.line}" if finding.line is not None else "file"
                console.print(
                    f"    [{style}]{finding.severity}[/] {finding.rule} ({where}): "
                    f"{escape(finding.message)}",
                    soft_wrap=True,
                )
                console.print(f"      hint: {escape(finding.hint)}", soft_wrap=True)
        console.print()
    total = sum(len(result.findings) for result in results)
    if total > REPORT_LIMIT:
        console.print(
            f"… and {total - REPORT_LIMIT:,} more findings not shown: the report lists the "
            f"first {REPORT_LIMIT:,}.",
            soft_wrap=True,
        )
    console.print(summary(results, unreadable), soft_wrap=True)


def summary(results: Sequence[FileResult], unreadable: int = 0) -> str:
    """The closing line: "3 errors, 5 warnings, 1 info in 2 files" (and files not linted)."""
    counts = dict.fromkeys(_PLURALS, 0)
    for result in results:
        for finding in result.findings:
            counts[finding.severity] += 1
    parts = [f"{n} {severity if n == 1 else _PLURALS[severity]}" for severity, n in counts.items()]
    line = f"{', '.join(parts)} in {_files(len(results))}"
    if unreadable:
        line += f"; {_files(unreadable)} could not be linted (see the problems above)"
    return line


def _files(count: int) -> str:
    return f"{count} file{'' if count == 1 else 's'}"


def _write_json(document: dict[str, object]) -> None:
    sys.stdout.write(json.dumps(document, ensure_ascii=False, indent=2) + "\n")
    sys.stdout.flush()


def _print_machine(output: LintFormat, results: list[FileResult], problems: list[Problem]) -> None:
    """The JSON, SARIF or GitHub report of the first findings; how many more, on stderr (and
    in the SARIF run's properties), so the JSON keeps the contract's shape."""
    shown, left_out = _capped(results)
    _more(sum(len(r.findings) for r in results), "finding")
    found = [(r.path, r.findings) for r in shown]
    if output is LintFormat.json:
        _write_json(json_report(found))
    elif output is LintFormat.sarif:
        _write_json(sarif_report(found, version(), problems, not_shown=left_out))
    else:
        sys.stdout.write(github_annotations(found, problems))
        sys.stdout.flush()


@app.command("lint")
def lint_command(
    files: Annotated[
        list[Path], typer.Argument(help="OKR files to lint.", show_default=False, readable=False)
    ],
    output: Annotated[
        LintFormat,
        typer.Option(
            "--format",
            help="text: grouped and coloured; json: the spec's shape; sarif; github: workflow "
            "annotations for GitHub Actions.",
        ),
    ] = LintFormat.text,
    strict: Annotated[
        bool, typer.Option("--strict", help="Exit 1 on any finding, not only on errors.")
    ] = False,
    max_size: MaxSizeOption = None,
) -> None:
    """Coach OKR files: outputs posing as key results, copies, loops, missing strategy..."""
    plans, bad, problems = _load(files, max_size)
    results = _lint_all(plans)
    if output is LintFormat.text:
        _print_text(results, bad)
    else:
        _print_machine(output, results, problems)
    if bad:
        raise typer.Exit(EXIT_BAD_INPUT)
    failing = [f for r in results for f in r.findings if strict or f.severity == "error"]
    raise typer.Exit(EXIT_FINDINGS if failing else EXIT_OK)
