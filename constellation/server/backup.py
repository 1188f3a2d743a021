"""Backups of a whole instance (`okr backup`, `okr restore`): the database and the secret key.

A backup is one gzip-compressed tar file holding three members:

- `manifest.json`: the archive's format, the version that made it, the database kind, when it
  was made, the migrations applied and every table's row count (counted in the same snapshot
  as the copy, so a restore can be checked against it);
- `secret_key`: the SECRET_KEY the instance used. Sealed secrets (webhook signing secrets,
  data source credentials: `sealed.py`), sessions and password reset links are keyed by it;
  a database restored without it keeps its rows but cannot open those secrets;
- `database.sqlite3` (SQLite, copied by SQLite's online backup API: one consistent snapshot,
  taken while the server keeps writing) or `database.pgdump` (PostgreSQL, `pg_dump
  --format=custom` in an exported snapshot, the one the row counts are read in).

Restoring places the key in the data directory and the database where the settings point
(the SQLite file in OKR_DATA_DIR or DATABASE_URL's), only into an empty one unless forced.
The settings are read from the environment here, not from Django: importing Django's settings
makes a new secret key in an empty data directory, which must instead receive the backup's.
"""

from __future__ import annotations

import glob
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from constellation.server.env import data_dir, database, env_str

FORMAT = 1
MANIFEST = "manifest.json"
KEY = "secret_key"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"
MEMBERS = {"sqlite": SQLITE_MEMBER, "postgresql": POSTGRES_MEMBER}

Say = Callable[[str], None]


class BackupError(Exception):
    """A backup or restore that cannot be done, with what the operator should do about it."""


@dataclass(slots=True)
class Manifest:
    """What a backup holds: its format, origin, database kind and every table's row count."""

    version: str
    database: str  # "sqlite" or "postgresql"
    created_at: str
    secret_key_from: str  # "environment" (SECRET_KEY) or "data directory"
    migrations: list[str] = field(default_factory=list)  # applied, as "app.name"
    tables: dict[str, int] = field(default_factory=dict)
    format: int = FORMAT

    @classmethod
    def read(cls, raw: bytes) -> Manifest:
        """The manifest of an archive, or BackupError naming what is wrong with it."""
        try:
            data = json.loads(raw)
            if data.get("format") != FORMAT:
                raise BackupError(
                    f"{MANIFEST}: format {data.get('format')!r} is not {FORMAT}; "
                    "restore it with the version that made it"
                )
            return cls(**{key: data[key] for key in cls.__dataclass_fields__ if key in data})
        except (ValueError, TypeError, AttributeError) as error:
            raise BackupError(f"{MANIFEST}: not a backup manifest ({error})") from None


def product_version() -> str:
    """The installed package's version ("0" when run from a tree that was never installed)."""
    from importlib import metadata

    try:
        return metadata.version("constellation-okr")
    except metadata.PackageNotFoundError:
        return "0"


def target() -> tuple[str, dict[str, Any], Path]:
    """Where the settings put the database: its kind, its settings and the data directory."""
    directory = data_dir()
    settings = database(env_str("DATABASE_URL"), directory)
    kind = "sqlite" if settings["ENGINE"] == "django.db.backends.sqlite3" else "postgresql"
    return kind, settings, directory


# --- Making a backup ---------------------------------------------------------------------------


def make_backup(output: Path, say: Say) -> Manifest:
    """Write a backup of the configured instance to `output` (owner-only, replaced at the end)."""
    from django.conf import settings

    kind, db, _ = target()
    from_env = bool(env_str("SECRET_KEY"))
    manifest = Manifest(
        version=product_version(),
        database=kind,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        secret_key_from="environment" if from_env else "data directory",
    )
    with _private_directory() as work:
        copy = work / MEMBERS[kind]
        if kind == "sqlite":
            try:
                _sqlite_backup(Path(str(db["NAME"])), copy, manifest, say)
            except sqlite3.Error as error:
                raise BackupError(f"SQLite refused the copy: {error}") from None
        else:
            _pg_dump(db, copy, manifest, say)
        say("packing the archive")
        write_archive(output, manifest, str(settings.SECRET_KEY), copy)
    return manifest


