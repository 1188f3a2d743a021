"""Writes of check-ins (every one lands, the key result follows the latest) and of the
organisation's check-in cadence."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from constellation.server.audit.actions import record
from constellation.server.errors import Conflict, ReadOnly
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization
from constellation.server.tracking.cadence import Cadence, cadence_of, is_time_zone
from constellation.server.tracking.models import CheckIn


class CheckInError(ValueError):
    """A check-in that cannot be recorded; `field` names the bad input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(slots=True)
class CheckInInput:
    """What a person reports: a value (or done), a confidence 0-10 and a note."""

    value: float | None = None
    confidence: int | None = None
    note: str = ""
    done: bool | None = None
    checked_on: date | None = None


def check_check_in(key_result: KeyResult, data: CheckInInput) -> None:
    """Refuse a check-in that does not fit its key result, naming the field."""
    if data.confidence is not None and not 0 <= data.confidence <= 10:
        raise CheckInError("confidence", "confidence must be a whole number from 0 to 10")
    if key_result.type == KeyResult.Type.MILESTONE:
        if data.done is None and data.value is None:
            raise CheckInError("done", "a milestone check-in says whether it is done")
    elif data.value is None:
        raise CheckInError("value", "a check-in on a metric needs a value")
    if len(data.note) > 5000:
        raise CheckInError("note", "the note is longer than 5,000 characters")


def do_check_in(access: Access, key_result: KeyResult, data: CheckInInput, actor: Any) -> CheckIn:
    """Record a check-in and move the key result's current value, in one transaction.

    The key result row is locked (PostgreSQL) or the database write lock is held (SQLite's
    IMMEDIATE transactions), so two concurrent check-ins both land, in order.
    """
    access.require_write()
    check_check_in(key_result, data)
    checked_on = data.checked_on or timezone.localdate()
    with transaction.atomic():
        locked = KeyResult.objects.select_for_update().get(pk=key_result.pk)
        check_in = CheckIn.objects.create(
            key_result=locked,
            value=data.value,
            done=data.done,
            confidence=data.confidence,
            note=data.note,
            author=actor if getattr(actor, "pk", None) else None,
            checked_on=checked_on,
        )
        latest = CheckIn.objects.filter(key_result=locked).order_by("-checked_on", "-id").first()
        before = {"current": locked.current, "done": locked.done, "confidence": locked.confidence}
        updates: dict[str, Any] = {"version": F("version") + 1}
        if latest is not None and latest.pk == check_in.pk:
            if data.value is not None:
                updates["current"] = data.value
            if data.done is not None:
                updates["done"] = data.done
            if data.confidence is not None:
                updates["confidence"] = data.confidence
        KeyResult.objects.filter(pk=locked.pk).update(**updates)
        locked.refresh_from_db()
        record(
            access.organization.pk,
            actor,
            "check_in",
            locked,
            before=before,
            after={
                "current": locked.current,
                "done": locked.done,
                "confidence": locked.confidence,
                "note": data.note,
            },
        )
    key_result.refresh_from_db()
    return check_in


class CheckInsError(ValueError):
    """Some check-ins of a batch cannot be recorded: each error by its key result's id."""

    def __init__(self, errors: dict[int, CheckInError]) -> None:
        super().__init__(f"{len(errors)} check-ins cannot be recorded")
        self.errors = errors


def check_check_ins(entries: Sequence[tuple[KeyResult, CheckInInput]]) -> None:
    """Refuse a batch in which any check-in does not fit its key result, naming them all."""
    errors: dict[int, CheckInError] = {}
    for key_result, data in entries:
        try:
            check_check_in(key_result, data)
        except CheckInError as error:
            errors[key_result.pk] = error
    if errors:
        raise CheckInsError(errors)


def do_check_ins(
    access: Access, entries: Sequence[tuple[KeyResult, CheckInInput]], actor: Any
) -> list[CheckIn]:
    """Record several check-ins at once (a person's week): all of them or, on any error, none.

    Every one goes through `do_check_in`, so each is locked, audited and moves its key result
    exactly as a single check-in does; the outer transaction makes the batch all or nothing.
    """
    access.require_write()
    check_check_ins(entries)
    with transaction.atomic():
        return [do_check_in(access, key_result, data, actor) for key_result, data in entries]


class CadenceError(ValueError):
    """A check-in cadence that cannot be saved; `field` names the bad input."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def check_cadence(cadence: Cadence) -> None:
    """Refuse a cadence with an unknown weekday or time zone, naming the field."""
    if not 0 <= cadence.weekday <= 6:
        raise CadenceError("weekday", "weekday must be 0 (Monday) to 6 (Sunday)")
    if not is_time_zone(cadence.time_zone):
        raise CadenceError(
            "time_zone",
            f"“{cadence.time_zone}” is not a time zone: use a name such as Europe/Paris or UTC",
        )


def do_set_cadence(access: Access, cadence: Cadence, *, expected_version: int, actor: Any) -> None:
    """Change when the organisation checks in (admins only), refusing a stale edit.

    `expected_version` is the version of the cadence the editor saw: if someone changed it
    since, nothing is written and Conflict names the current version.
    """
    access.require_write()
    if not access.is_admin:
        raise ReadOnly("Only admins of the organisation can change when reminders are sent.")
    check_cadence(cadence)
    with transaction.atomic():
        organization = Organization.objects.select_for_update().get(pk=access.organization.pk)
        current = cadence_of(organization)
        if current.version != expected_version:
            raise Conflict(
                current.version,
                f"Someone changed the cadence to {current.describe()} since you opened it.",
            )
        values = {
            "checkin_weekday": cadence.weekday,
            "checkin_time": cadence.at,
            "time_zone": cadence.time_zone,
        }
        Organization.objects.filter(pk=organization.pk).update(**values)
        record(
            organization.pk,
            actor,
            "set_checkin_cadence",
            organization,
            before={"cadence": current.describe()},
            after={"cadence": cadence.describe()},
        )
    for name, value in values.items():
        setattr(access.organization, name, value)
