"""The constellation map: a period's objectives as stars grouped by the levers they model.

The picture is drawn in the browser (Cytoscape.js with the dagre layout, vendored) from the
map's data embedded in the page, the same JSON the API answers. The page itself carries
everything a browser without scripts or a screen reader needs: the strategy, the map as
tables (every alignment, every lever with its objectives) and the "what if" answered on the
server from a GET form. One read (`plans.map.read_map`), a fixed number of queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from constellation.core.what_if import WhatIf
from constellation.server.orgs.access import Access
from constellation.server.plans.map import MapData, MapNode, map_json, read_map, what_if
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import chosen_period

# Above this many objectives the first picture shows one node per group, opened on demand,
# and the tables start folded.
COLLAPSE_ABOVE = 300
# Above COLLAPSE_ABOVE the tables are a page of their own, this many rows a page.
TABLE_ROWS = 250


@dataclass(frozen=True, slots=True)
class End:
    """One end of an alignment as the table shows it."""

    title: str
    url: str
    team: str
    progress: float | None  # None for an objective of another period (not scored here)
    period: str | None  # set only for another period's objective


@dataclass(frozen=True, slots=True)
class LeverRow:
    """A lever (or "no lever") with the objectives that model it (on this page of the table:
    `count` is all of them, `continued` when earlier ones are on the page before)."""

    id: str
    title: str
    objectives: list[MapNode]
    count: int
    continued: bool = False


@dataclass(frozen=True, slots=True)
class Dropped:
    """The "what if" answered on the server: what was dropped and who loses a target."""

    kind: str
    id: str
    title: str
    impact: WhatIf
    lose_target: list[End]
    lose_indirect: list[End]
    unmodelled: list[End]


def _ends(data: MapData) -> dict[str, End]:
    """Every objective the map names, by slug: the period's and the other periods'."""
    ends = {
        node.id: End(node.title, node.url, node.team_name, node.progress, None)
        for node in data.nodes
    }
    teams = {team.id: team.name for team in data.teams}
    for other in data.outside:
        ends[other.id] = End(other.title, other.url, teams.get(other.team, ""), None, other.period)
    return ends


def _lever_rows(data: MapData) -> list[LeverRow]:
    """Each active lever with its objectives, then the objectives that model none."""
    by_lever: dict[str, list[MapNode]] = {lever.id: [] for lever in data.levers}
    alone: list[MapNode] = []
    for node in data.nodes:
        modelled = [slug for slug in node.levers if slug in by_lever]
        for slug in modelled:
            by_lever[slug].append(node)
        if not modelled:
            alone.append(node)
    rows = [
        LeverRow(lever.id, lever.title, by_lever[lever.id], len(by_lever[lever.id]))
        for lever in data.levers
    ]
    return [*rows, LeverRow("", "Models no lever", alone, len(alone))]


def _lever_rows_page(rows: list[LeverRow], number: str | None) -> tuple[list[LeverRow], Any]:
    """One page of the levers table, TABLE_ROWS lines (a lever or one of its objectives) a page:
    the levers cut by the page break carry on, marked "continued", on the next."""
    lines: list[tuple[LeverRow, MapNode | None]] = []
    for row in rows:
        lines.append((row, None))
        lines.extend((row, node) for node in row.objectives)
    page = Paginator(lines, TABLE_ROWS).get_page(number)
    shown: list[LeverRow] = []
    for row, node in page.object_list:
        if not shown or shown[-1].id != row.id:  # ids are unique; "" is "no lever"
            shown.append(LeverRow(row.id, row.title, [], row.count, continued=node is not None))
        if node is not None:
            shown[-1].objectives.append(node)
    return shown, page


def _alignments(data: MapData, ends: dict[str, End]) -> list[tuple[End, End, bool]]:
    """Every alignment the map draws, as the table's (source, target, crosses periods) rows."""
    return [
        (ends[edge.source], ends[edge.target], edge.cross_period)
        for edge in data.edges
        if edge.source in ends and edge.target in ends
    ]