@contextmanager
def _private_directory() -> Iterator[Path]:
    """A temporary directory only its owner can read, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="okr-backup-") as name:
        os.chmod(name, 0o700)
        yield Path(name)


def _sqlite_backup(source: Path, copy: Path, manifest: Manifest, say: Say) -> None:
    """Copy a live SQLite database with the online backup API, then count its rows."""
    if not source.is_file():
        raise BackupError(f"there is no database at {source}: nothing to back up")
    size = source.stat().st_size + _size(source.with_name(source.name + "-wal"))
    say(f"copying the SQLite database ({size / 1e6:,.1f} MB)")
    # All pages in one step: the copy is one read transaction, a snapshot the server's writers
    # (WAL mode) never wait for. Copied step by step, every write in between would restart it.
    with (
        _closing(sqlite3.connect(source, timeout=20)) as live,
        _closing(sqlite3.connect(copy)) as out,
    ):
        live.backup(out, pages=-1)
    say("counting the rows of the copy")
    _sqlite_count(copy, manifest)


def _sqlite_count(path: Path, manifest: Manifest) -> None:
    """Every table's row count and the applied migrations of a SQLite file."""
    with _closing(sqlite3.connect(path)) as out:
        names = [
            row[0]
            for row in out.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT LIKE 'sqlite_%' ORDER BY name"
            )
        ]
        for name in names:
            quoted = '"' + name.replace('"', '""') + '"'
            manifest.tables[name] = out.execute(f"SELECT count(*) FROM {quoted}").fetchone()[0]
        if "django_migrations" in names:
            manifest.migrations = [
                f"{app}.{name}"
                for app, name in out.execute("SELECT app, name FROM django_migrations ORDER BY id")
            ]


def _size(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


@contextmanager
def _closing(connection: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A SQLite connection closed afterwards (its context manager only commits)."""
    try:
        yield connection
    finally:
        connection.close()


def write_archive(output: Path, manifest: Manifest, key: str, copy: Path) -> None:
    """Write the archive next to `output`, owner-only, and move it into place when complete."""
    output = output.expanduser()
    if not output.parent.is_dir():
        raise BackupError(f"cannot write {output}: its directory does not exist")
    fd, partial = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as handle:
            with tarfile.open(fileobj=handle, mode="w:gz") as archive:
                _add_bytes(archive, MANIFEST, json.dumps(asdict(manifest), indent=2).encode())
                _add_bytes(archive, KEY, key.encode())
                archive.add(copy, arcname=copy.name, filter=_owner_only)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(partial, output)
    except BaseException:
        Path(partial).unlink(missing_ok=True)
        raise


def _owner_only(info: tarfile.TarInfo) -> tarfile.TarInfo:
    info.mode = 0o600
    info.uname = info.gname = ""
    return info


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(datetime.now(UTC).timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- PostgreSQL --------------------------------------------------------------------------------


def postgres_program(name: str) -> str:
    """`pg_dump` or `pg_restore`: on PATH, else the newest in /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return found
    versions = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if versions:
        return max(versions, key=lambda path: [int(n) for n in re.findall(r"\d+", path)])
    raise BackupError(
        f"{name} is not installed (not on PATH nor in /usr/lib/postgresql/*/bin); install "
        f"PostgreSQL's client programs (e.g. the postgresql-client package) of the server's "
        f"major version or newer"
    )


def _pg_environment(db: dict[str, Any]) -> dict[str, str]:
    """The libpq variables that point pg_dump and pg_restore at the configured database."""
    env = dict(os.environ)
    given = {
        "PGHOST": db["HOST"],
        "PGPORT": db["PORT"],
        "PGUSER": db["USER"],
        "PGPASSWORD": db["PASSWORD"],
        "PGDATABASE": db["NAME"],
    }
    env.update({key: str(value) for key, value in given.items() if value})
    return env


def _pg_connect(db: dict[str, Any]) -> Any:
    import psycopg

    return psycopg.connect(
        host=db["HOST"] or None,
        port=db["PORT"] or None,
        user=db["USER"] or None,
        password=db["PASSWORD"] or None,
        dbname=db["NAME"],
        connect_timeout=10,
    )


def _pg_dump(db: dict[str, Any], copy: Path, manifest: Manifest, say: Say) -> None:
    """Dump the database in an exported snapshot and count its rows in that same snapshot."""
    import psycopg

    program = postgres_program("pg_dump")
    try:
        connection = _pg_connect(db)
    except psycopg.Error as error:
        raise BackupError(f"cannot connect to PostgreSQL: {error}") from None
    with connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        connection.read_only = True
        snapshot = connection.execute("SELECT pg_export_snapshot()").fetchone()[0]
        say("dumping the PostgreSQL database (pg_dump)")
        done = subprocess.run(
            [program, "--format=custom", f"--snapshot={snapshot}", f"--file={copy}"],
            env=_pg_environment(db),
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
        say("counting the rows of the snapshot")
        try:
            _pg_count(connection, manifest)
        except psycopg.Error as error:
            raise BackupError(f"PostgreSQL refused to count the rows: {error}") from None
        connection.rollback()


def _pg_count(connection: Any, manifest: Manifest) -> None:
    """Every table's row count and the applied migrations, read in the dump's snapshot."""
    from psycopg import sql

    names = [
        row[0]
        for row in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1"
        )
    ]
    for name in names:
        query = sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(name))
        manifest.tables[name] = connection.execute(query).fetchone()[0]
    if "django_migrations" in names:
        rows = connection.execute("SELECT app, name FROM django_migrations ORDER BY id")
        manifest.migrations = [f"{app}.{name}" for app, name in rows]


def pg_tables(db: dict[str, Any]) -> list[str]:
    """The tables of the configured PostgreSQL database's schema (empty for a new database)."""
    import psycopg

    try:
        with _pg_connect(db) as connection:
            rows = connection.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
            )
            return [row[0] for row in rows]
    except psycopg.Error as error:
        raise BackupError(f"cannot connect to PostgreSQL: {error}") from None


