"""`okr report`: the quarterly review report of a period as Markdown or PDF, from the database."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from constellation.cli.app import app, err_console
from constellation.cli.server_commands import _bad_input, _database_or_exit

FORMATS = ("md", "pdf")


def _scope(org: str, period: str, team: str | None) -> tuple[Any, Any, Any]:
    """The organisation as a reader sees it, the period and the team, else exit 2."""
    from constellation.server.okrs.access import find_period
    from constellation.server.orgs.access import find_organization, find_team, operator_access

    organization = find_organization(org)
    if organization is None:
        raise _bad_input(f"okr report: no organisation {org!r}")
    # The report only reads, so the operator reads as a viewer would.
    reader = operator_access(organization)
    found = find_period(reader, period)
    if found is None:
        raise _bad_input(f"okr report: {org!r} has no period {period!r}")
    chosen = None
    if team is not None:
        chosen = find_team(reader, team)
        if chosen is None:
            raise _bad_input(f"okr report: {org!r} has no team {team!r}")
    return reader, found, chosen


@app.command("report")
def report_command(
    org: Annotated[str, typer.Option("--org", help="Slug of the organisation.")],
    period: Annotated[str, typer.Option("--period", help="The period (YYYY-Qn or YYYY).")],
    team: Annotated[
        str | None, typer.Option("--team", help="Only this team (its slug); every team if not.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="md (Markdown) or pdf.")] = "md",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write the quarterly review report of a period (grades, decisions, reflection,
    learnings, initiative results) as Markdown or PDF."""
    if format not in FORMATS:
        raise _bad_input(f"okr report: format {format!r} is not one of {', '.join(FORMATS)}")
    if format == "pdf" and output is None and sys.stdout.isatty():
        raise _bad_input("okr report: a PDF is not for a terminal; give --output FILE")
    _database_or_exit("report")
    from constellation.server.quarterly.report import gather
    from constellation.server.quarterly.report_markdown import to_markdown
    from constellation.server.quarterly.report_pdf import to_pdf

    access, found, chosen = _scope(org, period, team)
    report = gather(access, found, chosen)
    content = to_pdf(report) if format == "pdf" else to_markdown(report).encode()
    if output is None:
        sys.stdout.buffer.write(content)
        sys.stdout.flush()
        return
    try:
        output.write_bytes(content)
    except OSError as error:
        raise _bad_input(f"okr report: cannot write {output}: {error.strerror}") from None
    err_console.print(f"Wrote the review report of {org!r} {period} to {output}", markup=False)
