"""Commands that use the server's database: `okr import`, `okr export` and `okr migrate`."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from constellation.cli.app import EXIT_BAD_INPUT, app, console, err_console
from constellation.cli.lint_command import MaxSizeOption, reading

if TYPE_CHECKING:
    from constellation.server.plans.transfer import ImportReport

# Below this many objectives an import is quick enough that a progress bar is only noise.
PROGRESS_THRESHOLD = 200
# Updated fields listed one by one in the import summary; the rest are counted.
DETAIL_LIMIT = 50

_configured = False
_migrated = False


def _configure() -> None:
    """Point Django at the project's settings and set it up, once."""
    global _configured
    if _configured:
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "constellation.server.settings")
    import django

    django.setup()
    _configured = True


def _pending_migrations() -> list[Any]:
    """The migrations not yet applied to the default database, in the order they apply."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return executor.migration_plan(executor.loader.graph.leaf_nodes())


def setup_django() -> None:
    """Configure Django once and bring the database schema up to date, quietly.

    Migrations run under the migration lock, so servers starting together apply each
    migration once: the first migrates, the others wait and find nothing left to do.
    """
    global _migrated
    _configure()
    if _migrated:
        return
    # A fresh data directory must just work: apply whatever migrations are missing.
    if _pending_migrations():
        from django.core.management import call_command

        from constellation.server.migrating import migration_lock

        with migration_lock():
            if _pending_migrations():  # another process may have applied them meanwhile
                call_command("migrate", interactive=False, verbosity=0)
    _migrated = True


def require_migrated() -> None:
    """Configure Django and refuse (exit 2) when migrations are pending: `--no-migrate`."""
    global _migrated
    _configure()
    pending = _pending_migrations()
    if pending:
        names = ", ".join(f"{migration.app_label}.{migration.name}" for migration, _ in pending[:3])
        more = f" and {len(pending) - 3} more" if len(pending) > 3 else ""
        raise _bad_input(
            f"the database has {len(pending)} migrations to apply ({names}{more}); "
            "run `okr migrate` first"
        )
    _migrated = True


def open_periods_and_rescore() -> None:
    """Open the periods that are due and score what was never scored, one process at a time.

    Run by `okr migrate` and at every server start; under the migration lock so servers
    starting together never open the same period twice.
    """
    from constellation.server.migrating import migration_lock
    from constellation.server.okrs.actions import do_open_periods_everywhere
    from constellation.server.plans.stored import refresh_calendar

    with migration_lock():
        # The current quarter, and the next one once it opens for drafting (`plan_ahead_days`).
        do_open_periods_everywhere()
        # Scores stored before an upgrade (or written around the product) are brought up to
        # date once here, not by the first requests: one query when nothing is stale.
        scored = refresh_calendar()
    if scored:
        console.print(f"Scored {scored:,} objectives whose stored scores were out of date.")


def _bad_input(message: str) -> typer.Exit:
    """Print a problem on stderr; the caller raises the returned exit (code 2)."""
    err_console.print(message, markup=False, highlight=False, soft_wrap=True)
    return typer.Exit(EXIT_BAD_INPUT)


def _database_or_exit(command: str, *, migrate: bool = True) -> None:
    """Set up Django (and migrate) or exit 2 with what went wrong, never a traceback."""
    try:
        setup_django() if migrate else _configure()
    except Exception as error:  # an unreachable database, a bad DATABASE_URL, a bad data dir
        raise _bad_input(
            f"okr {command}: cannot use the database: {type(error).__name__}: {error}"
        ) from None


def announce_setup_link() -> None:
    """While nobody has an account, print a new one-time link that creates the first admin."""
    from constellation.server.accounts.access import setup_url
    from constellation.server.accounts.actions import do_create_setup_link

    token = do_create_setup_link()
    if token is None:
        return
    console.print(
        f"No account yet. Open {setup_url(token)} to create your organisation and its owner "
        "(the link works once; `okr org create` and `okr user create` do the same from scripts).",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@contextmanager
def _import_progress(objectives: int, steps: int) -> Iterator[Callable[[str], None] | None]:
    """A progress bar over the import's steps, on stderr, for big files on a terminal only."""
    if objectives < PROGRESS_THRESHOLD or not err_console.is_terminal:
        yield None
        return
    columns = (TextColumn("importing {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, TimeElapsedColumn(), console=err_console, transient=True) as bar:
        task = bar.add_task("", total=steps)
        started = False

        def advance(step: str) -> None:
            nonlocal started
            bar.update(task, description=step, advance=1 if started else 0)
            started = True

        yield advance
        bar.update(task, completed=steps)


@contextmanager
def _export_progress() -> Iterator[Callable[[str], None]]:
    """What the export is doing (reading, writing), on stderr, on a terminal only.

    The file itself goes to standard output or to a file: this never mixes with it.
    """
    columns = (SpinnerColumn(), TextColumn("exporting: {task.description}"), TimeElapsedColumn())
    terminal = err_console.is_terminal
    # Standard output is left alone: it may be the file itself.
    with Progress(
        *columns,
        console=err_console,
        transient=True,
        disable=not terminal,
        redirect_stdout=False,
        redirect_stderr=False,
    ) as bar:
        task = bar.add_task("", total=None)

        def say(step: str) -> None:
            bar.update(task, description=step)

        yield say


def _show(value: object) -> str:
    """A value in a change line: none, a list of ids, or the value as the file writes it."""
    from constellation.server.plans.transfer_report import jsonable

    value = jsonable(value)
    if value is None:
        return "none"
    if isinstance(value, list):
        return "[" + ", ".join(map(str, value)) + "]"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # the database keeps 50 as 50.0; the file says 50
    return repr(value) if isinstance(value, str) else str(value)


def _print_report(report: ImportReport, path: Path) -> None:
    """The summary table, then each update field by field, then what was kept."""
    verb = "would change" if report.dry_run else "changed"
    source = escape(str(path))
    if not report.changed:
        console.print(
            f"Nothing to change: {report.organization!r} already matches {source}.",
            highlight=False,
        )
    else:
        title = f"Imported {source} into {report.organization}"
        if report.dry_run:
            title = f"Dry run, nothing written: importing {source} into {report.organization}"
        table = Table(title=title, title_justify="left")
        for column in ("kind", "created", "updated", "unchanged", "kept, not in file"):
            table.add_column(column, justify="left" if column == "kind" else "right")
        for kind, row in report.counts().items():
            table.add_row(kind, *(str(row[k]) for k in ("created", "updated", "unchanged", "kept")))
        console.print(table)
    updates = [c for c in report.changes if c.action == "updated"]
    for change in updates[:DETAIL_LIMIT]:
        fields = "; ".join(f"{f.field}: {_show(f.old)} → {_show(f.new)}" for f in change.fields)
        console.print(
            f"  {verb} {change.kind} {change.key}: {fields}", markup=False, soft_wrap=True
        )
    if len(updates) > DETAIL_LIMIT:
        console.print(f"  … and {len(updates) - DETAIL_LIMIT} more updates", markup=False)
    for kind, keys in report.kept.items():
        shown = ", ".join(keys[:10]) + (f" and {len(keys) - 10} more" if len(keys) > 10 else "")
        console.print(
            f"  kept, not in file: {len(keys)} {kind}: {shown}", markup=False, soft_wrap=True
        )


@app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="The OKR file to import.")],
    org: Annotated[str, typer.Option("--org", help="Slug of the organisation to import into.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    max_size: MaxSizeOption = None,
) -> None:
    """Import an OKR file into an organisation (created when missing), in one transaction."""
    from constellation.cli.file_commands import print_problems
    from constellation.core.okrfile import OkrFileError, load_file

    try:
        with reading(file):
            plan = load_file(file, max_mb=max_size)
    except OkrFileError as error:
        print_problems(error)
        raise typer.Exit(EXIT_BAD_INPUT) from None
    _database_or_exit("import")
    from django.db import DatabaseError

    from constellation.server.plans.transfer import ImportRefused, import_plan
    from constellation.server.plans.transfer_import import STEPS

    try:
        with _import_progress(len(plan.objectives), len(STEPS)) as progress:
            report = import_plan(plan, org, dry_run=dry_run, progress=progress)
    except ImportRefused as refused:
        for problem in refused.problems:
            err_console.print(problem, markup=False, highlight=False, soft_wrap=True)
        raise _bad_input(f"okr import: nothing was imported from {file}") from None
    except DatabaseError as error:  # e.g. another import created the same organisation first
        raise _bad_input(
            f"okr import: the database refused the import ({error}); nothing was imported"
        ) from None
    _print_report(report, file)


@app.command("export")
def export_command(
    org: Annotated[str, typer.Option("--org", help="Slug of the organisation to export.")],
    period: Annotated[
        str | None, typer.Option("--period", help="Only this period (YYYY-Qn or YYYY).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Write an organisation's OKRs as an OKR file (all periods unless --period)."""
    from constellation.core.periods import is_period

    if period is not None and not is_period(period):
        raise _bad_input(f"okr export: period {period!r} is not YYYY-Qn (e.g. 2026-Q3) or YYYY")
    _database_or_exit("export")
    from constellation.core.okrfile import dump_plan
    from constellation.server.plans.transfer import ExportError, export_org

    with _export_progress() as say:
        say(f"reading {org!r} from the database")
        try:
            plan = export_org(org, period)
        except ExportError as error:
            raise _bad_input(f"okr export: {error}") from None
        count = len(plan.objectives)
        say(f"writing {count:,} objectives")
        text = dump_plan(plan)
        del plan  # a big plan's memory is no longer needed once it is text
        if output is not None:
            from constellation.cli.file_commands import write_atomically

            try:
                write_atomically(output, text)
            except OSError as error:
                raise _bad_input(f"okr export: cannot write {output}: {error.strerror}") from None
    if output is None:
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    err_console.print(f"Wrote {count} objectives of {org!r} to {output}", markup=False)


_APPLYING = re.compile(r"Applying (\S+?)\.\.\.")


class _MigrationLines:
    """A stream for Django's migrate output that turns each applied migration into progress."""

    def __init__(self, advance: Callable[[str], None]) -> None:
        self.advance = advance

    def write(self, text: str) -> None:
        """Advance once per "Applying app.name..." line; ignore the rest."""
        for name in _APPLYING.findall(text):
            self.advance(name)

    def flush(self) -> None:
        """Nothing is buffered."""


def _apply_migrations(total: int) -> None:
    """Run Django's migrate: one updating progress line on a terminal, else a line each."""
    from django.core.management import call_command

    done = 0
    terminal = err_console.is_terminal
    columns = (TextColumn("migrating {task.description}"), BarColumn(), MofNCompleteColumn())
    with Progress(*columns, console=err_console, transient=True, disable=not terminal) as bar:
        task = bar.add_task("", total=total)

        def advance(name: str) -> None:
            nonlocal done
            done += 1
            bar.update(task, advance=1, description=name)
            if not terminal:
                line = f"[{done}/{total}] applied {name}"
                console.print(line, markup=False, highlight=False, soft_wrap=True)

        call_command("migrate", interactive=False, verbosity=1, stdout=_MigrationLines(advance))


@app.command("migrate")
def migrate_command() -> None:
    """Create or update the database schema (SQLite in OKR_DATA_DIR, or DATABASE_URL).

    Safe to start on several machines at once: a lock lets one apply each migration.
    """
    global _migrated
    _database_or_exit("migrate", migrate=False)
    from constellation.server.migrating import migration_lock

    try:
        with migration_lock():
            pending = _pending_migrations()
            if pending:
                _apply_migrations(len(pending))
    except Exception as error:  # an unreachable database or a failing migration
        raise _bad_input(f"okr migrate: {type(error).__name__}: {error}") from None
    _migrated = True
    if not pending:
        console.print("Database is up to date: no migration to apply.")
    else:
        console.print(f"Applied {len(pending)} migrations; the database is up to date.")
    open_periods_and_rescore()
    announce_setup_link()
