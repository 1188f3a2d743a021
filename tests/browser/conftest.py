"""Browser tests drive Debian's chromium through Playwright against the live test server."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = "/usr/bin/chromium"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test of this folder `browser`; skip them, saying why, without chromium."""
    missing = not os.path.exists(CHROMIUM)
    reason = f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
    for item in items:
        if HERE in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            if missing:
                item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture(autouse=True)
def no_changes_left_over() -> None:
    """Each test starts with no change noted by an earlier one (its rows are gone)."""
    from constellation.server.audit import changes

    changes.forget()


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A headless chromium; Playwright's sync API runs an event loop in this thread."""
    from playwright.sync_api import sync_playwright

    # Playwright's loop makes Django think the ORM is called from async code; it is not.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()
