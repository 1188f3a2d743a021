"""Waiting for a page's state without evaluating strings inside the page."""

from __future__ import annotations

import time
from typing import Any


def wait_until(page: Any, expression: str, timeout: float = 15.0) -> None:
    """Wait until a JavaScript expression is true.

    Playwright's `wait_for_function` polls a string predicate through `new Function` inside the
    page, which the pages' Content-Security-Policy refuses (no 'unsafe-eval'): it fails whenever
    the first look is not already true. `page.evaluate` goes through the debugger, which the
    policy does not govern.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"still false after {timeout} s: {expression}")
        page.wait_for_timeout(50)
