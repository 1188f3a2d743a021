"""`okr backup` while check-ins are being written, then `okr restore` into an empty database.

The source is the test run's own database (a SQLite file, or PostgreSQL when DATABASE_URL is
set), holding the standard world and the demo organisation; the rows are committed
(transactional tests) so the `okr` processes see them. The restore goes into a new data
directory (SQLite) or a newly created, uniquely named PostgreSQL database.

Why the comparison is sound although writes go on during and after the backup: one writer
thread is the only writer. It records check-ins one transaction at a time and, right after
each commit and before its next write, reads every table: the database exactly as it stands
after n writes. A consistent backup is one snapshot taken between two of those transactions,
so the restored database must equal, table by table and row by row, the state recorded after
as many writes as the restored database holds writer check-ins. A torn copy (half a
transaction, a table copied before a write and another after) matches no recorded state.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import sqlite3
import stat
import subprocess
import sys
import tarfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection
from typer.testing import CliRunner

from constellation.cli.main import app
from constellation.server.backup import (
    MEMBERS,
    BackupError,
    Manifest,
    postgres_program,
    restore,
    write_archive,
)
from constellation.server.demo import build_demo
from constellation.server.orgs.access import access_org
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.tracking.models import CheckIn
from tests.server.factories import PASSWORD, World, make_world

ROOT = Path(__file__).resolve().parents[2]
OKR = [sys.executable, "-m", "constellation.cli.main"]
NOTE = "written during the backup #"


def _database_url() -> str:
    """The test database, as a URL another process can open."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite://{Path(found['NAME']).resolve()}"
    return _postgres_url(found["NAME"])


def _postgres_url(name: str) -> str:
    found = connection.settings_dict
    password = f":{found['PASSWORD']}" if found["PASSWORD"] else ""
    host = found["HOST"] or "127.0.0.1"
    return f"postgres://{found['USER']}{password}@{host}:{found['PORT'] or 5432}/{name}"


def _okr(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*OKR, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout
    )


