"""Writes of check-ins (every one lands, the key result follows the latest) and of the
organisation's check-in cadence."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from constellation.server.audit import changes as writes
from constellation.server.audit.actions import record
from constellation.server.audit.models import AuditEvent
from constellation.server.errors import Conflict, NotAllowed
from constellation.server.okrs.actions import KEEP, Keep, given_fields, lock_objectives
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization, Team
from constellation.server.tracking.cadence import Cadence, cadence_of, is_time_zone
from constellation.server.tracking.models import CheckIn

# What a check-in moves in its key result, and the rows written per statement.
MOVED = ("current", "done", "confidence", "version")
BATCH = 500


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
    # A data source's sync, not a person, read the value (the check-in says "automatic").
    automatic: bool = False


def check_check_in(key_result: KeyResult, data: CheckInInput) -> None:
    """Refuse a check-in that does not fit its key result, naming the field."""
    if data.confidence is not None and not 0 <= data.confidence <= 10:
        raise CheckInError("confidence", "confidence must be a whole number from 0 to 10")
    if key_result.type == KeyResult.Type.MILESTONE:
        if data.done is None and data.value is None:
            raise CheckInError("done", "a milestone check-in says whether it is done")
    elif data.value is None:
        raise CheckInError("value", "a check-in on a metric needs a value")
    if data.value is not None and not math.isfinite(data.value):
        # NaN or infinity cannot be stored on PostgreSQL and cannot be written as JSON.
        raise CheckInError("value", "the value must be a finite number")
    if len(data.note) > 5000:
        raise CheckInError("note", "the note is longer than 5,000 characters")


def _day_error(day: date, start: date, end: date) -> CheckInError | None:
    """Why a check-in cannot be dated `day` in a period from `start` to `end`, if it cannot."""
    # A reading dated far ahead would stay the latest for good and pin the key result's value.
    latest = min(end, timezone.localdate() + timedelta(days=1))
    if start <= day <= latest:
        return None
    if day > end or day < start:
        within = f"within its period, {start.isoformat()} to {end.isoformat()}"
        return CheckInError("checked_on", f"the check-in's date must lie {within}")
    return CheckInError("checked_on", "the check-in's date cannot be more than a day ahead")


def check_check_in_days(entries: Sequence[tuple[KeyResult, CheckInInput]]) -> None:
    """Refuse people's check-ins dated outside their key result's period, or after tomorrow,
    naming each by its key result's id (one query, only when some check-in carries a date)."""
    dated = [(kr, data.checked_on) for kr, data in entries if data.checked_on is not None]
    if not dated:
        return
    spans = {
        pk: (start, end)
        for pk, start, end in KeyResult.objects.filter(
            pk__in=[kr.pk for kr, _ in dated]
        ).values_list("pk", "objective__period__start", "objective__period__end")
    }
    errors = {}
    for kr, day in dated:
        error = _day_error(day, *spans[kr.pk])
        if error is not None:
            errors[kr.pk] = error
    if errors:
        raise CheckInsError(errors)


def require_check_in(access: Access, key_results: Sequence[KeyResult]) -> None:
    """Refuse check-ins on key results the person neither owns nor acts for (≤ 1 query).

    A person checks in on a key result they own, or whose objective they own, whatever team
    they are in: My week offers exactly those. On any other key result they must act for the
    objective's team (a writing member of it, a leader or an admin, as `speaks_for` says).
    Viewers never check in.
    """
    access.require_write()
    person = access.user_id
    # Key results the person owns need no query: the row in hand says so.
    others = [kr for kr in key_results if kr.owner_id != person]
    if access.is_leader or not others:
        return
    allowed = set(
        KeyResult.objects.filter(pk__in=[kr.pk for kr in others])
        .filter(
            Q(objective__owner_id=person)
            | Q(objective__team__members=access.membership)
            # The team's lead acts for it without being a member, as `speaks_for` says.
            | Q(objective__team__lead_id=person)
        )
        .values_list("pk", flat=True)
    )
    refused = next((kr for kr in others if kr.pk not in allowed), None)
    if refused is None:
        return
    team = Team.objects.filter(objectives__key_results=refused).values_list("name", flat=True)
    raise NotAllowed(
        f"Only the owner of “{refused.title}”, members of {team.first() or 'its team'}, leaders "
        "and admins can check in on it; ask an admin to add you to the team."
    )


