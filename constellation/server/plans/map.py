"""The constellation map of a period: strategy, levers, teams, objectives and alignment links.

`read_map` reads what the map draws in seven queries whatever the period's size: the strategy
in force, the active levers, the teams, the period's objectives with their stored scores (the
columns `plans.stored` keeps current: nothing is rescored here), the levers they model, every
alignment touching them (both directions, other periods included) and the objectives of other
periods at the far end of those links. Rows are read with `values_list` and turned straight into
dataclasses, as `plans.plan` does, so 2,000 objectives cost milliseconds of Python.

Which objectives are stars: every objective of the period in every state (draft, in review,
launched, closed). Objectives are never archived or soft-deleted: deleting one removes its row
and its links, so nothing else needs leaving out.

`what_if` answers the map's "what if" with the core engine (`core.what_if`) on the same data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q
from django.urls import reverse

from constellation.core.alignment import AlignmentGraph
from constellation.core.what_if import WhatIf, drop_lever, drop_objective
from constellation.server.okrs.models import Alignment, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.strategy.access import strategy_in_force
from constellation.server.strategy.models import Lever

NODE_COLUMNS = (
    "id", "slug", "title", "team_id", "focus", "status", "status_reason", "progress",
    "owner__first_name", "owner__last_name", "owner__username", "state",
)  # fmt: skip
OUTSIDE_COLUMNS = ("id", "slug", "title", "period__key", "team_id")


@dataclass(frozen=True, slots=True)
class MapLever:
    """An active lever and how many of the period's objectives model it (0: nobody does)."""

    id: str
    title: str
    objectives: int


@dataclass(frozen=True, slots=True)
class MapTeam:
    """A team the map can group or filter by."""

    id: str
    name: str


@dataclass(frozen=True, slots=True)
class MapNode:
    """One of the period's objectives, with its stored progress and status."""

    id: str
    title: str
    team: str
    team_name: str
    levers: list[str]
    focus: str
    status: str
    status_reason: str | None
    progress: float
    owner: str | None
    state: str
    url: str


@dataclass(frozen=True, slots=True)
class MapEdge:
    """`source` aligns to `target`; `cross_period` when one end is in another period."""

    source: str
    target: str
    cross_period: bool


@dataclass(frozen=True, slots=True)
class MapOutside:
    """An objective of another period at the far end of an alignment, drawn apart."""

    id: str
    title: str
    period: str
    team: str
    url: str


@dataclass(slots=True)
class MapData:
    """Everything the constellation map of one period draws."""

    organization: str
    period: str | None
    vision: str = ""
    mission: str = ""
    levers: list[MapLever] = field(default_factory=list)
    teams: list[MapTeam] = field(default_factory=list)
    nodes: list[MapNode] = field(default_factory=list)
    edges: list[MapEdge] = field(default_factory=list)
    outside: list[MapOutside] = field(default_factory=list)

    def graph(self) -> AlignmentGraph:
        """The alignment graph of the map's links, the period's objectives first in order."""
        return AlignmentGraph(
            ((e.source, e.target) for e in self.edges), (n.id for n in self.nodes)
        )

    def modelled(self) -> dict[str, list[str]]:
        """The levers each of the period's objectives models, in the map's order."""
        return {node.id: node.levers for node in self.nodes}


def read_map(access: Access, period: Period | None) -> MapData:
    """The map of `period` in the person's organisation, in a fixed number of queries.

    `period` must be one of the organisation's (as `okrs.access.find_period` gives it); None
    (an organisation with no period yet) gives an empty map.
    """
    organization = access.organization
    data = MapData(organization=organization.slug, period=period.key if period else None)
    strategy = strategy_in_force(organization, period.start.year if period else None)
    if strategy is not None:
        data.vision, data.mission = strategy.vision, strategy.mission
    teams = {
        pk: (slug, name, archived is None)
        for pk, slug, name, archived in Team.objects.restrict(access).values_list(
            "id", "slug", "name", "archived_at"
        )
    }
    levers = list(
        Lever.objects.restrict(access)
        .filter(retired_at__isnull=True)
        .values_list("id", "slug", "title")
    )
    if period is None:
        data.levers = [MapLever(slug, title, 0) for _, slug, title in levers]
        data.teams = [MapTeam(slug, name) for slug, name, active in teams.values() if active]
        return data
    address = _objective_address(organization.slug)
    rows = list(
        Objective.objects.restrict(access)
        .filter(period_id=period.pk)
        .order_by("position", "id")
        .values_list(*NODE_COLUMNS)
    )
    modelled = _levers_by_objective(period)
    slugs = {row[0]: row[1] for row in rows}
    data.nodes = [_node(row, teams, modelled.get(row[0], []), address) for row in rows]
    counts: dict[str, int] = {}
    for names in modelled.values():
        for name in names:
            counts[name] = counts.get(name, 0) + 1
    data.levers = [MapLever(slug, title, counts.get(slug, 0)) for _, slug, title in levers]
    links = _links_touching(access, period)
    data.outside = _outside(access, period, teams, address, slugs)
    data.edges = [
        MapEdge(slugs[source], slugs[target], source_period != target_period)
        for source, target, source_period, target_period in links
        if source in slugs and target in slugs
    ]
    used = {node.team for node in data.nodes} | {o.team for o in data.outside}
    data.teams = [
        MapTeam(slug, name) for slug, name, active in teams.values() if active or slug in used
    ]
    return data


