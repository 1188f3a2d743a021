"""Test-wide setup: a throwaway data directory before Django reads its settings.

The settings module is named here rather than in pytest's configuration so that every test
run (and every xdist worker) gets its own data directory, hence its own SQLite test database.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from typing import Any

import django
import pytest

os.environ.setdefault("OKR_DATA_DIR", tempfile.mkdtemp(prefix="okr-test-data-"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "constellation.server.settings")
django.setup()


def pytest_configure(config: object) -> None:
    """Fast password hashing (passwords here protect nothing) and no persistent connections.

    A browser keeps its HTTP connection to the live server open between requests; with
    persistent database connections the server's request thread would hold one open to the
    test database, and PostgreSQL would refuse to drop that database at the end of the run.
    """
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for database in settings.DATABASES.values():
        database["CONN_MAX_AGE"] = 0


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """Before the test databases are dropped, end every connection still open to them.

    Playwright's event loop gives the test thread a second connection context, whose
    connection Django's teardown cannot see; PostgreSQL would then refuse the drop.
    """
    yield
    from django.db import connections

    with django_db_blocker.unblock():
        connections.close_all()
        for alias in connections:
            connection = connections[alias]
            if connection.vendor != "postgresql":
                continue
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            connection.close()


# Tests that never open a database: the engine's, the documents' and the packaging's, and the
# `okr` commands that read and write OKR files only. The PostgreSQL pass of scripts/test leaves
# them out (`--database-tests-only`): the SQLite pass has just run them, and on PostgreSQL they
# would run the same code a second time. pytest-django refuses a database to any test that has
# not asked for one, so a test listed here that came to use one would fail in the SQLite pass.
DATABASE_FREE = (
    "tests/core/",
    "tests/cli/test_classify_command.py",
    "tests/cli/test_file_commands.py",
    "tests/cli/test_lint_command.py",
    "tests/cli/test_lint_in_ci.py",
    "tests/cli/test_lint_limits.py",
    "tests/cli/test_main.py",
    "tests/cli/test_score_command.py",
    "tests/test_",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="leave out the tests that never open a database (conftest.DATABASE_FREE)",
    )


def database_free(item: pytest.Item) -> bool:
    """True for a test of DATABASE_FREE that asks for no database."""
    path = item.nodeid.partition("::")[0]
    if not path.startswith(DATABASE_FREE):
        return False
    return item.get_closest_marker("django_db") is None and not {
        "db",
        "transactional_db",
        "live_server",
    } & set(getattr(item, "fixturenames", ()))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """With --database-tests-only, the database-free tests are deselected."""
    if not config.getoption("--database-tests-only"):
        return
    kept: list[pytest.Item] = []
    left_out: list[pytest.Item] = []
    for item in items:
        (left_out if database_free(item) else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept
