"""Every write to reviews: learnings recorded by a team, audited."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from constellation.server.audit.actions import record, snapshot
from constellation.server.okrs.actions import ActionError
from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.reviews.models import Learning


def do_record_learning(
    access: Access,
    team: Team,
    period: Period,
    text: str,
    actor: Any,
    *,
    tags: list[str] | None = None,
    objective: Objective | None = None,
    key_result: KeyResult | None = None,
) -> Learning:
    """Keep one thing a team learnt in a period (for the next period's planning)."""
    access.require_write()
    if not text.strip():
        raise ActionError("text", "a learning needs some text")
    org_id = access.organization.pk
    if team.organization_id != org_id or period.organization_id != org_id:
        raise ActionError("team", "no such team or period in this organisation")
    if objective is not None and objective.organization_id != org_id:
        raise ActionError("objective", "no such objective in this organisation")
    if key_result is not None and (objective is None or key_result.objective_id != objective.pk):
        raise ActionError("key_result", "the key result must belong to the objective")
    with transaction.atomic():
        learning = Learning.objects.create(
            organization_id=org_id,
            team=team,
            period=period,
            text=text.strip(),
            tags=[str(tag).strip() for tag in tags or [] if str(tag).strip()],
            objective=objective,
            key_result=key_result,
            author=actor,
        )
        record(org_id, actor, "create", learning, after=snapshot(learning))
    return learning
