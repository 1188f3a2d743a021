"""Permission-checked reads of periods, objectives, key results and initiatives.

Every lookup starts from `restrict(access)`, so a face can only ever reach the rows of the
organisation the person belongs to; anything else is `NotFound` (a 404 on every face).
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from constellation.server.errors import NotFound
from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization


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
            Prefetch(
                "initiatives",
                queryset=Initiative.objects.prefetch_related(
                    Prefetch("moves", queryset=KeyResult.objects.only("id", "slug"))
                ),
            ),
        )
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


def initiatives_of(access: Access) -> QuerySet[Initiative]:
    """Every initiative of the organisation."""
    return Initiative.objects.restrict(access).select_related("objective")


def access_initiative(access: Access, initiative_id: int) -> Initiative:
    """One of the organisation's initiatives by its id, else NotFound."""
    initiative = initiatives_of(access).filter(pk=initiative_id).first()
    if initiative is None:
        raise NotFound("No such initiative")
    return initiative


def alignments_of(access: Access) -> QuerySet[Alignment]:
    """Every alignment between the organisation's objectives."""
    return Alignment.objects.restrict(access)
