"""Last period's objectives a team may carry into this one, with how far each got."""

from __future__ import annotations

from dataclasses import dataclass

from constellation.core.scoring import ObjectiveScore
from constellation.server.okrs.access import objective_page_queryset
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.plans.scores import period_view


@dataclass(slots=True)
class Candidate:
    """An objective of the previous period, its score, and whether it was already carried."""

    objective: Objective
    score: ObjectiveScore | None
    carried: bool

    @property
    def unfinished(self) -> bool:
        """Not done: some progress still to make."""
        return self.score is None or self.score.progress < 1


def candidates(access: Access, team: Team, previous: Period, period: Period) -> list[Candidate]:
    """The team's objectives of `previous`, scored, marking those already carried to `period`."""
    rows = list(objective_page_queryset(access).filter(period=previous, team=team))
    view = period_view(
        access.organization, previous, objectives=rows, with_findings=False, with_check_ins=False
    )
    carried = set(
        Objective.objects.filter(
            organization=access.organization, period=period, carried_from__in=rows
        ).values_list("carried_from_id", flat=True)
    )
    return [Candidate(o, view.scores.get(o.slug), o.pk in carried) for o in rows]
