"""Permission-checked reads of the quarterly review: 404 for anything outside the organisation.

A team's review of a period is read in a fixed number of queries whatever the number of its
objectives, key results, initiatives, learnings and results.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from constellation.core.periods import parse_period
from constellation.core.scoring.progress import band, grade_of
from constellation.server.errors import NotFound
from constellation.server.okrs.access import objectives_of_team
from constellation.server.okrs.models import Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.plans.scores import period_view
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    ReviewReopening,
    TeamReflection,
)


@dataclass(slots=True)
class ReviewItem:
    """One objective under review: the engine's grade, the saved review, where it went next."""

    objective: Objective
    computed_grade: float
    review: ObjectiveReview | None
    carried_to: Objective | None = None

    @property
    def grade(self) -> float:
        """The grade that counts: the reviewer's override, else the engine's grade."""
        if self.review is not None and self.review.grade_override is not None:
            return self.review.grade_override
        return self.computed_grade

    @property
    def band(self) -> str:
        """The colour band of the grade that counts (red, yellow or green)."""
        return band(self.grade)

    @property
    def overridden(self) -> bool:
        """Whether the reviewer changed the engine's grade."""
        return self.review is not None and self.review.grade_override is not None

    @property
    def decision(self) -> str:
        """The saved decision, or "" when none is taken yet."""
        return self.review.decision if self.review is not None else ""

    @property
    def version(self) -> int:
        """The saved review's version; 0 while the objective is not reviewed yet."""
        return self.review.version if self.review is not None else 0


@dataclass(slots=True)
class TeamReview:
    """Everything a team's quarterly review of one period shows."""

    team: Team
    period: Period
    next_period: Period | None
    items: list[ReviewItem]
    reflection: TeamReflection | None
    learnings: list[Learning] = field(default_factory=list)
    results: list[InitiativeResult] = field(default_factory=list)
    reopening: ReviewReopening | None = None

    @property
    def key_results(self) -> list[KeyResult]:
        """The key results of the team's objectives in the period, in plan order."""
        return [kr for item in self.items for kr in item.objective.key_results.all()]

    @property
    def initiatives(self) -> list[Initiative]:
        """The initiatives of the team's objectives in the period."""
        return [i for item in self.items for i in item.objective.initiatives.all()]

    @property
    def finished(self) -> bool:
        """Whether every objective has a decision and is closed, and no admin reopened the
        review since (the same answer as `review_finished`)."""
        if self.reopening is not None and self.reopening.open:
            return False
        return bool(self.items) and all(
            item.decision and item.objective.state == Objective.State.CLOSED for item in self.items
        )


def next_period_key(period: Period) -> str:
    """The key of the period that follows (`2026-Q4` → `2027-Q1`, `2026` → `2027`)."""
    return parse_period(period.key).next().key


def find_next_period(period: Period) -> Period | None:
    """The organisation's period after this one, if it exists yet."""
    return Period.objects.filter(
        organization_id=period.organization_id, key=next_period_key(period)
    ).first()


def team_objectives(access: Access, team: Team, period: Period) -> list[Objective]:
    """The team's objectives of the period, prefetched for scoring and carrying."""
    return list(objectives_of_team(access, team, period))


def computed_grades(
    access: Access, period: Period, objectives: list[Objective]
) -> dict[int, float]:
    """The engine's grade of each objective (by id), computed from its key results' progress
    as `okr score` computes it, whatever grade a review settled on."""
    if not objectives:
        return {}
    view = period_view(
        access.organization,
        period,
        objectives=objectives,
        with_findings=False,
        with_check_ins=False,
    )
    grades: dict[int, float] = {}
    for objective in objectives:
        score = view.scores.get(objective.slug)
        # The score's grade is the reviewed one when there is one: the progress is the engine's.
        computed = grade_of(score.progress, objective.commitment) if score is not None else None
        grades[objective.pk] = computed.value if computed is not None else 0.0
    return grades


