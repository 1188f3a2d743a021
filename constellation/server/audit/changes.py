"""What a write changed, handed to the code that keeps derived data current, before it commits.

Every action records audit events in its transaction. Each new event is noted here; when the
action's outermost `atomic()` block ends without an error, the noted events go, still inside
the transaction, to the handlers named by the `CHANGE_HANDLERS` setting (dotted paths: the
plans layer keeps the stored scores and coach findings current this way, without any domain
app importing it). Every action writes inside `atomic()`, so the derived data commits with the
write that changed its inputs, or not at all. Rows written outside one (a script, a test, the
admin) are handed over at the next `flush()`: readers of the derived data call it first, and
so does the end of every request.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.signals import request_finished
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.module_loading import import_string

if TYPE_CHECKING:
    from constellation.server.audit.models import AuditEvent

Handler = Callable[[Sequence[Any]], Any]


class _State(threading.local):
    def __init__(self) -> None:
        self.depth = 0
        self.pending: list[Any] = []


_state = _State()
# Changes noted outside any transaction (already committed: a script, a test building rows):
# any thread's next flush hands them over, so a server thread reads them current too.
_loose: list[Any] = []
_loose_lock = threading.Lock()


@cache
def _imported(paths: tuple[str, ...]) -> tuple[Callable[..., Any], ...]:
    return tuple(import_string(path) for path in paths)


def handlers_of(setting: str) -> tuple[Callable[..., Any], ...]:
    """The functions a setting names by dotted path (imported once): how an app above another
    is called by it without being imported by it."""
    return _imported(tuple(getattr(settings, setting, ())))


def handlers() -> tuple[Handler, ...]:
    """The functions every batch of changes goes to, from the `CHANGE_HANDLERS` setting."""
    return handlers_of("CHANGE_HANDLERS")


def _hand_over(events: Sequence[Any]) -> None:
    for handler in handlers():
        handler(events)


def noted(events: Sequence[AuditEvent | Change]) -> None:
    """Note new events (or changes seen by a model signal), handed over when the outermost
    `atomic()` block ends; outside one (a script or a test writing rows directly), at the
    next `flush()`: before the stored data is read, or when the request ends."""
    if not events:
        return
    if _state.depth == 0 and not transaction.get_connection().in_atomic_block:
        with _loose_lock:
            _loose.extend(events)
    else:
        _state.pending.extend(events)


def flush() -> None:
    """Hand over what was noted outside any `atomic()` block (a no-op inside one: its end
    will). Readers of derived data call it first, so they never read behind a direct write."""
    if _state.depth:
        return
    with _loose_lock:
        taken = _loose[:]
        del _loose[:]
    if not taken and not _state.pending:
        return
    _state.pending[:0] = taken
    with atomic():
        pass


def forget() -> None:
    """Drop what was noted and not handed over (a test whose transaction was rolled back)."""
    _state.pending = []
    _state.depth = 0
    with _loose_lock:
        del _loose[:]


@contextmanager
def atomic(savepoint: bool = True) -> Iterator[None]:
    """`transaction.atomic()` that hands the events recorded inside it to the handlers at its
    end, inside the transaction (usable as a decorator too). A failure in a handler fails the
    write: derived data is never left behind its inputs."""
    with transaction.atomic(savepoint=savepoint):
        outermost = _state.depth == 0
        kept = len(_state.pending)
        _state.depth += 1
        try:
            yield
        except BaseException:
            _state.depth -= 1
            if outermost:
                del _state.pending[kept:]  # rolled back: only what was noted before stays
            raise
        _state.depth -= 1
        if outermost and transaction.get_rollback():
            # A dry run, rolled back: nothing of it to bring up to date; what was noted before
            # it waits for the next flush, outside this doomed transaction.
            del _state.pending[kept:]
            return
        if outermost:
            while _state.pending:
                # Handlers may write rows of their own: what they note is handed over too.
                events, _state.pending = _state.pending, []
                _state.depth += 1
                try:
                    _hand_over(events)
                except BaseException:
                    _state.pending = events[:kept]
                    raise
                finally:
                    _state.depth -= 1
                kept = 0


@dataclass(frozen=True, slots=True)
class Change:
    """A change seen by a model signal: shaped like an audit event, not stored. Rows written
    outside an action (a script, a test, the admin) are kept current like the rest."""

    organization_id: int | None
    action: str
    object_type: str
    object_id: int | None
    after: dict[str, Any]
    before: None = None


# Model (app label and name) → the organisation field and the fields the handlers read.
WATCHED: dict[str, tuple[str | None, tuple[str, ...], str]] = {
    "okrs.Objective": ("organization_id", ("team_id", "period_id", "slug"), "save"),
    "okrs.KeyResult": (None, ("objective_id",), "save"),
    "okrs.Alignment": (None, ("source_id", "target_id"), "save"),
    "okrs.Initiative": (None, ("objective_id",), "save"),
    "tracking.CheckIn": (None, ("key_result_id",), "check_in"),
    "kpis.Kpi": ("organization_id", (), "save"),
    "strategy.Lever": ("organization_id", (), "save"),
    "strategy.Strategy": ("organization_id", (), "save"),
    "orgs.Team": ("organization_id", (), "save"),
    "reviews.ObjectiveReview": ("organization_id", ("objective_id",), "save"),
}
# Links between objectives and levers or KPIs: the objective's findings change.
WATCHED_LINKS = ("okrs.Objective_levers", "okrs.Objective_guardrails")


# Fields a save may name (`update_fields`) without changing what scores and findings read.
NOT_SCORED = frozenset({"state", "state_given", "owner", "position", "version", "updated_at"})


def _changed(sender: Any, instance: Any, **kwargs: Any) -> None:
    if kwargs.get("raw"):
        return
    update_fields = kwargs.get("update_fields")
    if update_fields and set(update_fields) <= NOT_SCORED:
        return
    label = f"{sender._meta.app_label}.{sender.__name__}"
    organization_field, fields, action = WATCHED[label]
    if "created" not in kwargs and action == "save":
        action = "delete"  # post_delete sends no `created`
    data: dict[str, Any] = {field.removesuffix("_id"): getattr(instance, field) for field in fields}
    if kwargs.get("created"):
        data["created"] = True
    noted(
        [
            Change(
                getattr(instance, organization_field) if organization_field else None,
                action,
                sender._meta.model_name,
                instance.pk,
                data,
            )
        ]
    )


def _linked(sender: Any, instance: Any, action: str, pk_set: Any, **kwargs: Any) -> None:
    if action not in {"post_add", "post_remove", "pre_clear"}:
        return
    if instance._meta.model_name == "objective":
        objectives = [instance.pk]
    elif pk_set:
        objectives = sorted(pk_set)
    else:  # a lever or KPI cleared of every objective
        objectives = list(
            sender.objects.filter(**{f"{instance._meta.model_name}_id": instance.pk}).values_list(
                "objective_id", flat=True
            )
        )
    kind = "leverlink" if sender._meta.model_name == "objective_levers" else "link"
    noted([Change(None, "save", kind, None, {"objective": pk}) for pk in objectives])


def _request_finished(**kwargs: Any) -> None:
    flush()


def watch_models() -> None:
    """Note every save and delete of the rows scores and findings are made of."""
    request_finished.connect(_request_finished, dispatch_uid="changes-request-finished")
    for label in WATCHED:
        post_save.connect(_changed, sender=label, dispatch_uid=f"changes-save-{label}")
        post_delete.connect(_changed, sender=label, dispatch_uid=f"changes-delete-{label}")
    for label in WATCHED_LINKS:
        m2m_changed.connect(_linked, sender=label, dispatch_uid=f"changes-link-{label}")
