"""The PostgreSQL pass leaves out exactly the tests that never open a database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import DATABASE_FREE

ROOT = Path(__file__).resolve().parent.parent
ASKS_FOR_A_DATABASE = ("django_db", "live_server", "transactional_db")


def _modules(entry: str) -> list[Path]:
    """The test modules an entry of DATABASE_FREE names: a folder's, a file, or a prefix's."""
    if entry.endswith("/"):
        return sorted((ROOT / entry).glob("test_*.py"))
    if entry.endswith(".py"):
        return [ROOT / entry] if (ROOT / entry).is_file() else []
    return sorted(ROOT.glob(entry + "*.py"))


def test_every_entry_names_test_modules_that_exist() -> None:
    assert [entry for entry in DATABASE_FREE if not _modules(entry)] == []


def test_no_listed_module_asks_for_a_database() -> None:
    asking = {
        str(module.relative_to(ROOT)): word
        for entry in DATABASE_FREE
        for module in _modules(entry)
        if module.name != "test_database_free.py"
        for word in ASKS_FOR_A_DATABASE
        if word in module.read_text(encoding="utf-8")
    }
    assert asking == {}


def test_the_postgresql_pass_alone_leaves_them_out() -> None:
    script = (ROOT / "scripts" / "test").read_text(encoding="utf-8")
    sqlite, postgresql = script.split("== tests on PostgreSQL", 1)
    assert "--database-tests-only" in postgresql
    assert "--database-tests-only" not in sqlite.split("== tests on SQLite", 1)[1]


def test_the_option_deselects_the_engine_and_keeps_the_servers_tests() -> None:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "--collect-only",
        "-q",
        "-p",
        "no:cacheprovider",
        "--database-tests-only",
        "tests/core/test_scoring.py",
        "tests/cli/test_report_command.py",
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    collected = [line for line in done.stdout.splitlines() if "::" in line]
    assert collected and all(
        line.startswith("tests/cli/test_report_command.py") for line in collected
    )
    assert " deselected" in done.stdout
