"""The domain's refusals, at the bottom of the server so every layer above can raise them.

Every face turns them into the same answer: `NotFound` is a 404 (another organisation's data
is never visible), `ReadOnly` and `NotAllowed` a 403 that says why, `ActionError` a refusal
naming the field, and `Conflict` a 409 with the current version.
"""

from __future__ import annotations

from django.http import Http404


class ActionError(ValueError):
    """Input that cannot be saved; `field` names where the problem is."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class Conflict(Exception):
    """Someone else saved the same thing since the editor opened it."""

    def __init__(self, current_version: int, message: str) -> None:
        super().__init__(message)
        self.current_version = current_version
        self.message = message


class ReadOnly(Exception):
    """A viewer tried to write."""


class NotAllowed(ReadOnly):
    """A member who may write in the organisation, but not this (another team's, not theirs)."""


class NotFound(Http404):
    """No such thing in this organisation for this person: a 404 on every face, never a 403."""
