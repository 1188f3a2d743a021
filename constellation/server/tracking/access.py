"""Permission-checked reads of check-ins and reminders."""

from __future__ import annotations

from django.db.models import QuerySet

from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.tracking.models import CheckIn


def check_ins_of(access: Access) -> QuerySet[CheckIn]:
    """Every check-in on the organisation's key results, with its author."""
    return CheckIn.objects.restrict(access).select_related("author")


def check_ins_of_key_result(access: Access, key_result: KeyResult) -> QuerySet[CheckIn]:
    """A key result's check-ins, oldest first, with their authors."""
    return check_ins_of(access).filter(key_result=key_result).order_by("checked_on", "id")
