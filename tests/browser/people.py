"""Signing in from a browser page, as the people of `tests.server.factories`."""

from __future__ import annotations

from typing import Any

from tests.server.factories import PASSWORD


def log_in(page: Any, base_url: str, username: str = "member", password: str = PASSWORD) -> None:
    """Sign `page` in as `username` through the login form."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
