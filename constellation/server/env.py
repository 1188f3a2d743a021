"""Small typed readers of settings from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse


def env_str(name: str, default: str = "") -> str:
    """A string setting, or the default when unset or empty."""
    return os.environ.get(name, "").strip() or default


def env_bool(name: str, default: bool = False) -> bool:
    """A yes/no setting: 1, true, yes and on mean yes."""
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    return raw in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list setting."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_int(name: str, default: int) -> int:
    """An integer setting."""
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


def data_dir() -> Path:
    """Where the SQLite database, the secret key and uploads live (OKR_DATA_DIR)."""
    path = Path(env_str("OKR_DATA_DIR", str(Path.home() / ".constellation"))).expanduser()
    private_directory(path)
    return path


def private_directory(path: Path) -> None:
    """Makes `path` a folder only its owner may enter (0700), tightening an existing one."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    # The database, the secret key and uploads live here: another local user reads nothing.
    if path.stat().st_mode & 0o077 and path.owner() == _user():
        path.chmod(0o700)


def private_file(path: Path) -> None:
    """Creates `path` empty and owner-only (0600) unless it exists, tightening an existing one.

    SQLite gives its -wal and -shm files the database file's permissions, so creating the
    database this way keeps all three private.
    """
    if not path.parent.is_dir():
        return
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    except FileExistsError:
        if path.stat().st_mode & 0o077 and path.owner() == _user():
            path.chmod(0o600)


def _user() -> str:
    """The name of the user this process runs as (the owner of the files it keeps)."""
    import pwd  # Unix only, like the permissions it guards

    return pwd.getpwuid(os.getuid()).pw_name


def secret_key(directory: Path) -> str:
    """SECRET_KEY from the environment, else one made once and kept in the data directory."""
    given = env_str("SECRET_KEY")
    if given:
        return given
    key_file = directory / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # Written with O_EXCL so two processes starting together never keep different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def database(url: str, directory: Path) -> dict[str, object]:
    """The default database: PostgreSQL from a DATABASE_URL, else SQLite in the data directory."""
    if not url:
        return sqlite_database(directory / "constellation.sqlite3")
    parsed = urlparse(url)
    if parsed.scheme in {"sqlite", "sqlite3"}:
        return sqlite_database(Path(unquote(parsed.path)))
    if parsed.scheme not in {"postgres", "postgresql", "pgsql"}:
        raise ValueError(f"DATABASE_URL scheme {parsed.scheme!r} is not postgres:// or sqlite://")
    options = {key: values[-1] for key, values in parse_qs(parsed.query).items()}
    # PostgreSQL's JIT compiles the dashboard's aggregates for longer than they run (hundreds
    # of milliseconds for tens of them): off unless the URL sets `options` itself.
    options.setdefault("options", "-c jit=off")
    return {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": unquote(parsed.path.lstrip("/")) or "constellation",
        "USER": unquote(parsed.username or ""),
        "PASSWORD": unquote(parsed.password or ""),
        "HOST": parsed.hostname or "",
        "PORT": str(parsed.port or ""),
        "CONN_MAX_AGE": env_int("DATABASE_CONN_MAX_AGE", 60),
        "CONN_HEALTH_CHECKS": True,
        "OPTIONS": options,
    }


def sqlite_database(path: Path) -> dict[str, object]:
    """SQLite tuned for a web app: WAL, a busy timeout, IMMEDIATE transactions."""
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        # A file, not shared-cache memory: only a file gives tests the real locking behaviour.
        "TEST": {"NAME": str(path.with_name("test_" + path.name))},
        # Opened for each request, unlike PostgreSQL's: kept open, the connection left the
        # write-ahead log to grow between checkpoints and a page read right after an edit took
        # 40 to 70 % longer (benchmarks/scale.py), more than the 2 to 3 ms an open costs.
        "OPTIONS": {
            # IMMEDIATE takes the write lock at BEGIN, so concurrent writers wait for it
            # (up to the timeout) instead of failing with "database is locked" mid-transaction.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        },
    }
