"""Permission-checked reads of the audit trail: only the events of the person's organisation.

The audit app sits below every other domain app, so the people and objectives these reads take
are named for the type checker only.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from constellation.server.audit.models import AuditEvent

if TYPE_CHECKING:
    from constellation.server.okrs.models import Objective
    from constellation.server.orgs.access import Access


def events_of(access: Access) -> QuerySet[AuditEvent]:
    """Every audit event of the organisation, newest first, with who did it."""
    return AuditEvent.objects.filter(organization=access.organization).select_related("actor")


def objective_events(
    access: Access, objective: Objective, key_result_ids: list[int]
) -> QuerySet[AuditEvent]:
    """Audit events of the objective and its key results and initiatives, newest first.

    `key_result_ids` are the objective's key results now; created or deleted key results (and
    initiatives) name their objective in the snapshot, so their history is still found after
    the row itself is gone.
    """
    parts = Q(object_type__in=["keyresult", "initiative"]) & (
        Q(before__objective=objective.pk) | Q(after__objective=objective.pk)
    )
    return events_of(access).filter(
        Q(object_type="objective", object_id=objective.pk)
        | Q(object_type="keyresult", object_id__in=key_result_ids)
        | parts
    )
