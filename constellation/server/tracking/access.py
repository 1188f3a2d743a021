"""Permission-checked reads of check-ins and reminders."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet
from django_tasks_db.models import DBTaskResult

from constellation.server.errors import NotFound
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.tracking.cadence import cadence_of
from constellation.server.tracking.models import CheckIn, SentReminder
from constellation.server.tracking.reminders import due_key_results


def check_ins_of(access: Access) -> QuerySet[CheckIn]:
    """Every check-in on the organisation's key results, with its author."""
    return CheckIn.objects.restrict(access).select_related("author")


def check_ins_of_key_result(access: Access, key_result: KeyResult) -> QuerySet[CheckIn]:
    """A key result's check-ins, oldest first, with their authors."""
    return check_ins_of(access).filter(key_result=key_result).order_by("checked_on", "id")


def access_check_in(access: Access, key_result: KeyResult, check_in_id: int) -> CheckIn:
    """One check-in of the key result, with its author and key result, else `NotFound`."""
    found = (
        check_ins_of(access)
        .select_related("key_result__objective")
        .filter(key_result=key_result, pk=check_in_id)
        .first()
    )
    if found is None:
        raise NotFound("No such check-in")
    return found


def check_ins_of_objective(access: Access, objective: Objective) -> QuerySet[CheckIn]:
    """Every check-in on the objective's key results, newest first, with their authors."""
    return (
        check_ins_of(access).filter(key_result__objective=objective).order_by("-checked_on", "-id")
    )


def recent_reminder_slots(access: Access, count: int = 5) -> QuerySet[Any]:
    """The latest slots reminders went out in, newest first: `slot` and how many `people`."""
    return (
        SentReminder.objects.restrict(access)
        .values("slot")
        .annotate(people=Count("id"))
        .order_by("-slot")[:count]
    )


@dataclass(frozen=True, slots=True)
class CheckInWindow:
    """The organisation's check-in week around a moment: its local day, the day the latest
    check-in time fell on (a check-in from then on counts), and the next check-in time."""

    today: date
    since: date
    next_slot: datetime


def check_in_window(access: Access, moment: datetime) -> CheckInWindow:
    """Where `moment` falls in the organisation's weekly check-in cadence."""
    cadence = cadence_of(access.organization)
    return CheckInWindow(
        today=cadence.local_day(moment),
        since=cadence.local_day(cadence.latest_slot(moment)),
        next_slot=cadence.next_slot(moment),
    )


def check_ins_due(
    access: Access, person: Any, window: CheckInWindow, limit: int = 50
) -> list[KeyResult]:
    """The person's key results (theirs, or their objective's when it names no owner) that
    nobody checked in on since the latest check-in time, as the reminders count them, with
    their objective and `last_check_in` (None: never) (one query)."""
    return list(
        due_key_results(access.organization, window.today, window.since)
        .filter(Q(person=person.pk))
        .annotate(last_check_in=Max("check_ins__checked_on"))
        .select_related("objective")
        .order_by(F("last_check_in").asc(nulls_first=True), "objective__position", "position")[
            :limit
        ]
    )


def owned_key_results(access: Access, person: Any, objectives: list[Objective]) -> list[KeyResult]:
    """The key results of these objectives that the person owns, or whose objective they own,
    in plan order, with `last_check_in` (None: never) (one query)."""
    return list(
        KeyResult.objects.restrict(access)
        .filter(objective__in=objectives)
        .filter(Q(owner=person) | Q(objective__owner=person))
        .annotate(last_check_in=Max("check_ins__checked_on"))
        .select_related("owner")
        .order_by("position", "id")
    )


def job_counts() -> dict[str, int]:
    """Jobs in the queue by status (READY, RUNNING, FAILED, SUCCESSFUL), every organisation.

    For the operator's metrics, never shown to an organisation: one grouped count.
    """
    rows = DBTaskResult.objects.values_list("status").annotate(count=Count("id")).order_by()
    return {str(status): count for status, count in rows}
