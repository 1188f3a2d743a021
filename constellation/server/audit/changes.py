"""What a write changed, handed to the code that keeps derived data current, before it commits.

Every action records audit events in its transaction. Each new event is noted here; when the
action's outermost `atomic()` block ends without an error, the noted events go, still inside
the transaction, to the handlers named by the `CHANGE_HANDLERS` setting (dotted paths: the
plans layer keeps the stored scores and coach findings current this way, without any domain
app importing it). An event recorded outside any `atomic()` block is handed over at once.
So the derived data commits with the write that changed its inputs, or not at all.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from constellation.server.audit.models import AuditEvent

Handler = Callable[[Sequence["AuditEvent"]], Any]


class _State(threading.local):
    def __init__(self) -> None:
        self.depth = 0
        self.pending: list[AuditEvent] = []


_state = _State()


@cache
def _handlers(paths: tuple[str, ...]) -> tuple[Handler, ...]:
    return tuple(import_string(path) for path in paths)


def handlers() -> tuple[Handler, ...]:
    """The functions every batch of changes goes to, from the `CHANGE_HANDLERS` setting."""
    return _handlers(tuple(getattr(settings, "CHANGE_HANDLERS", ())))


def _hand_over(events: Sequence[AuditEvent]) -> None:
    for handler in handlers():
        handler(events)


def noted(events: Sequence[AuditEvent]) -> None:
    """Note new events: kept until the outermost `atomic()` block ends, else handed over now."""
    if not events:
        return
    if _state.depth:
        _state.pending.extend(events)
    else:
        _hand_over(events)


@contextmanager
def atomic(savepoint: bool = True) -> Iterator[None]:
    """`transaction.atomic()` that hands the events recorded inside it to the handlers at its
    end, inside the transaction (usable as a decorator too). A failure in a handler fails the
    write: derived data is never left behind its inputs."""
    with transaction.atomic(savepoint=savepoint):
        outermost = _state.depth == 0
        _state.depth += 1
        try:
            yield
        except BaseException:
            _state.depth -= 1
            if outermost:
                _state.pending = []
            raise
        _state.depth -= 1
        if outermost:
            try:
                while _state.pending:
                    # Handlers may record events of their own: those are handed over too.
                    events, _state.pending = _state.pending, []
                    _state.depth += 1
                    try:
                        _hand_over(events)
                    finally:
                        _state.depth -= 1
            finally:
                _state.pending = []