def team_review(access: Access, team: Team, period: Period) -> TeamReview:
    """A team's review of a period: objectives graded, reviews, reflection, learnings, results."""
    objectives = team_objectives(access, team, period)
    grades = computed_grades(access, period, objectives)
    reviews = {r.objective_id: r for r in ObjectiveReview.objects.filter(objective__in=objectives)}
    following = find_next_period(period)
    carried: dict[int, Objective] = {}
    if following is not None:
        copies = Objective.objects.filter(period=following, carried_from__in=objectives)
        rows = copies.only("id", "slug", "title", "carried_from")
        carried = {c.carried_from_id: c for c in rows if c.carried_from_id is not None}
    items = [
        ReviewItem(o, grades.get(o.pk, 0.0), reviews.get(o.pk), carried.get(o.pk))
        for o in objectives
    ]
    return TeamReview(
        team=team,
        period=period,
        next_period=following,
        items=items,
        reflection=TeamReflection.objects.filter(team=team, period=period).first(),
        learnings=list(learnings_of(access, team=team, period=period)),
        results=list(initiative_results_of(access, team=team, period=period)),
        reopening=find_reopening(access, team, period),
    )


def find_reopening(access: Access, team: Team, period: Period) -> ReviewReopening | None:
    """The last reopening of the team's review of the period with who did it, or None."""
    rows = ReviewReopening.objects.restrict(access).filter(team=team, period=period)
    return rows.select_related("reopened_by").first()


def review_finished(access: Access, team: Team, period: Period) -> bool:
    """Whether the team's review of the period is finished: it has objectives, each decided
    and closed, and it is not reopened. Three small queries, whatever the review's size."""
    objectives = Objective.objects.restrict(access).filter(team=team, period=period)
    if not objectives.exists():
        return False
    pending = ~Q(state=Objective.State.CLOSED) | Q(review__isnull=True) | Q(review__decision="")
    if objectives.filter(pending).exists():
        return False
    reopened = ReviewReopening.objects.restrict(access).filter(team=team, period=period, open=True)
    return not reopened.exists()


def learnings_of(
    access: Access, *, team: Team | None = None, period: Period | None = None
) -> QuerySet[Learning]:
    """The organisation's learnings, newest first, with what they are about joined in."""
    rows = Learning.objects.filter(organization=access.organization).select_related(
        "team", "period", "author", "objective", "key_result", "initiative"
    )
    if team is not None:
        rows = rows.filter(team=team)
    if period is not None:
        rows = rows.filter(period=period)
    return rows


def access_learning(access: Access, learning_id: int) -> Learning:
    """One of the organisation's learnings with what it is about, else NotFound."""
    learning = learnings_of(access).filter(pk=learning_id).first()
    if learning is None:
        raise NotFound("No such learning")
    return learning


def find_reflection(access: Access, team: Team, period: Period) -> TeamReflection | None:
    """The team's reflection on the period with its author, or None while nothing is saved."""
    rows = TeamReflection.objects.restrict(access).filter(team=team, period=period)
    return rows.select_related("author").first()


def initiative_results_of(
    access: Access, *, team: Team | None = None, period: Period | None = None
) -> QuerySet[InitiativeResult]:
    """The organisation's initiative results, newest first, with their links joined in."""
    rows = InitiativeResult.objects.filter(organization=access.organization).select_related(
        "team", "period", "author", "initiative", "key_result"
    )
    if team is not None:
        rows = rows.filter(team=team)
    if period is not None:
        rows = rows.filter(period=period)
    return rows


def access_initiative_result(access: Access, result_id: int) -> InitiativeResult:
    """One of the organisation's initiative results with its links, else NotFound."""
    rows = initiative_results_of(access).select_related("key_result__objective")
    result = rows.filter(pk=result_id).first()
    if result is None:
        raise NotFound("No such initiative result")
    return result


def review_item(access: Access, objective: Objective) -> ReviewItem:
    """One objective's review with its computed grade (a new, unsaved one when not reviewed)."""
    grades = computed_grades(access, objective.period, [objective])
    review = ObjectiveReview.objects.filter(objective=objective).first()
    return ReviewItem(objective, grades[objective.pk], review)
