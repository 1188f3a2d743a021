"""Permission-checked reads of periods, objectives, key results and initiatives.

Every lookup starts from `restrict(access)`, so a face can only ever reach the rows of the
organisation the person belongs to; anything else is `NotFound` (a 404 on every face).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Prefetch, Q, QuerySet

from constellation.server.errors import NotFound
from constellation.server.okrs.models import (
    Alignment,
    Initiative,
    InitiativeLink,
    KeyResult,
    Objective,
    Period,
)
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization, Team


def periods_of(access: Access) -> QuerySet[Period]:
    """Every period of the organisation, oldest first."""
    return Period.objects.restrict(access)


def find_period(access: Access, key: str | None) -> Period | None:
    """One of the organisation's periods by its key, or None."""
    if not key:
        return None
    return Period.objects.restrict(access).filter(key=key).first()


def access_period(access: Access, key: str) -> Period:
    """One of the organisation's periods by its key, else NotFound."""
    period = find_period(access, key)
    if period is None:
        raise NotFound("No such period")
    return period


def objectives_of(access: Access) -> QuerySet[Objective]:
    """Every objective of the organisation."""
    return Objective.objects.restrict(access)


def objective_page_queryset(access: Access | Organization) -> QuerySet[Objective]:
    """Objectives with everything one objective's page or edit reads, prefetched."""
    return (
        Objective.objects.restrict(access)
        .select_related("team", "period", "owner")
        .prefetch_related("levers", "guardrails")
        .prefetch_related(
            Prefetch(
                "key_results",
                queryset=KeyResult.objects.select_related("owner", "kpi").order_by(
                    "position", "id"
                ),
            )
        )
        .prefetch_related(
            Prefetch("initiatives", queryset=_with_parts(Initiative.objects.all())),
        )
    )


