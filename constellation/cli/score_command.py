"""`okr score`: progress, grade, status and forecast of every objective and key result."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from enum import StrEnum
from typing import Annotated

import typer
from rich import box
from rich.table import Table
from rich.text import Text

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.cli.file_commands import load_or_exit
from constellation.core.model import KeyResult, Objective, Plan
from constellation.core.numbers import format_value
from constellation.core.scoring import KrScore, ObjectiveScore, PlanScore, score_plan

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_STATUS_STYLE = {
    "on_track": "green",
    "at_risk": "yellow",
    "off_track": "red",
    "not_started": "dim",
    "draft": "dim",
}
_BAR_WIDTH = 8


class ScoreFormat(StrEnum):
    """Output formats of `okr score`."""

    text = "text"
    json = "json"


def parse_day(text: str) -> date:
    """A YYYY-MM-DD day; exits 2 with a clear message when it is not one."""
    try:
        if not _DATE.match(text.strip()):
            raise ValueError
        return date.fromisoformat(text.strip())
    except ValueError:
        err_console.print(
            f"okr score: --at {text!r} is not a date; expected YYYY-MM-DD (e.g. 2026-08-15)",
            markup=False,
            soft_wrap=True,
        )
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _number(value: float | None, unit: str | None = None) -> str:
    """A value as people write it, by its unit (`$4.8M`, `45%`); `?` when there is none."""
    return "?" if value is None else format_value(value, unit, compact=True)


def _bar(progress: float) -> Text:
    """A progress bar with its percentage."""
    filled = round(progress * _BAR_WIDTH)
    bar = Text("█" * filled, style="cyan")
    bar.append("░" * (_BAR_WIDTH - filled), style="dim")
    bar.append(f" {round(progress * 100):>3}%")
    return bar


def _status(status: str) -> Text:
    """A status in words, coloured."""
    return Text(status.replace("_", " "), style=_STATUS_STYLE.get(status, ""))


def _where(kr: KeyResult, score: KrScore) -> str:
    """Where a key result stands against what it aims at."""
    if kr.type == "milestone":
        return "done" if score.progress >= 1.0 else "not done"
    if kr.type == "range":
        healthy = kr.healthy.text() if kr.healthy else "?"
        return f"{_number(score.current, kr.unit)} in {healthy}"
    return f"{_number(score.current, kr.unit)} → {_number(score.target, kr.unit)}"


def _trend(kr: KeyResult, score: KrScore) -> str:
    """The forecast in words: value at the period's end and the day the target is reached."""
    found = score.forecast
    if found is None:
        return ""
    end = f"{_number(found.end_value, kr.unit)} at end"
    if found.target_date is not None:
        return f"trend: {end}, reaches target {found.target_date.isoformat()}"
    return f"trend: {end}, never reaches target"


def _objective_row(table: Table, score: ObjectiveScore) -> None:
    """The objective's row: id and title, progress, expected pace, grade, status."""
    grade = score.grade
    grade_text = Text(f"{grade.value:.1f}", style=f"bold {grade.band}")
    grade_text.append(f"/{grade.expected:.1f}", style="dim")
    title = Text(score.id, style="bold")
    title.append(f"  {score.title}")
    expected = "" if score.status == "draft" else f"{round(score.expected * 100)}%"
    status = _status(score.status)
    if score.reason:
        status.append(f"\n{score.reason}", style="dim")
    table.add_row(title, _bar(score.progress), expected, grade_text, status)


def _kr_row(table: Table, kr: KeyResult, score: KrScore) -> None:
    """A key result's row, indented under its objective, with where it stands and its trend."""
    title = Text("  ")
    # An id derived from the title only repeats it, cut short: show the ids people wrote.
    if kr.id_given:
        title.append(f"{score.id}  ", style="bold dim")
    title.append(score.title)
    details = "; ".join(part for part in (_where(kr, score), _trend(kr, score)) if part)
    title.append(f"\n    {details}", style="dim")
    expected = "" if score.status == "draft" else f"{round(score.expected * 100)}%"
    table.add_row(title, _bar(score.progress), expected, "", _status(score.status))


def _team_order(plan: Plan) -> list[str]:
    """Team ids in the order of the org chart, then any others in order of appearance."""
    order = [team.id for team in plan.teams]
    order += [o.team for o in plan.objectives if o.team not in order]
    return list(dict.fromkeys(order))


def _table(title: str) -> Table:
    """An empty table of scores; the first column takes what room the terminal has left."""
    table = Table(title=Text(title, style="bold"), title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("Objective / key result", ratio=1, overflow="fold")
    table.add_column("Progress", no_wrap=True)
    table.add_column("Expected", justify="right", no_wrap=True)
    table.add_column("Grade", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    return table


def _tables(plan: Plan, scores: PlanScore) -> list[Table]:
    """One table per team that has objectives."""
    names = {team.id: team.name for team in plan.teams}
    by_team: dict[str, list[tuple[Objective, ObjectiveScore]]] = {}
    for pair in zip(plan.objectives, scores.objectives, strict=True):
        by_team.setdefault(pair[0].team, []).append(pair)
    tables = []
    for team in _team_order(plan):
        mine = by_team.get(team)
        if not mine:
            continue
        table = _table(f"{names.get(team, team)} ({team})")
        for index, (objective, score) in enumerate(mine):
            if index:
                table.add_section()
            _objective_row(table, score)
            for kr, kr_score in zip(objective.key_results, score.key_results, strict=True):
                _kr_row(table, kr, kr_score)
        tables.append(table)
    return tables


def _summary(scores: PlanScore) -> str:
    """One line: the day and how many objectives are in each status."""
    counts = dict.fromkeys(_STATUS_STYLE, 0)
    for objective in scores.objectives:
        counts[objective.status] += 1
    # The three pace statuses always; "not started" and "draft" only when some are.
    shown = [(s, n) for s, n in counts.items() if n or s in ("on_track", "at_risk", "off_track")]
    parts = ", ".join(f"{n} {status.replace('_', ' ')}" for status, n in shown)
    return f"Scored on {scores.at.isoformat()}: {len(scores.objectives)} objectives ({parts})"


@app.command()
def score(
    file: Annotated[str, typer.Argument(help="The OKR file to score.", metavar="FILE")],
    at: Annotated[
        str | None,
        typer.Option(
            "--at", help="The day to score on, YYYY-MM-DD (default: today).", metavar="DATE"
        ),
    ] = None,
    output: Annotated[
        ScoreFormat,
        typer.Option("--format", help="text: a table per team; json: one document."),
    ] = ScoreFormat.text,
) -> None:
    """Progress, grade, status and forecast of every objective and key result."""
    on = parse_day(at) if at is not None else date.today()
    plan = load_or_exit(file)
    scores = score_plan(plan, on)
    if output is ScoreFormat.json:
        document = scores.as_dict()
        document["path"] = plan.path or file
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        return
    for table in _tables(plan, scores):
        console.print(table)
    console.print(_summary(scores), markup=False)
