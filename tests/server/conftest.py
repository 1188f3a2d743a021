"""Fixtures shared by the server's tests."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.server.factories import World, make_world


@pytest.fixture(autouse=True)
def no_api_requests_counted() -> None:
    """Each test starts with no API request counted against API_RATE (counts live in the cache).

    Ids and the test client's address repeat from test to test, so counts left by one test
    would otherwise throttle the next.
    """
    cache.clear()


@pytest.fixture
def world(db: None) -> World:
    """An organisation with an admin, leader, member, viewer and an outsider (another org)."""
    return make_world()