def _environment(data_dir: Path, database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OKR_DEBUG", "DATABASE_URL")}
    env |= {"OKR_DATA_DIR": str(data_dir), "PYTHONPATH": str(ROOT)}
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


# --- Reading every table with the database's own driver ----------------------------------------


def _driver_connection(url: str) -> Any:
    """A plain DB-API connection (no Django converters), the same driver for both sides."""
    if url.startswith("sqlite://"):
        return sqlite3.connect(url.removeprefix("sqlite://"), timeout=20)
    import psycopg

    return psycopg.connect(url, autocommit=True)


def _digests(db: Any, tables: list[str]) -> dict[str, str]:
    """Each table's rows, as a digest of their sorted representations (the order is free)."""
    found = {}
    for table in tables:
        rows = db.execute(f'SELECT * FROM "{table}"').fetchall()
        text = "\n".join(sorted(repr(tuple(row)) for row in rows))
        found[table] = hashlib.sha256(text.encode()).hexdigest()
    return found


def _tables(db: Any) -> list[str]:
    if isinstance(db, sqlite3.Connection):
        query = "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
    else:
        query = "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
    return sorted(row[0] for row in db.execute(query).fetchall())


def _writer_check_ins(db: Any) -> int:
    table = CheckIn._meta.db_table
    marker = "?" if isinstance(db, sqlite3.Connection) else "%s"
    query = f'SELECT count(*) FROM "{table}" WHERE note LIKE {marker}'
    return int(db.execute(query, (NOTE + "%",)).fetchone()[0])


class Writer(threading.Thread):
    """Check-ins one transaction at a time; after each, every table as it then stands."""

    def __init__(self, world: World, url: str) -> None:
        super().__init__(daemon=True)
        self.world, self.url = world, url
        self.states: list[dict[str, str]] = []
        self.stop = threading.Event()
        self.failure: BaseException | None = None

    def run(self) -> None:
        try:
            access = access_org(self.world.member, "acme")
            with _closing(_driver_connection(self.url)) as reader:
                tables = _tables(reader)
                self.states.append(_digests(reader, tables))
                while not self.stop.is_set():
                    n = len(self.states)
                    data = CheckInInput(value=100 + n, confidence=n % 11, note=f"{NOTE}{n}")
                    do_check_in(access, self.world.key_result, data, self.world.member)
                    self.states.append(_digests(reader, tables))
        except BaseException as error:  # reported by the test, not lost in the thread
            self.failure = error
        finally:
            connection.close()

    def writes(self) -> int:
        """How many check-ins the writer has committed (and read back) so far."""
        return len(self.states) - 1


@contextmanager
def _closing(db: Any) -> Iterator[Any]:
    try:
        yield db
    finally:
        db.close()


# --- The restored database and a server on it ---------------------------------------------------


@contextmanager
def _empty_target(tmp_path: Path) -> Iterator[str | None]:
    """Nothing for SQLite (a new data directory); a new PostgreSQL database, dropped after."""
    if connection.vendor == "sqlite":
        yield None
        return
    import psycopg
    from psycopg import sql

    name = f"okr_restore_{uuid.uuid4().hex[:12]}"
    admin = _postgres_url("postgres")
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    try:
        yield _postgres_url(name)
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", (name,)
            )
            db.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def _server(env: dict[str, str]) -> Iterator[str]:
    """`okr serve` on 127.0.0.1, answering, stopped afterwards."""
    port = _free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1", "--no-worker"]
    process = subprocess.Popen(
        [*OKR, *args], env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until(lambda: _answers(f"{base}/healthz"), process)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        assert process.stderr is not None
        process.stderr.close()


def _answers(url: str) -> bool:
    try:
        return requests.get(url, timeout=10).status_code == 200
    except requests.RequestException:  # not listening yet, or still busy starting
        return False


def _wait_until(ready: Callable[[], bool], process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while not ready():
        assert process.poll() is None, "okr serve stopped before it answered"
        assert time.monotonic() < deadline, "okr serve did not answer within two minutes"
        time.sleep(0.2)


def _logged_in(base: str) -> requests.Session:
    session = requests.Session()
    page = session.get(f"{base}/accounts/login/", timeout=10)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
    assert token is not None
    answer = session.post(
        f"{base}/accounts/login/",
        data={"csrfmiddlewaretoken": token[1], "username": "member", "password": PASSWORD},
        headers={"Referer": f"{base}/accounts/login/"},
        timeout=10,
    )
    assert answer.status_code == 200 and "/accounts/login/" not in answer.url
    return session


# --- The acceptance test -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_backup_taken_during_writes_restores_every_row_and_serves_the_same_pages(
    tmp_path: Path,
) -> None:
    world = make_world()
    build_demo(world.period.start)
    source = _database_url()
    archive = tmp_path / "instance.tar.gz"
    writer = Writer(world, source)
    writer.start()
    try:
        _wait_for(lambda: writer.writes() >= 3, writer)
        before = writer.writes()
        made = _okr("backup", "--output", str(archive), env=_environment(settings.DATA_DIR, source))
        during = writer.writes() - before
        _wait_for(lambda: writer.writes() >= before + during + 2, writer)
    finally:
        writer.stop.set()
        writer.join(timeout=60)
    assert writer.failure is None, writer.failure
    assert made.returncode == 0, made.stderr
    assert during > 0, "no check-in was written while the backup ran"
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600

    with _empty_target(tmp_path) as restored_url:
        data_dir = tmp_path / "restored"
        env = _environment(data_dir, restored_url)
        done = _okr("restore", str(archive), env=env)
        assert done.returncode == 0, done.stderr
        url = restored_url or f"sqlite://{data_dir / 'constellation.sqlite3'}"
        k = _assert_equals_a_recorded_state(url, writer, archive)
        assert (data_dir / "secret_key").read_text() == settings.SECRET_KEY
        assert stat.S_IMODE((data_dir / "secret_key").stat().st_mode) == 0o600
        with _server(env) as base:
            _assert_serves_the_state(_logged_in(base), base, world, k)


def _wait_for(done: Callable[[], bool], writer: Writer) -> None:
    deadline = time.monotonic() + 120
    while not done():
        assert writer.failure is None, writer.failure
        assert writer.is_alive() and time.monotonic() < deadline, "the writer stalled"
        time.sleep(0.05)


def _assert_equals_a_recorded_state(url: str, writer: Writer, archive: Path) -> int:
    """Every table of the backup holds the rows of the state after k writes; returns k."""
    with tarfile.open(archive) as packed:
        names = {member.name for member in packed.getmembers()}
    assert names == {"manifest.json", "secret_key", f"database.{_kind(url)}"}
    with _closing(_driver_connection(url)) as restored:
        tables = _tables(restored)
        k = _writer_check_ins(restored)
        found = _digests(restored, tables)
    expected = writer.states[k]
    assert sorted(expected) == tables, "the restored database has other tables"
    differing = [table for table in tables if found[table] != expected[table]]
    assert differing == [], f"tables whose rows differ from the state after {k} writes"
    assert 0 < k < writer.writes(), "the backup was not taken while check-ins were written"
    return k


def _kind(url: str) -> str:
    return "sqlite3" if url.startswith("sqlite://") else "pgdump"


def _assert_serves_the_state(session: requests.Session, base: str, world: World, k: int) -> None:
    """The dashboard and the objective page show the plan and the check-in the backup held."""
    dashboard = session.get(f"{base}/o/acme/", timeout=20)
    assert dashboard.status_code == 200
    for title in (world.objective.title, "Customers stay with us"):
        assert title in dashboard.text
    page = session.get(f"{base}/o/acme/objectives/{world.objective.slug}/", timeout=20)
    assert page.status_code == 200
    assert world.objective.title in page.text and world.key_result.title in page.text
    assert f"{NOTE}{k}" in page.text
    assert f"{NOTE}{k + 1}" not in page.text


# --- Refusals: clear messages, nothing changed ---------------------------------------------------

runner = CliRunner()


def _archive(path: Path, *, database: str = "sqlite", key: str = "the-backup-key") -> Path:
    """A small archive as `okr backup` writes it: one table of two rows."""
    made = path.parent / "made.sqlite3"
    with _closing(sqlite3.connect(made)) as db:
        db.execute("CREATE TABLE t (n integer)")
        db.executemany("INSERT INTO t VALUES (?)", [(1,), (2,)])
        db.commit()
    manifest = Manifest("0", database, "2026-12-03T00:00:00+00:00", "data directory", [], {"t": 2})
    write_archive(path, manifest, key, made.rename(path.parent / MEMBERS[database]))
    return path


@pytest.fixture
def empty_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The settings `okr restore` reads point at a new SQLite data directory."""
    monkeypatch.setenv("OKR_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return tmp_path / "data"


def test_restore_refuses_a_database_that_is_not_empty_and_changes_nothing(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    archive = _archive(tmp_path / "backup.tar.gz")
    empty_data_dir.mkdir()
    kept = empty_data_dir / "constellation.sqlite3"
    with _closing(sqlite3.connect(kept)) as db:
        db.execute("CREATE TABLE mine (n integer)")
    before = kept.read_bytes()
    result = runner.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "is not empty" in result.stderr and "--force" in result.stderr
    assert kept.read_bytes() == before
    assert not (empty_data_dir / "secret_key").exists()


def test_restore_refuses_a_data_directory_with_another_secret_key(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    archive = _archive(tmp_path / "backup.tar.gz")
    empty_data_dir.mkdir()
    (empty_data_dir / "secret_key").write_text("another key")
    result = runner.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "holds another secret key" in result.stderr
    assert (empty_data_dir / "secret_key").read_text() == "another key"
    assert not (empty_data_dir / "constellation.sqlite3").exists()


def test_restore_refuses_a_backup_of_another_kind_of_database(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    archive = _archive(tmp_path / "backup.tar.gz", database="postgresql")
    result = runner.invoke(app, ["restore", str(archive)])
    assert result.exit_code == 2
    assert "backup is of a postgresql database" in result.stderr


def test_restore_refuses_a_file_that_is_not_a_backup(tmp_path: Path, empty_data_dir: Path) -> None:
    bogus = tmp_path / "notes.tar.gz"
    bogus.write_text("not an archive")
    result = runner.invoke(app, ["restore", str(bogus)])
    assert result.exit_code == 2
    assert "not a backup made by okr backup" in result.stderr
    missing = runner.invoke(app, ["restore", str(tmp_path / "nowhere.tar.gz")])
    assert missing.exit_code == 2 and "no such file" in missing.stderr


def test_restore_places_the_database_and_the_key_owner_only(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    archive = _archive(tmp_path / "backup.tar.gz")
    restored = restore(archive, force=False, say=lambda step: None)
    assert restored.manifest.tables == {"t": 2}
    for name in ("constellation.sqlite3", "secret_key"):
        assert stat.S_IMODE((empty_data_dir / name).stat().st_mode) == 0o600
    assert (empty_data_dir / "secret_key").read_text() == "the-backup-key"


def test_without_pg_dump_the_backup_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    monkeypatch.setattr("glob.glob", lambda pattern: [])
    with pytest.raises(BackupError) as refused:
        postgres_program("pg_dump")
    assert "pg_dump is not installed" in str(refused.value)
    assert "postgresql-client" in str(refused.value)


def test_a_backup_from_an_older_version_is_migrated_when_restored(tmp_path: Path) -> None:
    """The source stops one migration short (as an older release left it); the restore applies
    the migration and the restored check-ins have the column it adds."""
    source = _environment(tmp_path / "source", None)
    assert _okr("migrate", env=source).returncode == 0
    older = [
        sys.executable,
        "-m",
        "django",
        "migrate",
        "tracking",
        "0003_check_ins_marked_automatic",
    ]
    done = subprocess.run(older, env=source, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    archive = tmp_path / "older.tar.gz"
    assert _okr("backup", "--output", str(archive), env=source).returncode == 0
    restored = _okr("restore", str(archive), env=_environment(tmp_path / "restored", None))
    assert restored.returncode == 0, restored.stderr
    assert "made since the backup" in restored.stdout
    with _closing(sqlite3.connect(tmp_path / "restored" / "constellation.sqlite3")) as db:
        columns = [row[1] for row in db.execute(f'PRAGMA table_info("{CheckIn._meta.db_table}")')]
    assert "version" in columns


def test_a_backup_from_a_newer_version_is_named_as_such(tmp_path: Path) -> None:
    made = tmp_path / "made.sqlite3"
    with _closing(sqlite3.connect(made)) as db:
        db.execute("CREATE TABLE django_migrations (id integer, app text, name text, applied text)")
        db.execute(
            "INSERT INTO django_migrations VALUES (1, 'tracking', '9999_future', ?)",
            ("2030-01-01 00:00:00",),
        )
        db.commit()
    manifest = Manifest("99", "sqlite", "2030-01-01T00:00:00+00:00", "data directory", [], {})
    manifest.tables = {"django_migrations": 1}
    archive = tmp_path / "newer.tar.gz"
    write_archive(archive, manifest, "key", made.rename(tmp_path / MEMBERS["sqlite"]))
    restored = _okr("restore", str(archive), env=_environment(tmp_path / "restored", None))
    assert restored.returncode == 2
    assert "made by a newer version" in restored.stderr
    assert "tracking.9999_future" in restored.stderr


def test_backup_of_a_file_that_is_not_a_database_says_so(
    tmp_path: Path, empty_data_dir: Path
) -> None:
    empty_data_dir.mkdir()
    (empty_data_dir / "constellation.sqlite3").write_text("not a database")
    result = runner.invoke(app, ["backup", "--output", str(tmp_path / "b.tar.gz")])
    assert result.exit_code == 2
    assert "SQLite refused the copy" in result.stderr
    assert not (tmp_path / "b.tar.gz").exists()
