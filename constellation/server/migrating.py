"""One migration at a time: the lock several servers starting together take around `migrate`.

On PostgreSQL a session-level advisory lock on a fixed key; on SQLite an exclusive `fcntl`
lock on a file beside the database. The first process to take it migrates; the others wait,
then find nothing left to apply. Both locks are released by the operating system or the
database when the process dies, so a killed migration never leaves the lock held.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connections

# Any fixed 64-bit number, the same in every process of every release: "okr migrate".
ADVISORY_KEY = 0x6F6B72_6D696772


def lock_file_of(database_name: str) -> Path | None:
    """The file whose lock guards an SQLite database's migrations (None for in-memory ones)."""
    if not database_name or database_name == ":memory:" or database_name.startswith("file:"):
        return None
    return Path(database_name).with_name(Path(database_name).name + ".migrate-lock")


@contextmanager
def _postgresql_lock(alias: str) -> Iterator[None]:
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_KEY])
    try:
        yield
    finally:
        # The migration may have closed the connection; a closed session holds no lock.
        if connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_KEY])


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)  # waits for the process that holds it
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


@contextmanager
def migration_lock(alias: str = "default") -> Iterator[None]:
    """Hold the database's migration lock for the block, waiting for whoever holds it."""
    connection = connections[alias]
    if connection.vendor == "postgresql":
        with _postgresql_lock(alias):
            yield
        return
    path = lock_file_of(str(connection.settings_dict["NAME"]))
    if path is None:  # an in-memory database belongs to this process alone
        yield
        return
    with _file_lock(path):
        yield