def do_check_in(access: Access, key_result: KeyResult, data: CheckInInput, actor: Any) -> CheckIn:
    """Record a check-in and move the key result's current value, in one transaction.

    The key result row is locked (PostgreSQL) or the database write lock is held (SQLite's
    IMMEDIATE transactions), so two concurrent check-ins both land, in order. Who may check
    in is `require_check_in`'s rule: the key result's (or its objective's) owner, or someone
    who acts for the objective's team. The write is `do_check_in_many`'s, as for every
    check-in.
    """
    require_check_in(access, [key_result])
    check_check_in(key_result, data)
    try:
        check_check_in_days([(key_result, data)])
    except CheckInsError as refused:
        raise refused.errors[key_result.pk] from None
    return do_check_in_many(access, [(key_result, data)], actor)[0]


def lock_key_results(rows: QuerySet[KeyResult]) -> list[KeyResult]:
    """These key results locked for check-ins (in the caller's transaction), by id, each with
    the day of its latest check-in (`last_checked_on`), in one query."""
    lock_objectives(rows.values_list("objective_id", flat=True))
    latest = CheckIn.objects.filter(key_result=OuterRef("pk")).order_by("-checked_on")
    return list(
        rows.select_for_update(of=("self",))
        .annotate(last_checked_on=Subquery(latest.values("checked_on")[:1]))
        .order_by("pk")
    )


def _follow(key_result: KeyResult, data: CheckInInput, day: date) -> None:
    """Move the key result by a check-in of `day` if that check-in is now its latest."""
    # A new check-in has the highest id, so it is the latest unless one is dated later.
    last = getattr(key_result, "last_checked_on", None)
    if last is None or day >= last:
        key_result.last_checked_on = day  # type: ignore[attr-defined]
        for name in ("value", "done", "confidence"):
            value = getattr(data, name)
            if value is not None:
                setattr(key_result, "current" if name == "value" else name, value)


def _check_in(key_result: KeyResult, data: CheckInInput, day: date, author: Any) -> CheckIn:
    """The row of one check-in, not saved yet."""
    return CheckIn(
        key_result=key_result,
        value=data.value,
        done=data.done,
        confidence=data.confidence,
        note=data.note,
        author=author,
        checked_on=day,
        automatic=data.automatic,
    )


def _state(key_result: KeyResult) -> dict[str, Any]:
    """What a check-in moves in a key result, as its audit event shows it."""
    return {name: getattr(key_result, name) for name in ("current", "done", "confidence")}


def do_check_in_many(
    access: Access,
    entries: Sequence[tuple[KeyResult, CheckInInput]],
    actor: Any,
    *,
    locked: bool = False,
) -> list[CheckIn]:
    """Record check-ins in bulk: the one write of every check-in, in a fixed number of queries.

    Each lands and moves its key result when it is the latest (current value, done,
    confidence); each key result moves to a new version and its change is audited as one
    `check_in` event, all in one transaction: all of them or, on any error, none. Whoever
    calls decides who may: `do_check_in` and `do_check_ins` check the person; a KPI's reading
    feeds the key results promoted from it. With `locked`, the key results come from
    `lock_key_results` in the caller's transaction; otherwise they are locked here.
    """
    access.require_write()
    check_check_ins(entries)
    author = actor if getattr(actor, "pk", None) else None
    today = timezone.localdate()
    # Everything is checked before the first write: inside a caller's transaction no
    # savepoint is needed (an error here undoes the caller's whole write, as it should).
    with writes.atomic(savepoint=False):
        rows = {kr.pk: kr for kr, _ in entries}
        if not locked:
            rows = {kr.pk: kr for kr in lock_key_results(KeyResult.objects.filter(pk__in=rows))}
        before = {pk: _state(row) for pk, row in rows.items()}
        made: list[CheckIn] = []
        notes: dict[int, list[str]] = defaultdict(list)
        automatic: set[int] = set()
        for key_result, data in entries:
            row, day = rows[key_result.pk], data.checked_on or today
            made.append(_check_in(row, data, day, author))
            _follow(row, data, day)
            notes[row.pk].append(data.note)
            if data.automatic:
                automatic.add(row.pk)
        for row in rows.values():
            row.version += 1
        CheckIn.objects.bulk_create(made, batch_size=BATCH)
        KeyResult.objects.bulk_update(rows.values(), MOVED, batch_size=BATCH)
        events = [
            _event(access, actor, row, before[pk], notes[pk], automatic=pk in automatic)
            for pk, row in rows.items()
        ]
        AuditEvent.objects.bulk_create(events, batch_size=BATCH)
    for key_result, _ in entries:
        for name in MOVED:
            setattr(key_result, name, getattr(rows[key_result.pk], name))
    return made


