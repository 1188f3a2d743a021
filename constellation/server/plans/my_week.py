"""Permission-checked reads of check-ins: what a person owns this week, scored by the core.

A person's week is every key result they own, and every key result of an objective they own,
in the organisation's current periods (objectives not yet closed), with the core's score and
check-ins; and the initiatives they own, or of those objectives, or that move a key result
they own. It is read in a fixed number of queries whatever the number of key results.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone

from constellation.core import model, scoring
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.plans.scores import current_period, period_view


@dataclass(slots=True)
class OwnedKeyResult:
    """A key result on a person's week: the row, the core's copy (with check-ins), its score."""

    key_result: KeyResult
    data: model.KeyResult | None
    score: scoring.KrScore | None


@dataclass(slots=True)
class OwnedObjective:
    """An objective on a person's week with its score and the key results shown under it."""

    objective: Objective
    score: scoring.ObjectiveScore | None
    key_results: list[OwnedKeyResult] = field(default_factory=list)


@dataclass(slots=True)
class Week:
    """What a person owns in the current periods, on one day."""

    on: date
    periods: list[Period]
    objectives: list[OwnedObjective]
    initiatives: list[Initiative]

    @property
    def key_results(self) -> list[OwnedKeyResult]:
        """Every key result of the week, objective by objective."""
        return [kr for objective in self.objectives for kr in objective.key_results]


def current_periods(access: Access, on: date) -> list[Period]:
    """The organisation's periods containing `on` (a quarter and its year), else the latest."""
    periods = list(
        Period.objects.filter(organization=access.organization, start__lte=on, end__gte=on)
    )
    if periods:
        return sorted(periods, key=lambda period: (period.end - period.start, period.start))
    latest = current_period(access.organization, on)
    return [latest] if latest is not None else []


def _objectives(access: Access, person: Any, periods: list[Period]) -> list[Objective]:
    """Open objectives of the periods that the person owns or owns a key result of."""
    mine = Q(owner=person) | Q(pk__in=KeyResult.objects.filter(owner=person).values("objective"))
    return list(
        Objective.objects.filter(organization=access.organization, period__in=periods)
        .exclude(state=Objective.State.CLOSED)
        .filter(mine)
        .select_related("team", "period", "owner")
        .order_by("period__start", "period__end", "position", "id")
    )


def _initiatives(
    access: Access, person: Any, objectives: list[Objective], periods: list[Period]
) -> list[Initiative]:
    """Initiatives the person owns (objectives of these periods, not closed), of objectives
    they own, or moving a key result they own."""
    owned = [objective.pk for objective in objectives if objective.owner_id == person.pk]
    moving = Initiative.objects.filter(objective__in=objectives, moves__owner=person).values("pk")
    theirs = Q(owner=person, objective__period__in=periods) & ~Q(
        objective__state=Objective.State.CLOSED
    )
    return list(
        Initiative.objects.restrict(access)
        .filter(Q(objective__in=owned) | Q(pk__in=moving) | theirs)
        .select_related("objective")
        .order_by("objective__period__start", "objective__position", "objective_id", "position")
    )


def my_week(access: Access, person: Any, on: date | None = None) -> Week:
    """The person's week in this organisation (their own rows only, nobody else's)."""
    day = on or timezone.localdate()
    periods = current_periods(access, day)
    objectives = _objectives(access, person, periods) if periods else []
    rows = (
        KeyResult.objects.filter(objective__in=objectives)
        .filter(Q(owner=person) | Q(objective__owner=person))
        .select_related("owner")
        .order_by("position", "id")
    )
    by_objective: dict[int, list[KeyResult]] = {}
    for row in rows:
        by_objective.setdefault(row.objective_id, []).append(row)
    view = period_view(
        access.organization, None, on=day, objectives=objectives, with_findings=False
    )
    core = {objective.id: objective for objective in view.plan.objectives}
    owned = []
    for objective in objectives:
        score = view.scores.get(objective.slug)
        found = core.get(objective.slug)
        data = {kr.id: kr for kr in found.key_results} if found is not None else {}
        scores = {kr.id: kr for kr in score.key_results} if score is not None else {}
        key_results = []
        for kr in by_objective.get(objective.pk, []):
            kr.objective = objective  # already read: no query per row for the page's links
            key_results.append(OwnedKeyResult(kr, data.get(kr.slug), scores.get(kr.slug)))
        owned.append(OwnedObjective(objective, score, key_results))
    mine = _initiatives(access, person, objectives, periods) if periods else []
    return Week(day, periods, owned, mine)
