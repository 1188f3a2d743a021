"""Several servers starting together migrate once: `okr migrate` takes a lock, and `okr serve
--no-migrate` refuses to start on a database that still has migrations to apply."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fresh_postgresql import fresh_database

OKR = Path(sys.executable).with_name("okr")
TOGETHER = 3


def _environment(tmp_path: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["OKR_DATA_DIR"] = str(tmp_path / "data")
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _migrate_together(env: dict[str, str]) -> list[subprocess.CompletedProcess[str]]:
    """Start `okr migrate` several times at once and wait for each."""
    processes = [
        subprocess.Popen(
            [str(OKR), "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(TOGETHER)
    ]
    done = []
    for process in processes:
        out, err = process.communicate(timeout=300)
        done.append(subprocess.CompletedProcess(process.args, process.returncode, out, err))
    return done


def _applied_twice(rows: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return sorted({row for row in rows if rows.count(row) > 1})


def _assert_each_migration_applied_once(
    done: list[subprocess.CompletedProcess[str]], rows: list[tuple[str, str]]
) -> None:
    for finished in done:
        assert finished.returncode == 0, finished.stderr
    assert _applied_twice(rows) == []
    assert ("okrs", "0001_initial") in rows
    applied = [f for f in done if "Applied" in f.stdout]
    # One process applied the migrations; the others found the database up to date.
    assert len(applied) == 1, [f.stdout for f in done]
    assert sum("Database is up to date" in f.stdout for f in done) == TOGETHER - 1


def test_several_migrations_started_together_on_sqlite_apply_each_migration_once(
    tmp_path: Path,
) -> None:
    import sqlite3

    done = _migrate_together(_environment(tmp_path, None))
    with sqlite3.connect(tmp_path / "data" / "constellation.sqlite3") as database:
        rows = database.execute("SELECT app, name FROM django_migrations").fetchall()
    _assert_each_migration_applied_once(done, rows)


@pytest.fixture
def fresh_postgresql() -> Iterator[str]:
    """A new, empty PostgreSQL database of its own, dropped at the end."""
    yield from fresh_database()


def test_several_migrations_started_together_on_postgresql_apply_each_migration_once(
    tmp_path: Path, fresh_postgresql: str
) -> None:
    import psycopg

    done = _migrate_together(_environment(tmp_path, fresh_postgresql))
    with psycopg.connect(fresh_postgresql) as database:
        rows = database.execute("SELECT app, name FROM django_migrations").fetchall()
    _assert_each_migration_applied_once(done, [tuple(row) for row in rows])


def test_serve_without_migrating_refuses_a_database_with_migrations_to_apply(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    done = subprocess.run(
        [str(OKR), "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)],
        env=_environment(tmp_path, None),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "migrations to apply" in done.stderr
    assert "run `okr migrate` first" in done.stderr
    assert "Serving on" not in done.stdout
