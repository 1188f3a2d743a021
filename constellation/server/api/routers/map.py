"""The constellation map over HTTP: a period's strategy, objectives and links, and its "what if"."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest, JsonResponse
from ninja import Query, Router

from constellation.server.api.auth import api_access
from constellation.server.api.errors import FieldError
from constellation.server.api.map_schemas import (
    MAP_DESCRIPTION,
    WHAT_IF_DESCRIPTION,
    MapOut,
    WhatIfOut,
)
from constellation.server.api.periods import choose_period
from constellation.server.api.schemas import Message, ValidationProblems
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.plans.map import MapData, map_json, read_map, what_if
from constellation.server.strategy.access import find_lever

router = Router(tags=["map"])
READ = {401: Message, 404: Message, 422: ValidationProblems}
PERIOD_HELP = "A period key (`2026-Q3`, `2026`); default: the current period."


def _period(access: Access, key: str | None) -> Period | None:
    """The one period the map shows: `all` is refused (a map is of one period)."""
    chosen = choose_period(access, key)
    if chosen.everything:
        raise FieldError(
            "period", "the map shows one period: name it (YYYY-Qn or YYYY)", source="query"
        )
    return chosen.period


@router.get(
    "/orgs/{org}/map",
    operation_id="getMap",
    response={200: MapOut, **READ},
    by_alias=True,
    summary="The constellation map of a period",
    description=MAP_DESCRIPTION,
)
def constellation_map(
    request: HttpRequest,
    org: str,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
) -> JsonResponse:
    """The period's objectives and alignment links, with the strategy they model.

    Answered as built, without a second pass through the response schema: at 2,000 objectives
    that pass cost as much as reading the rows. The tests check every answer against it.
    """
    access = api_access(request, org)
    return JsonResponse(map_json(read_map(access, _period(access, period))))


@router.get(
    "/orgs/{org}/map/what-if",
    operation_id="getMapWhatIf",
    response={200: WhatIfOut, **READ},
    summary="What dropping a lever or an objective would break",
    description=WHAT_IF_DESCRIPTION,
)
def map_what_if(
    request: HttpRequest,
    org: str,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
    lever: Annotated[str | None, Query(description="The slug of the lever to drop.")] = None,
    objective: Annotated[
        str | None, Query(description="The slug of the period's objective to drop.")
    ] = None,
) -> dict[str, Any]:
    """Who would lose an alignment target if a lever or an objective were dropped."""
    access = api_access(request, org)
    if (lever is None) == (objective is None):
        field = "lever" if lever is None else "objective"
        raise FieldError(field, "name one thing to drop: `lever` or `objective`", source="query")
    chosen = _period(access, period)
    if chosen is None:
        raise FieldError("period", "this organisation has no period yet", source="query")
    data = read_map(access, chosen)
    if lever is not None:
        dropped = _dropped_lever(access, lever)
        impact = what_if(data, lever=lever)
    else:
        dropped = _dropped_objective(data, objective or "")
        impact = what_if(data, objective=objective)
    return {
        "period": chosen.key,
        "dropped": {**dropped, "objectives": impact.dropped},
        "unmodelled": impact.unmodelled,
        "lose_target": impact.lose_target,
        "lose_indirect": impact.lose_indirect,
    }


def _dropped_lever(access: Access, slug: str) -> dict[str, str]:
    """The lever named, else a 422 naming `lever`."""
    found = find_lever(access, slug)
    if found is None:
        raise FieldError("lever", f"this organisation has no lever {slug!r}", source="query")
    return {"kind": "lever", "id": found.slug, "title": found.title}


def _dropped_objective(data: MapData, slug: str) -> dict[str, str]:
    """One of the map's objectives, else a 422 naming `objective`."""
    for node in data.nodes:
        if node.id == slug:
            return {"kind": "objective", "id": node.id, "title": node.title}
    raise FieldError("objective", f"period {data.period} has no objective {slug!r}", source="query")