def _event(
    access: Access,
    actor: Any,
    key_result: KeyResult,
    before: dict[str, Any],
    notes: list[str],
    *,
    automatic: bool = False,
) -> AuditEvent:
    """The audit event of a key result's check-ins, as `record` writes it: its state before and
    after, and the check-in's note (or how many there were, with the latest note); a data
    source's check-in says it was automatic."""
    note = notes[0] if len(notes) == 1 else f"{len(notes)} check-ins; the latest: {notes[-1]}"
    extra = {"automatic": True} if automatic else {}
    return AuditEvent(
        organization_id=access.organization.pk,
        actor_id=getattr(actor, "pk", None),
        action="check_in",
        object_type="keyresult",
        object_id=key_result.pk,
        objective_id=key_result.objective_id,
        object_repr=str(key_result)[:300],
        before=before,
        after={**_state(key_result), "note": note, **extra},
    )


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

    They are written by `do_check_in_many`, so each is locked, audited and moves its key
    result exactly as a single check-in does. Permission is checked for the whole batch
    before anything is written (`require_check_in`).
    """
    require_check_in(access, [key_result for key_result, _ in entries])
    check_check_ins(entries)
    check_check_in_days(entries)
    return do_check_in_many(access, entries, actor)


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
        raise NotAllowed("Only admins of the organisation can change when reminders are sent.")
    check_cadence(cadence)
    with writes.atomic():
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


# A check-in's correction: what may change (the day and the key result never do).
CORRECTED = ("value", "done", "confidence", "note")
# A key result's reading and the check-in field it follows.
FOLLOWED = {"current": "value", "done": "done", "confidence": "confidence"}


@dataclass(slots=True)
class CheckInEdit:
    """A correction of a check-in: the fields it sets; those left at `KEEP` stay as saved."""

    value: float | Keep | None = KEEP
    confidence: int | Keep | None = KEEP
    note: str | Keep = KEEP
    done: bool | Keep | None = KEEP


def require_check_in_corrector(access: Access, check_in: CheckIn) -> None:
    """Refuse anyone but the check-in's author or an admin: a reading is its author's word."""
    access.require_write()
    if access.is_admin or (check_in.author_id is not None and check_in.author_id == access.user_id):
        return
    raise NotAllowed("Only who made this check-in, or an admin, can correct or delete it.")


def _lock_check_in(check_in: CheckIn, expected_version: int) -> tuple[CheckIn, KeyResult]:
    """The check-in as saved, if still at `expected_version` (else Conflict), and its key result
    locked with `last_checked_on`; objective, key result, then check-in, as every write locks."""
    (key_result,) = lock_key_results(KeyResult.objects.filter(pk=check_in.key_result_id))
    saved = CheckIn.objects.select_for_update().filter(pk=check_in.pk).first()
    if saved is None or saved.version != expected_version:
        raise Conflict(
            saved.version if saved is not None else expected_version,
            "This check-in was changed by someone else since you opened it; "
            "reload it and decide again.",
        )
    return saved, key_result


def _followed(key_result: KeyResult, check_in: CheckIn) -> list[str]:
    """The key result's readings (current, done, confidence) that came from `check_in`: it is
    the latest check-in and the key result still holds what it said. A reading set since by
    something else (an OKR file's `current`) does not follow it and is kept."""
    latest = CheckIn.objects.filter(key_result=key_result).order_by("-checked_on", "-id").first()
    if latest is None or latest.pk != check_in.pk:
        return []
    return [
        name
        for name, field in FOLLOWED.items()
        if getattr(check_in, field) is not None
        and getattr(key_result, name) == getattr(check_in, field)
    ]


def _reading_before_check_ins(key_result: KeyResult) -> dict[str, Any]:
    """What the key result held before anyone checked in (an imported or typed value), as its
    history's first check-in recorded it; empty when the history does not say."""
    first = (
        AuditEvent.objects.filter(
            object_type="keyresult", object_id=key_result.pk, action="check_in"
        )
        .order_by("id")
        .values_list("before", flat=True)
        .first()
    )
    return first if isinstance(first, dict) else {}


def _refollow(key_result: KeyResult, names: list[str]) -> None:
    """Set the key result's followed readings from its latest remaining check-in that states
    each one; with none left, back to what it held before its first check-in (else empty, so
    it reads from its baseline). Saved with a new version, in the caller's transaction."""
    if not names:
        return
    rows = list(CheckIn.objects.filter(key_result=key_result).order_by("-checked_on", "-id")[:50])
    earlier: dict[str, Any] | None = None
    for name in names:
        field = FOLLOWED[name]
        found = next((row for row in rows if getattr(row, field) is not None), None)
        if found is not None:
            setattr(key_result, name, getattr(found, field))
            continue
        if earlier is None:
            earlier = _reading_before_check_ins(key_result)
        setattr(key_result, name, earlier.get(name))
    key_result.version += 1
    # An update, not a save: the correction's own event names the key result, whose scores
    # alone change (no rule of the coach reads a reading).
    KeyResult.objects.filter(pk=key_result.pk).update(
        version=key_result.version, **{name: getattr(key_result, name) for name in names}
    )


def _check_in_state(check_in: CheckIn) -> dict[str, Any]:
    """A check-in as its corrections' history shows it."""
    return {
        "key_result": check_in.key_result_id,
        "date": check_in.checked_on.isoformat(),
        **{name: getattr(check_in, name) for name in CORRECTED},
    }


def do_edit_check_in(
    access: Access, check_in: CheckIn, data: CheckInEdit, *, expected_version: int, actor: Any
) -> bool:
    """Correct a check-in's value, done, confidence or note (its author or an admin) if nobody
    changed it since `expected_version` (else `Conflict`); False when it changes nothing.

    When the key result's reading came from this check-in (its latest), it follows the
    correction; the key result's and its objective's scores are stored again on commit.
    """
    require_check_in_corrector(access, check_in)
    values = given_fields(data)
    merged = CheckInInput(**{n: values.get(n, getattr(check_in, n)) for n in CORRECTED})
    merged.note = merged.note or ""
    check_check_in(check_in.key_result, merged)
    with writes.atomic():
        saved, key_result = _lock_check_in(check_in, expected_version)
        changed = [name for name in values if getattr(saved, name) != values[name]]
        if not changed:
            return False
        before = _check_in_state(saved)
        followed = _followed(key_result, saved)
        for name in changed:
            setattr(saved, name, values[name] if name != "note" else values[name] or "")
        saved.version += 1
        saved.save(update_fields=[*changed, "version"])
        _refollow(key_result, followed)
        after = {**_check_in_state(saved), "key_result_current": key_result.current}
        record(
            access.organization.pk,
            actor,
            "update",
            saved,
            before=before,
            after=after,
            objective_id=key_result.objective_id,
        )
    check_in.version = saved.version
    return True


def do_delete_check_in(
    access: Access, check_in: CheckIn, *, expected_version: int, actor: Any
) -> None:
    """Delete a check-in (its author or an admin) if nobody changed it since
    `expected_version` (else `Conflict`), keeping what it said in the history.

    When it was the key result's latest reading, the key result takes its latest remaining
    check-in's (or, with none left, what it held before its first check-in).
    """
    require_check_in_corrector(access, check_in)
    with writes.atomic():
        saved, key_result = _lock_check_in(check_in, expected_version)
        followed = _followed(key_result, saved)
        before = _check_in_state(saved)
        record(
            access.organization.pk,
            actor,
            "delete",
            saved,
            before=before,
            objective_id=key_result.objective_id,
        )
        saved.delete()
        _refollow(key_result, followed)
