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
