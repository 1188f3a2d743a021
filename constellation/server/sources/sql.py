"""A SQL source's number: one row of one numeric column, read-only and within a timeout.

SQLite files are opened read-only (`mode=ro`), with an authorizer that lets only reads run
(no write, no ATTACH, no PRAGMA) and a progress handler that stops a query past its timeout;
they must lie in one of SOURCES_SQLITE_DIRS, and never be the instance's own database.
PostgreSQL sessions start read-only (`default_transaction_read_only`) with a
`statement_timeout` and a connect timeout.
"""

from __future__ import annotations

import math
import sqlite3
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from django.conf import settings

from constellation.server.sources.problems import SourceError, number_of

# What a read-only query may do in SQLite: read tables, call functions, recurse (CTEs).
_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION}
_READS.add(getattr(sqlite3, "SQLITE_RECURSIVE", 33))
# How many SQLite virtual-machine steps run between two looks at the clock.
_STEPS = 1000
SCHEMES = ("sqlite", "postgres", "postgresql")


def database_hint(url: str) -> str:
    """The database URL with its password hidden, safe to show."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    user = parts.username or ""
    host = parts.hostname or ""
    netloc = f"{user}:•••@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


def check_database_url(url: str) -> str:
    """The URL's scheme, or SourceError when it is not a SQLite file or PostgreSQL URL."""
    scheme = urlsplit(url).scheme
    if scheme not in SCHEMES:
        raise SourceError("the database URL starts with sqlite:/// or postgres://")
    if scheme == "sqlite":
        sqlite_path(url)
    return scheme


def sqlite_path(url: str) -> Path:
    """The file a sqlite:///path URL names, if SQLite sources may read it; else SourceError."""
    raw = url[len("sqlite://") :].split("?", 1)[0]
    if not raw.startswith("/"):
        raise SourceError("a SQLite URL names an absolute path: sqlite:///path/to/file.db")
    path = Path("/" + raw.lstrip("/")).resolve()
    folders = [Path(folder).resolve() for folder in settings.SOURCES_SQLITE_DIRS]
    if not folders:
        raise SourceError("SQLite sources are turned off: set SOURCES_SQLITE_DIRS on the server")
    if not any(path.is_relative_to(folder) for folder in folders):
        shown = ", ".join(str(folder) for folder in folders)
        raise SourceError(f"SQLite files are read only from {shown}")
    own = str(settings.DATABASES["default"].get("NAME") or "")
    if own and Path(own).resolve() == path:
        raise SourceError("a source never reads this instance's own database")
    return path


def _only_reads(action: int, *_: Any) -> int:
    return sqlite3.SQLITE_OK if action in _READS else sqlite3.SQLITE_DENY


def _sqlite_rows(url: str, query: str, timeout: float) -> list[tuple[Any, ...]]:
    path = sqlite_path(url)
    if not path.is_file():
        raise SourceError(f"there is no SQLite file at {path}")
    deadline = time.monotonic() + timeout
    connection = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=timeout)
    try:
        connection.set_authorizer(_only_reads)
        connection.set_progress_handler(lambda: int(time.monotonic() > deadline), _STEPS)
        try:
            return connection.execute(query).fetchmany(2)
        except sqlite3.DatabaseError as error:
            raise SourceError(_sqlite_message(error, timeout)) from None
        except sqlite3.Warning as error:  # several statements at once
            raise SourceError(f"the query failed: {error}") from None
    finally:
        connection.close()


def _sqlite_message(error: Exception, timeout: float) -> str:
    text = str(error)
    if text == "interrupted":
        return f"the query took longer than {timeout:g} s"
    if "not authorized" in text or "readonly" in text:
        return "only a read-only SELECT may run: this query would change or attach something"
    return f"the query failed: {text}"


def _postgres_rows(url: str, query: str, timeout: float) -> list[tuple[Any, ...]]:
    import psycopg

    options = f"-c default_transaction_read_only=on -c statement_timeout={int(timeout * 1000)}"
    try:
        with psycopg.connect(
            url, connect_timeout=max(1, math.ceil(timeout)), options=options, autocommit=False
        ) as connection:
            connection.read_only = True
            with connection.cursor() as cursor:
                cursor.execute(query.encode())
                if cursor.description is None:
                    raise SourceError("the query returned no rows: it must be a SELECT")
                return list(cursor.fetchmany(2))
    except psycopg.errors.ReadOnlySqlTransaction:
        raise SourceError(
            "only a read-only SELECT may run: this query would change something"
        ) from None
    except psycopg.errors.QueryCanceled:
        raise SourceError(f"the query took longer than {timeout:g} s") from None
    except psycopg.Error as error:
        raise SourceError(f"the query failed: {str(error).strip()[:300]}") from None


def read_sql(url: str, query: str, timeout: float) -> float:
    """The number a SQL query returns: exactly one row of one numeric column."""
    if not query.strip():
        raise SourceError("the SQL query is empty")
    if check_database_url(url) == "sqlite":
        rows = _sqlite_rows(url, query, timeout)
    else:
        rows = _postgres_rows(url, query, timeout)
    if not rows:
        raise SourceError("the query returned no row; it must return exactly one")
    if len(rows) > 1:
        raise SourceError("the query returned several rows; it must return exactly one")
    if len(rows[0]) != 1:
        raise SourceError(
            f"the query returned {len(rows[0])} columns; it must return exactly one number"
        )
    return number_of(rows[0][0], "the query's value")
