"""Writes to teams: the readiness check, which records its answers and sets the team's phase."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from constellation.core.readiness import Answers, recommend
from constellation.server.audit.actions import record, snapshot
from constellation.server.errors import ActionError, Conflict
from constellation.server.orgs.access import Access, require_team
from constellation.server.orgs.models import Team, TeamReadiness

ANSWER_FIELDS = ("exploratory", "measurable_quarterly", "stable_mission", "outcome_metrics")


def do_record_readiness(
    access: Access, team: Team, answers: Answers, *, expected_version: int, actor: Any
) -> TeamReadiness:
    """Store a new readiness check and set the team's phase from its recommendation.

    `expected_version` is the version of the latest check the person saw (0: none); a check
    taken by someone else in the meantime is not replaced silently (`Conflict`). Only someone
    who acts for the team answers for it: a writing member of it, a leader or an admin.
    """
    access.require_write()
    if team.organization_id != access.organization.pk:
        raise ActionError("team", "no such team")
    require_team(access, team, "take this team's readiness check")
    advice = recommend(answers)
    with transaction.atomic():
        # Locking the team serialises two checks of the same team taken at once.
        locked = Team.objects.select_for_update().get(pk=team.pk)
        latest = TeamReadiness.objects.filter(team=locked).aggregate(v=Max("version"))["v"] or 0
        if latest != expected_version:
            raise Conflict(
                latest,
                "Someone took this team's readiness check since you opened it (now at check "
                f"{latest}, yours started from {expected_version}). Read their answers, "
                "then send yours again to replace them.",
            )
        check = TeamReadiness.objects.create(
            organization=access.organization,
            team=locked,
            version=latest + 1,
            recommendation=advice.kind,
            phase=advice.phase,
            answered_by=actor if getattr(actor, "pk", None) else None,
            **{name: getattr(answers, name) for name in ANSWER_FIELDS},
        )
        record(
            access.organization.pk,
            actor,
            "readiness",
            locked,
            after={**snapshot(check, [*ANSWER_FIELDS, "recommendation", "version"])},
        )
        if locked.phase != advice.phase:
            before = snapshot(locked, ["phase"])
            Team.objects.filter(pk=locked.pk).update(phase=advice.phase)
            locked.phase = advice.phase
            record(
                access.organization.pk,
                actor,
                "update",
                locked,
                before=before,
                after={"phase": advice.phase},
            )
        team.phase = advice.phase
    return check
