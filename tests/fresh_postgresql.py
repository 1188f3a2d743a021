"""A new, empty PostgreSQL database for a test that runs commands against a database of its
own (`okr migrate` started several times, an upgrade from the previous release).

The server is the one `DATABASE_URL` names when it is PostgreSQL, else 127.0.0.1:5432 as the
`postgres` user; the test is skipped when it does not answer.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from urllib.parse import urlparse, urlunparse

import pytest


def admin_url() -> str:
    """The maintenance database of the server the suite uses."""
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        url = "postgresql://postgres@127.0.0.1:5432/postgres"
    return urlunparse(urlparse(url)._replace(path="/postgres", query=""))


def fresh_database() -> Iterator[str]:
    """The URL of a new, empty database of its own, dropped at the end (`yield from` it in a
    fixture)."""
    psycopg = pytest.importorskip("psycopg")
    admin = admin_url()
    try:
        connection = psycopg.connect(admin, autocommit=True, connect_timeout=3)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL is not answering")
    name = f"constellation_fresh_{uuid.uuid4().hex[:12]}"
    connection.execute(f'CREATE DATABASE "{name}"')
    try:
        yield urlunparse(urlparse(admin)._replace(path=f"/{name}"))
    finally:
        connection.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        connection.close()
