"""Bringing a cached period view up to date after check-ins, without reading the whole period.

Check-ins are the most frequent write. When every audit event since a cached view was built
is a check-in on one of its key results, only those key results (and their check-ins) are read
again, swapped into a copy of the plan, and only their objectives are scored again with the
core engine. The coach's findings are kept: no rule of `constellation.core.coach` reads a key
result's current value, done flag, confidence or check-ins (only titles, types, baselines,
targets, ranges, links, and KPIs' own readings), which are all a check-in changes.

Anything else (another kind of event, events that do not add up to the change in the
organisation's count, which is what a transaction committing after a later one looks like, or
too many events) answers None, and the caller computes the whole view again.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from django.db.models import OuterRef, Subquery, Sum

from constellation.core import model, scoring
from constellation.server.audit.models import AuditEvent, AuditRevision
from constellation.server.orgs.models import Organization
from constellation.server.plans.plan import PlanRows, read_key_results

# Beyond this many events since the cached view, reading the whole period again is simpler.
MAX_EVENTS = 200

Revision = tuple[int, int]


def _events_since(organization: Organization, since: Revision) -> tuple[Revision, list] | None:
    """The events after `since` with the revision they lead to, read in one statement (one
    snapshot); None unless they account for every event counted since."""
    total = (
        AuditRevision.objects.filter(organization_id=OuterRef("organization_id"))
        .values("organization_id")
        .annotate(total=Sum("events"))
        .values("total")
    )
    rows = list(
        AuditEvent.objects.filter(organization_id=organization.pk, id__gt=since[1])
        .annotate(total=Subquery(total))
        .order_by("id")
        .values_list("id", "action", "object_type", "object_id", "total")[: MAX_EVENTS + 1]
    )
    if not rows or len(rows) > MAX_EVENTS or (rows[0][4] or 0) - since[0] != len(rows):
        return None
    return (rows[0][4], rows[-1][0]), rows


def _checked_in(rows: PlanRows, events: list) -> set[int] | None:
    """The key results (ids) the events checked in on, if that is all they did to this view."""
    ids: set[int] = set()
    for _, action, object_type, object_id, _ in events:
        if action != "check_in" or object_type != "keyresult" or object_id not in rows.key_results:
            return None
        ids.add(object_id)
    return ids


def _patched_plan(rows: PlanRows, fresh: dict[int, tuple[int, model.KeyResult]]) -> model.Plan:
    """A copy of the plan with the fresh key results in place; the cached one is left as is."""
    objectives = list(rows.plan.objectives)
    for kr_id, (_, key_result) in fresh.items():
        place = rows.key_results[kr_id]
        objective = objectives[place.objective]
        if objective is rows.plan.objectives[place.objective]:
            objective = replace(objective, key_results=list(objective.key_results))
            objectives[place.objective] = objective
        objective.key_results[place.key_result] = key_result
    return replace(rows.plan, objectives=objectives)


Scores = dict[str, scoring.ObjectiveScore]


def refresh(
    organization: Organization,
    since: Revision,
    rows: PlanRows,
    scores: Scores,
    on: date,
    *,
    with_check_ins: bool,
) -> tuple[Revision, PlanRows, Scores] | None:
    """The rows and scores of a view built at `since`, brought up to date if only check-ins on
    its key results happened since, with the revision they now stand for; else None (compute
    it all again). What is passed in is not changed: the answer is made of copies."""
    found = _events_since(organization, since)
    if found is None:
        return None
    current, events = found
    ids = _checked_in(rows, events)
    if ids is None:
        return None
    fresh = read_key_results(organization, sorted(ids), with_check_ins=with_check_ins)
    if fresh.keys() != ids:
        return None  # deleted meanwhile: a later event will say so
    for kr_id, (objective_id, key_result) in fresh.items():
        place = rows.key_results[kr_id]
        old = rows.plan.objectives[place.objective].key_results[place.key_result]
        if place.objective_id != objective_id or old.id != key_result.id:
            return None
    plan = _patched_plan(rows, fresh)
    # Scores are kept by objective id, the last objective of an id winning, as `compute` does.
    last = {objective.id: index for index, objective in enumerate(plan.objectives)}
    scores = dict(scores)
    for slug in {plan.objectives[rows.key_results[kr_id].objective].id for kr_id in fresh}:
        scores[slug] = scoring.score_objective(plan.objectives[last[slug]], on)
    return current, replace(rows, plan=plan), scores
