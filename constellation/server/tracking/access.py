"""Permission-checked reads of check-ins and reminders."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, QuerySet

from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.tracking.models import CheckIn, SentReminder


def check_ins_of(access: Access) -> QuerySet[CheckIn]:
    """Every check-in on the organisation's key results, with its author."""
    return CheckIn.objects.restrict(access).select_related("author")


def check_ins_of_key_result(access: Access, key_result: KeyResult) -> QuerySet[CheckIn]:
    """A key result's check-ins, oldest first, with their authors."""
    return check_ins_of(access).filter(key_result=key_result).order_by("checked_on", "id")


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
