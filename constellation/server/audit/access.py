"""Permission-checked reads of the audit trail: only the events of the person's organisation.

The audit app sits below every other domain app, so the people and objectives these reads take
are named for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from constellation.server.audit.models import AuditEvent

if TYPE_CHECKING:
    from constellation.server.okrs.models import Objective
    from constellation.server.orgs.access import Access


def events_of(access: Access) -> QuerySet[AuditEvent]:
    """Every audit event of the organisation, newest first, with who did it."""
    return AuditEvent.objects.filter(organization=access.organization).select_related("actor")


def objective_events(access: Access, objective: Objective) -> QuerySet[AuditEvent]:
    """Audit events of the objective and of its key results, initiatives, check-ins and
    review, newest first: one indexed lookup on the events' `objective_id`.

    Every event is filed under its objective when it is recorded (`AuditEvent.objective_id`),
    so a deleted key result's history is still found.
    """
    return events_of(access).filter(objective_id=objective.pk)