# --- Restoring ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Restored:
    """What a restore did: the backup's manifest and what the operator should know."""

    manifest: Manifest
    warnings: list[str] = field(default_factory=list)


def restore(archive_path: Path, *, force: bool, say: Say) -> Restored:
    """Restore a backup into the configured (empty, unless `force`) database and data directory.

    The database goes in first, whole (one SQLite file moved into place, or one pg_restore
    transaction), then the secret key; its rows are counted against the manifest afterwards.
    """
    kind, db, directory = target()
    with _private_directory() as work, _open_archive(archive_path) as archive:
        manifest = Manifest.read(_member(archive, MANIFEST).read())
        key = _member(archive, KEY).read().decode().strip()
        if manifest.database != kind:
            raise BackupError(
                f"this backup is of a {manifest.database} database, but the settings point at "
                f"{kind} (DATABASE_URL); restore it into a {manifest.database} database"
            )
        _refuse_unless_empty(kind, db, directory / KEY, key, force)
        say("unpacking the database")
        copy = work / MEMBERS[kind]
        with copy.open("wb") as out:
            shutil.copyfileobj(_member(archive, MEMBERS[kind]), out)
        if kind == "sqlite":
            say("placing the SQLite database")
            _place_sqlite(copy, Path(str(db["NAME"])))
        else:
            say("restoring the PostgreSQL database (pg_restore)")
            _pg_restore(db, copy, force)
    _write_key(directory / KEY, key)
    say("counting the rows of the restored database")
    _check_counts(kind, db, manifest)
    restored = Restored(manifest)
    if env_str("SECRET_KEY") and env_str("SECRET_KEY") != key:
        restored.warnings.append(
            "SECRET_KEY in the environment differs from the backup's key: sealed secrets "
            "(webhook and data source credentials) will not open until it is the backup's key "
            f"(kept in {directory / KEY})"
        )
    return restored


@contextmanager
def _open_archive(path: Path) -> Iterator[tarfile.TarFile]:
    try:
        archive = tarfile.open(path, mode="r:gz")  # noqa: SIM115 (closed by the block below)
    except FileNotFoundError:
        raise BackupError(f"{path}: no such file") from None
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path}: not a backup made by okr backup ({error})") from None
    with archive:
        yield archive


