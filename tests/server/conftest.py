"""Fixtures shared by the server's tests."""

from __future__ import annotations

import pytest

from tests.server.factories import World, make_world


@pytest.fixture
def world(db: None) -> World:
    """An organisation with an admin, leader, member, viewer and an outsider (another org)."""
    return make_world()