def _with_parts(rows: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """Initiatives with their owner, links and the key results they move (two prefetches)."""
    return (
        rows.select_related("owner")
        .prefetch_related(Prefetch("moves", queryset=KeyResult.objects.only("id", "slug", "title")))
        .prefetch_related(Prefetch("links", queryset=InitiativeLink.objects.order_by("position")))
    )


def find_objective(access: Access, slug: str | None) -> Objective | None:
    """One of the organisation's objectives by its slug, prefetched, or None."""
    if not slug:
        return None
    return objective_page_queryset(access).filter(slug=slug).first()


def access_objective(access: Access, slug: str) -> Objective:
    """One of the organisation's objectives by its slug, prefetched, else NotFound."""
    objective = find_objective(access, slug)
    if objective is None:
        raise NotFound("No such objective")
    return objective


def objectives_of_team(access: Access, team: Team, period: Period) -> QuerySet[Objective]:
    """A team's objectives of a period, with everything one objective's page reads prefetched."""
    return objective_page_queryset(access).filter(team=team, period=period)


def drafts_of_team(access: Access, team: Team, period: Period | None) -> QuerySet[Objective]:
    """A team's draft objectives of a period (none without a period), nothing prefetched."""
    return Objective.objects.restrict(access).filter(
        team=team, period=period, state=Objective.State.DRAFT
    )


def access_objective_with_key_results(access: Access, slug: str) -> Objective:
    """One of the organisation's objectives with its team, period and key results, else NotFound.

    What a key result's form and its coach read, without the rest of the objective's page.
    """
    objective = (
        Objective.objects.restrict(access)
        .filter(slug=slug)
        .select_related("organization", "team", "period")
        .prefetch_related("key_results")
        .first()
    )
    if objective is None:
        raise NotFound("No such objective")
    return objective


def access_objective_with_initiatives(access: Access, slug: str) -> Objective:
    """One of the organisation's objectives with its team, period, key results and its
    initiatives' owners, links and moves (five queries), else NotFound.

    What the objective page's initiatives section reads, without the rest of the page.
    """
    objective = (
        Objective.objects.restrict(access)
        .filter(slug=slug)
        .select_related("organization", "team", "period", "owner")
        .prefetch_related("key_results")
        .prefetch_related(Prefetch("initiatives", queryset=_with_parts(Initiative.objects.all())))
        .first()
    )
    if objective is None:
        raise NotFound("No such objective")
    return objective


def find_objective_with_period(access: Access, slug: str | None) -> Objective | None:
    """One of the organisation's objectives with its period only (one query), or None."""
    if not slug:
        return None
    return Objective.objects.restrict(access).filter(slug=slug).select_related("period").first()


def access_objective_with_period(access: Access, slug: str) -> Objective:
    """One of the organisation's objectives with its period only (one query), else NotFound."""
    objective = find_objective_with_period(access, slug)
    if objective is None:
        raise NotFound("No such objective")
    return objective


def objectives_by_slug(access: Access, slugs: list[str]) -> QuerySet[Objective]:
    """The organisation's objectives with these slugs, nothing joined (unknown ones: absent)."""
    return Objective.objects.restrict(access).filter(slug__in=slugs)


def other_periods_of(access: Access, slugs: list[str]) -> dict[str, str]:
    """Objective slug → its period's key, for those of these objectives the organisation has."""
    found = Objective.objects.restrict(access).filter(slug__in=slugs)
    return dict(found.values_list("slug", "period__key"))


def find_carried_copy(access: Access, objective: Objective) -> Objective | None:
    """The first objective carried over from this one into a later period, or None."""
    return Objective.objects.restrict(access).filter(carried_from=objective).order_by("id").first()


def alignment_candidates(access: Access, source: Objective) -> QuerySet[Objective]:
    """Objectives `source` may align to: same or enclosing period, not closed, not linked yet."""
    linked = Alignment.objects.restrict(access).filter(source=source).values("target_id")
    return (
        Objective.objects.restrict(access)
        .filter(period__start__lte=source.period.start, period__end__gte=source.period.end)
        .exclude(pk=source.pk)
        .exclude(state=Objective.State.CLOSED)
        .exclude(pk__in=linked)
    )


def links_of_objective(access: Access, objective: Objective) -> QuerySet[Alignment]:
    """Alignments from and to the objective, oldest first, with both ends' team and period."""
    return (
        Alignment.objects.restrict(access)
        .filter(Q(source=objective) | Q(target=objective))
        .select_related("source__team", "source__period", "target__team", "target__period")
        .order_by("id")
    )


def key_results_of(access: Access) -> QuerySet[KeyResult]:
    """Every key result of the organisation, with its objective and team."""
    return KeyResult.objects.restrict(access).select_related(
        "objective__team", "objective__period", "owner", "kpi"
    )


def find_key_result(access: Access, key_result_id: str | None) -> KeyResult | None:
    """A key result named `<objective>/<key result>` in the organisation, or None."""
    objective, _, slug = (key_result_id or "").partition("/")
    if not objective or not slug:
        return None
    return key_results_of(access).filter(objective__slug=objective, slug=slug).first()


def access_key_result(access: Access, key_result_id: str) -> KeyResult:
    """A key result named `<objective>/<key result>` in the organisation, else NotFound."""
    key_result = find_key_result(access, key_result_id)
    if key_result is None:
        raise NotFound("No such key result")
    return key_result


def access_key_result_of(access: Access, objective: Objective, slug: str) -> KeyResult:
    """One key result of an objective the person may already see, by its slug, else NotFound."""
    key_result = key_results_of(access).filter(objective=objective, slug=slug).first()
    if key_result is None:
        raise NotFound("No such key result")
    return key_result


def key_results_of_objective(access: Access, objective: Objective) -> QuerySet[KeyResult]:
    """The objective's key results in plan order, nothing joined (choices of a form)."""
    return KeyResult.objects.restrict(access).filter(objective=objective).order_by("position", "id")


def measured_objective_ids(access: Access, objectives: list[Objective]) -> set[int]:
    """The ids of those of `objectives` that have at least one key result, in one query."""
    rows = KeyResult.objects.restrict(access).filter(objective__in=objectives)
    return set(rows.values_list("objective_id", flat=True))


def initiatives_of(access: Access) -> QuerySet[Initiative]:
    """Every initiative of the organisation."""
    return Initiative.objects.restrict(access).select_related("objective")


def access_initiative(access: Access, initiative_id: int) -> Initiative:
    """One of the organisation's initiatives by its id, else NotFound."""
    initiative = initiatives_of(access).filter(pk=initiative_id).first()
    if initiative is None:
        raise NotFound("No such initiative")
    return initiative


def access_initiative_of(access: Access, objective: Objective, initiative_id: int) -> Initiative:
    """One initiative of an objective already read, with what it moves, else NotFound."""
    return _initiative_of(access, objective, pk=initiative_id)


def access_initiative_named(access: Access, objective: Objective, slug: str) -> Initiative:
    """One initiative of an objective already read, by its slug, with what it moves."""
    return _initiative_of(access, objective, slug=slug)


def _initiative_of(access: Access, objective: Objective, **where: Any) -> Initiative:
    rows = Initiative.objects.restrict(access).filter(objective=objective, **where)
    initiative = _with_parts(rows).first()
    if initiative is None:
        raise NotFound("No such initiative")
    initiative.objective = objective  # already read, with what its checks need
    return initiative


def initiatives_of_objective(access: Access, objective: Objective) -> QuerySet[Initiative]:
    """An objective's initiatives in their order, with owner, links and moves (three queries)."""
    return _with_parts(Initiative.objects.restrict(access).filter(objective=objective))


def alignments_of(access: Access) -> QuerySet[Alignment]:
    """Every alignment between the organisation's objectives."""
    return Alignment.objects.restrict(access)


def alignment_links(access: Access, objective_ids: list[int]) -> list[tuple[int, str, int, str]]:
    """Links from or to these objectives, oldest first: (source id, slug, target id, slug)."""
    rows = (
        Alignment.objects.restrict(access)
        .filter(Q(source_id__in=objective_ids) | Q(target_id__in=objective_ids))
        .order_by("id")
        .values_list("source_id", "source__slug", "target_id", "target__slug")
    )
    return list(rows)


def find_previous_period(access: Access, period: Period) -> Period | None:
    """The latest period of the same kind (quarter or year) that ends before this one starts."""
    earlier = periods_of(access).filter(end__lt=period.start).order_by("-start")
    is_year = "-" not in period.key
    return next((p for p in earlier if ("-" not in p.key) == is_year), None)


def owned_objectives(access: Access, person: Any, periods: list[Period]) -> list[Objective]:
    """Objectives of these periods, not closed, that the person owns or owns a key result of,
    with their team and period (one query)."""
    mine = Q(owner=person) | Q(pk__in=KeyResult.objects.filter(owner=person).values("objective"))
    return list(
        Objective.objects.restrict(access)
        .filter(period__in=periods)
        .exclude(state=Objective.State.CLOSED)
        .filter(mine)
        .select_related("team", "period")
        .order_by("period__start", "period__end", "position", "id")
    )


def objectives_of_teams(
    access: Access, teams: list[Team], periods: list[Period], limit: int = 60
) -> list[Objective]:
    """The first `limit` objectives of these teams in these periods, team by team, with their
    team, period and owner (one query)."""
    return list(
        Objective.objects.restrict(access)
        .filter(team__in=teams, period__in=periods)
        .select_related("team", "period", "owner")
        .order_by("team__name", "team_id", "period__start", "position", "id")[:limit]
    )


def drafts_to_finish(
    access: Access, person: Any, teams: list[Team], on: date, limit: int = 30
) -> list[Objective]:
    """Draft objectives of these teams or owned by the person, in periods not yet over or
    closed (the current one and those ahead), oldest period first (one query)."""
    return list(
        Objective.objects.restrict(access)
        .filter(Q(team__in=teams) | Q(owner=person), state=Objective.State.DRAFT)
        .filter(period__end__gte=on, period__closed=False)
        .select_related("team", "period")
        .order_by("period__start", "team__name", "position", "id")[:limit]
    )