def _drop_options(data: MapData, drop: str) -> SafeString:
    """The "what if" choices as the select's option groups: every lever, then every objective.
    Built here rather than in the template: at 2,000 objectives the template's loop took
    about 100 ms, this takes a few."""
    groups = (
        ("Levers", [(f"lever:{lever.id}", lever.title) for lever in data.levers]),
        ("Objectives", [(f"objective:{node.id}", node.title) for node in data.nodes]),
    )
    html = []
    for label, options in groups:
        inner = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((value, " selected" if value == drop else "", title) for value, title in options),
        )
        html.append(format_html('<optgroup label="{}">{}</optgroup>', label, inner))
    return mark_safe("".join(html))  # each part escaped by format_html above


def _drop(drop: str, data: MapData, ends: dict[str, End]) -> Dropped | None:
    """`?drop=lever:SLUG` or `?drop=objective:SLUG`: what dropping it breaks; None when unnamed
    or unknown (the form then says so)."""
    kind, _, slug = drop.partition(":")
    title = None
    if kind == "lever":
        title = next((lever.title for lever in data.levers if lever.id == slug), None)
    elif kind == "objective":
        title = next((node.title for node in data.nodes if node.id == slug), None)
    if title is None or data.period is None:
        return None
    impact = what_if(data, lever=slug) if kind == "lever" else what_if(data, objective=slug)

    def named(slugs: list[str]) -> list[End]:
        return [ends[s] for s in slugs if s in ends]

    return Dropped(
        kind,
        slug,
        title,
        impact,
        named(impact.lose_target),
        named(impact.lose_indirect),
        named(impact.unmodelled),
    )


def _read(request: HttpRequest, access: Access) -> dict[str, Any]:
    """The chosen period's map, and what every map page shows around it."""
    period, periods = chosen_period(request, access)
    return {
        "access": access,
        "organization": access.organization,
        "period": period,
        "periods": periods,
        "data": read_map(access, period),
    }


@org_view()
def constellation_map(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/map/?period=KEY&focus=SLUG&drop=lever:SLUG`: the period's constellation."""
    context = _read(request, access)
    data = context["data"]
    ends = _ends(data)
    alignments = _alignments(data, ends)
    large = len(data.nodes) > COLLAPSE_ABOVE
    drop = request.GET.get("drop", "").strip()
    context |= {
        "map": map_json(data),
        # Above COLLAPSE_ABOVE objectives the tables have a page of their own.
        "alignments": [] if large else alignments,
        "alignments_count": len(alignments),
        "lever_rows": [] if large else _lever_rows(data),
        "show_alignments": True,
        "show_levers": True,
        "tables_per_page": TABLE_ROWS,
        "drop_options": _drop_options(data, drop),
        "unmodelled_levers": [lever for lever in data.levers if not lever.objectives],
        "large": large,
        "collapse_above": COLLAPSE_ABOVE,
        "focus": request.GET.get("focus", "").strip(),
        "drop": drop,
        "dropped": _drop(drop, data, ends),
    }
    return render(request, "web/map.html", context)


@org_view()
def map_tables(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/map/tables/?period=KEY&show=alignments|levers&page=N`: the map as tables, a
    page at a time, for a period too large to list on the map's page (and for screen readers
    and printing at any size)."""
    context = _read(request, access)
    data = context["data"]
    show = "levers" if request.GET.get("show") == "levers" else "alignments"
    context |= {
        "show": show,
        "show_alignments": show == "alignments",
        "show_levers": show == "levers",
        "open": True,
    }
    if show == "alignments":
        rows = _alignments(data, _ends(data))
        page = Paginator(rows, TABLE_ROWS).get_page(request.GET.get("page"))
        context.update(alignments=page.object_list, alignments_count=len(rows))
        if page.has_other_pages():
            context["alignments_page"] = f"page {page.number} of {page.paginator.num_pages}"
    else:
        shown, page = _lever_rows_page(_lever_rows(data), request.GET.get("page"))
        context["lever_rows"] = shown
        if page.has_other_pages():
            context["levers_page"] = f"page {page.number} of {page.paginator.num_pages}"
    context["page"] = page
    return render(request, "web/map_tables.html", context)
