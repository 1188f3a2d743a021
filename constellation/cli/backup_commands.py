"""`okr backup` and `okr restore`: a whole instance (database and secret key) in one archive.

The archive's format and what each member holds are described in `server/backup.py` and
docs/operations.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from constellation.cli.app import app, console, err_console
from constellation.cli.server_commands import _bad_input, _database_or_exit


@contextmanager
def _steps(verb: str) -> Iterator[Callable[[str], None]]:
    """What the command is doing, with the time it has taken, on stderr on a terminal only."""
    columns = (SpinnerColumn(), TextColumn(f"{verb}: {{task.description}}"), TimeElapsedColumn())
    terminal = err_console.is_terminal
    with Progress(*columns, console=err_console, transient=True, disable=not terminal) as bar:
        task = bar.add_task("", total=None)

        def say(step: str) -> None:
            bar.update(task, description=step)

        yield say


@app.command("backup")
def backup_command(
    output: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="The archive to write (a .tar.gz), readable by its owner only."
        ),
    ],
) -> None:
    """Back up the database and the secret key into one archive while the server runs."""
    # SQLite is copied by its online backup API, PostgreSQL by pg_dump: one consistent snapshot
    # however busy the server is. The archive's secret key opens the sealed webhook and data
    # source secrets, so it is written readable by its owner only.
    _database_or_exit("backup", migrate=False)
    from constellation.server.backup import BackupError, make_backup

    try:
        with _steps("backing up") as say:
            manifest = make_backup(output, say)
    except BackupError as error:
        raise _bad_input(f"okr backup: {error}") from None
    except OSError as error:
        raise _bad_input(f"okr backup: cannot write {output}: {error.strerror}") from None
    rows = sum(manifest.tables.values())
    console.print(
        f"Backed up {len(manifest.tables)} tables ({rows:,} rows) of the {manifest.database} "
        f"database and the secret key to {output}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )


@app.command("restore")
def restore_command(
    file: Annotated[Path, typer.Argument(help="An archive made by `okr backup`.")],
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Replace a database that is not empty and a different secret key.",
        ),
    ] = False,
) -> None:
    """Restore a backup into an empty database and data directory, then apply migrations."""
    # The database is the one the settings name (SQLite in OKR_DATA_DIR, or DATABASE_URL: a
    # newly created PostgreSQL database); the secret key goes in OKR_DATA_DIR.
    from constellation.server.backup import BackupError, restore

    try:
        with _steps("restoring") as say:
            restored = restore(file, force=force, say=say)
    except BackupError as error:
        raise _bad_input(f"okr restore: {error}") from None
    except OSError as error:
        raise _bad_input(f"okr restore: {error}") from None
    manifest = restored.manifest
    console.print(
        f"Restored {len(manifest.tables)} tables ({sum(manifest.tables.values()):,} rows) "
        f"backed up at {manifest.created_at} by version {manifest.version}.",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    for warning in restored.warnings:
        err_console.print(f"Warning: {warning}", markup=False, highlight=False, soft_wrap=True)
    _migrate_restored()


def _migrate_restored() -> None:
    """Bring a backup from an older version up to this one's schema."""
    _database_or_exit("restore", migrate=False)
    from constellation.cli.server_commands import _apply_migrations, _pending_migrations

    try:
        unknown = _newer_migrations()
        pending = [] if unknown else _pending_migrations()
        if pending:
            _apply_migrations(len(pending))
    except Exception as error:  # a failing migration: the rows restored stay as they were
        raise _bad_input(f"okr restore: migrating: {type(error).__name__}: {error}") from None
    if unknown:
        raise _bad_input(
            "okr restore: the rows are restored, but the backup was made by a newer version: "
            f"its migrations {', '.join(unknown)} are unknown to this one; run that version"
        )
    if pending:
        console.print(f"Applied {len(pending)} migrations made since the backup.")


def _newer_migrations() -> list[str]:
    """Migrations the restored database has applied that this version does not know."""
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    loader = MigrationLoader(connection, ignore_no_migrations=True)
    unknown = set(loader.applied_migrations) - set(loader.disk_migrations)
    return sorted(f"{app}.{name}" for app, name in unknown)
