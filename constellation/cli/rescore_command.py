"""`okr rescore`: recompute every stored score and coach finding, and report any drift."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.cli.server_commands import _database_or_exit

# Exit code when the stored values had drifted from the engine's (and were repaired).
EXIT_DRIFT = 1


@app.command("rescore")
def rescore_command(
    org: Annotated[
        str | None, typer.Option("--org", help="Only this organisation (its slug).")
    ] = None,
    check: Annotated[
        bool,
        typer.Option(
            "--check", help="Exit 1 when anything had drifted (the repair is made all the same)."
        ),
    ] = False,
) -> None:
    """Recompute the stored scores and findings with the engine; report and repair any drift.

    Scores and findings are kept current by every write; this is the repair for data written
    around the product (SQL by hand, a restored backup) and the check that nothing drifted.
    """
    _database_or_exit("rescore")
    from constellation.server.orgs.access import all_organizations, find_organization
    from constellation.server.plans.stored import rescore_organization

    organizations = list(all_organizations())
    if org is not None:
        found = find_organization(org)
        if found is None:
            err_console.print(f"okr rescore: no organisation {org!r}", markup=False)
            raise typer.Exit(EXIT_BAD_INPUT)
        organizations = [found]
    drifted = 0
    for organization in organizations:
        total = organization.objectives.count()
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err_console,
            transient=True,
            disable=not err_console.is_terminal,
        ) as bar:
            task = bar.add_task(organization.slug, total=total)

            def advance(done: int, task: TaskID = task) -> None:
                bar.update(task, advance=done)

            drift = rescore_organization(organization, progress=advance)
        drifted += drift.total
        line = (
            f"{organization.slug}: {total:,} objectives rescored; "
            f"drift: {drift.objectives} objectives, {drift.key_results} key results, "
            f"{drift.findings} findings"
        )
        console.print(line, markup=False, highlight=False)
        for example in drift.examples:
            console.print(f"  {example}", markup=False, highlight=False)
    if check and drifted:
        raise typer.Exit(EXIT_DRIFT)