def _objective_address(org: str) -> str:
    """An objective's page address with `{}` for its slug: one reverse, not one per star."""
    marker = "objective-slug"
    return reverse("objective", kwargs={"org": org, "slug": marker}).replace(marker, "{}")


def _node(
    row: tuple[Any, ...],
    teams: dict[int, tuple[str, str, bool]],
    levers: list[str],
    address: str,
) -> MapNode:
    """One star from its row."""
    _, slug, title, team_id, focus, status, reason, progress, first, last, username, state = row
    team_slug, team_name, _ = teams.get(team_id, ("", "", False))
    name = f"{first} {last}".strip() or username if username is not None else None
    return MapNode(
        id=slug,
        title=title,
        team=team_slug,
        team_name=team_name,
        levers=levers,
        focus=focus,
        status=status,
        status_reason=reason or None,
        progress=min(max(progress, 0.0), 1.0),
        owner=name or None,
        state=state,
        url=address.format(slug),
    )


def _levers_by_objective(period: Period) -> dict[int, list[str]]:
    """The slugs of the levers each of the period's objectives models, in the levers' order."""
    through = Objective.levers.through
    found: dict[int, list[str]] = {}
    rows = (
        through.objects.filter(objective__period_id=period.pk)
        .order_by("lever__position", "lever_id")
        .values_list("objective_id", "lever__slug")
    )
    for objective_id, slug in rows:
        found.setdefault(objective_id, []).append(slug)
    return found


def _links_touching(access: Access, period: Period) -> list[tuple[int, int, int, int]]:
    """Every alignment with an end in the period: (source, target, their period ids), oldest
    first."""
    return list(
        Alignment.objects.restrict(access)
        .filter(Q(source__period_id=period.pk) | Q(target__period_id=period.pk))
        .order_by("id")
        .values_list("source_id", "target_id", "source__period_id", "target__period_id")
    )


def _outside(
    access: Access,
    period: Period,
    teams: dict[int, tuple[str, str, bool]],
    address: str,
    slugs: dict[int, str],
) -> list[MapOutside]:
    """The objectives of other periods linked to this one's, oldest period first; adds their
    slugs to `slugs` so edges can name them."""
    linked = Alignment.objects.restrict(access)
    sources = linked.filter(target__period_id=period.pk).values("source_id")
    targets = linked.filter(source__period_id=period.pk).values("target_id")
    rows = (
        Objective.objects.restrict(access)
        .exclude(period_id=period.pk)
        .filter(Q(pk__in=sources) | Q(pk__in=targets))
        .order_by("period__start", "position", "id")
        .values_list(*OUTSIDE_COLUMNS)
    )
    found = []
    for pk, slug, title, key, team_id in rows:
        slugs[pk] = slug
        found.append(
            MapOutside(slug, title, key, teams.get(team_id, ("",))[0], address.format(slug))
        )
    return found


def what_if(data: MapData, *, lever: str | None = None, objective: str | None = None) -> WhatIf:
    """What dropping `lever` (or `objective`) would break on this map, by the core engine.

    A lever's drop looks at the period's objectives (those left modelling no lever); the
    losses follow the map's links, so an objective of another period aligned to a dropped one
    is named too.
    """
    if lever is not None:
        return drop_lever(data.graph(), data.modelled(), lever)
    if objective is None:
        raise ValueError("name a lever or an objective to drop")
    return drop_objective(data.graph(), objective)


def map_json(data: MapData) -> dict[str, Any]:
    """The map as the page's script and the API read it (`edges` use `from` and `to`)."""
    return {
        "period": data.period,
        "organization": data.organization,
        "strategy": {"vision": data.vision, "mission": data.mission},
        "levers": [
            {"id": lv.id, "title": lv.title, "objectives": lv.objectives} for lv in data.levers
        ],
        "teams": [{"id": t.id, "name": t.name} for t in data.teams],
        "nodes": [
            {
                "id": n.id,
                "title": n.title,
                "team": n.team,
                "team_name": n.team_name,
                "levers": list(n.levers),
                "focus": n.focus,
                "status": n.status,
                "status_reason": n.status_reason,
                "progress": n.progress,
                "owner": n.owner,
                "state": n.state,
                "url": n.url,
            }
            for n in data.nodes
        ],
        "edges": [
            {"from": e.source, "to": e.target, "cross_period": e.cross_period} for e in data.edges
        ],
        "outside": [
            {"id": o.id, "title": o.title, "period": o.period, "team": o.team, "url": o.url}
            for o in data.outside
        ],
    }