def _member(archive: tarfile.TarFile, name: str) -> IO[bytes]:
    """A regular member of the archive, read without ever extracting paths it names."""
    try:
        info = archive.getmember(name)
    except KeyError:
        raise BackupError(f"the archive has no {name}: not a backup made by okr backup") from None
    handle = archive.extractfile(info) if info.isfile() else None
    if handle is None:
        raise BackupError(f"the archive's {name} is not a file")
    return handle


def _refuse_unless_empty(
    kind: str, db: dict[str, Any], key_file: Path, key: str, force: bool
) -> None:
    """Refuse to replace a database with rows, or a different secret key, unless forced."""
    if force:
        return
    if kind == "sqlite":
        path = Path(str(db["NAME"]))
        if _sqlite_tables(path):
            raise BackupError(
                f"the database {path} is not empty; restore into an empty data directory "
                "(OKR_DATA_DIR) or pass --force to replace it"
            )
    elif pg_tables(db):
        raise BackupError(
            f"the PostgreSQL database {db['NAME']!r} is not empty; restore into a newly created "
            "database (DATABASE_URL) or pass --force to replace what the backup holds"
        )
    if key_file.exists() and key_file.read_text().strip() != key:
        raise BackupError(
            f"{key_file} holds another secret key; restore into an empty data directory "
            "or pass --force to replace it"
        )


def _sqlite_tables(path: Path) -> list[str]:
    if not path.is_file() or path.stat().st_size == 0:
        return []
    try:
        with _closing(sqlite3.connect(path)) as connection:
            rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            return [row[0] for row in rows]
    except sqlite3.DatabaseError as error:  # not a database: never replaced unless forced
        return [f"(unreadable: {error})"]


def _place_sqlite(copy: Path, path: Path) -> None:
    """Move the restored file into place: whole, owner-only, no stale write-ahead log left."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    with os.fdopen(fd, "wb") as out, copy.open("rb") as source:
        shutil.copyfileobj(source, out)
        out.flush()
        os.fsync(out.fileno())
    # A -wal left by the replaced database would be replayed into the restored one.
    for suffix in ("-wal", "-shm"):
        path.with_name(path.name + suffix).unlink(missing_ok=True)
    os.replace(partial, path)


def _pg_restore(db: dict[str, Any], copy: Path, force: bool) -> None:
    """pg_restore in one transaction, objects owned by DATABASE_URL's user."""
    program = postgres_program("pg_restore")
    command = [program, "--no-owner", "--no-acl", "--single-transaction", "--exit-on-error"]
    if force:
        command += ["--clean", "--if-exists"]
    done = subprocess.run(
        [*command, f"--dbname={db['NAME']}", str(copy)],
        env=_pg_environment(db),
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BackupError(f"pg_restore failed, nothing was restored: {done.stderr.strip()}")


def _write_key(path: Path, key: str) -> None:
    """The secret key file, owner-only, replaced whole."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, partial = tempfile.mkstemp(prefix=".secret_key.", dir=path.parent)  # mode 0600
    with os.fdopen(fd, "w") as out:
        out.write(key)
    os.replace(partial, path)


def _check_counts(kind: str, db: dict[str, Any], manifest: Manifest) -> None:
    """Refuse a restore whose tables or row counts differ from the manifest's."""
    found = Manifest(version="", database=kind, created_at="", secret_key_from="")
    if kind == "sqlite":
        _sqlite_count(Path(str(db["NAME"])), found)
    else:
        import psycopg

        try:
            with _pg_connect(db) as connection:
                _pg_count(connection, found)
        except psycopg.Error as error:
            raise BackupError(f"restored, but the rows could not be counted: {error}") from None
    wrong = [
        f"{name}: {manifest.tables.get(name)} in the backup, {found.tables.get(name)} restored"
        for name in sorted(set(manifest.tables) | set(found.tables))
        if manifest.tables.get(name) != found.tables.get(name)
    ]
    if wrong:
        raise BackupError("the restored database differs from the backup: " + "; ".join(wrong))
