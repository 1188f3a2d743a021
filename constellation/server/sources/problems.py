"""A source's refusal (`SourceError`) and what counts as its number."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any


class SourceError(Exception):
    """A source that gave no number; the message says why, for the person who set it up."""


def number_of(found: Any, where: str) -> float:
    """`found` as a finite number (a number or a numeric string), else SourceError."""
    if isinstance(found, Decimal):  # PostgreSQL's numeric
        found = float(found)
    if isinstance(found, bool) or not isinstance(found, int | float | str):
        raise SourceError(f"{where} is {_shown(found)}, not a number")
    try:
        value = float(found)
    except ValueError:
        raise SourceError(f"{where} is {_shown(found)}, not a number") from None
    if not math.isfinite(value):
        raise SourceError(f"{where} is {_shown(found)}, not a finite number")
    return value


def _shown(found: Any) -> str:
    """A short rendering of what was found, for an error message."""
    text = json.dumps(found) if not isinstance(found, str) else f"the text {json.dumps(found)}"
    return text if len(text) <= 80 else text[:77] + "…"
