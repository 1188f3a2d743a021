"""Fixtures shared by the server's tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test.utils import CaptureQueriesContext

from constellation.server.audit import changes
from tests.server.factories import World, make_world


@pytest.fixture(autouse=True)
def no_api_requests_counted() -> None:
    """Each test starts with no API request counted against API_RATE (counts live in the cache).

    Ids and the test client's address repeat from test to test, so counts left by one test
    would otherwise throttle the next.
    """
    cache.clear()


_enter = CaptureQueriesContext.__enter__


def _enter_after_flush(self: CaptureQueriesContext) -> CaptureQueriesContext:
    # Rows a test wrote directly (around the actions) are scored at the next read; counting
    # starts once they are, so a count measures the request alone, as in production.
    changes.flush()
    return _enter(self)


CaptureQueriesContext.__enter__ = _enter_after_flush  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def no_changes_left_over() -> None:
    """Each test starts with no change noted by an earlier one (its rows were rolled back)."""
    changes.forget()


@pytest.fixture
def world(db: None) -> World:
    """An organisation with an admin, leader, member, viewer and an outsider (another org)."""
    return make_world()
