"""The dashboard: a period's teams with their progress, statuses and findings, page by page.

A team's objective rows are on the page when the whole period is small; otherwise each team
shows its numbers and loads its rows when opened (htmx), with a link to the team's page for
browsers without scripts. The numbers are SQL aggregates over the stored scores and findings
(`plans.lists`): the page's size and its queries are bounded whatever the number of objectives.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import Access, access_team, own_teams
from constellation.server.plans.lists import (
    objective_rows,
    plan_findings,
    team_count_of,
    team_numbers,
)
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import (
    TeamSummary,
    chosen_period,
    page_number,
    stored_rows,
    summarise,
)

# Up to this many objectives in the period, every team's rows are drawn on the dashboard.
INLINE_OBJECTIVES = 60
TEAMS_PER_PAGE = 25


def _teams_page(request: HttpRequest, team_count: int) -> tuple[int, dict[str, Any]]:
    """Where the page of teams starts, and what the page links need."""
    pages = max(1, ceil(team_count / TEAMS_PER_PAGE))
    number = page_number(request, pages)
    start = (number - 1) * TEAMS_PER_PAGE
    return start, {
        "page": number,
        "pages": pages,
        "first_team": start + 1,
        "last_team": min(start + TEAMS_PER_PAGE, team_count),
        "team_count": team_count,
    }


OWN_TEAM_DOORS = 3


@org_view()
def dashboard(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/?period=KEY&page=N`: the period's teams, in a fixed number of queries."""
    organization = access.organization
    period, periods = chosen_period(request, access)
    context: dict[str, Any] = {
        "access": access,
        "organization": organization,
        "period": period,
        "periods": periods,
        "summary": summarise([], 0),
        "org_findings": [],
        "teams": [],
        # The doors to drafting of the person's own teams (a few: the rest are a click away).
        "own_teams": list(own_teams(access)[:OWN_TEAM_DOORS]) if access.can_write else [],
        **_teams_page(request, 0)[1],
    }
    if period is not None:
        start, paging = _teams_page(request, team_count_of(organization, period))
        numbers = team_numbers(organization, period, offset=start, limit=TEAMS_PER_PAGE)
        teams = [TeamSummary(n.team, n.summary, n.team_findings) for n in numbers.teams]
        if numbers.total.objectives <= INLINE_OBJECTIVES:
            by_team: dict[int, list] = {}
            for row in stored_rows(organization, objective_rows(organization, period)):
                by_team.setdefault(row.objective.team.pk, []).append(row)
            for team in teams:
                team.rows = by_team.get(team.team.pk, [])
        context.update(paging)
        context["teams"] = teams
        context["summary"] = numbers.total
        context["org_findings"] = plan_findings(organization, period)
    return render(request, "web/dashboard.html", context)


@org_view()
def team_rows(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/rows/?period=KEY`: one team's rows of the dashboard (htmx)."""
    organization = access.organization
    found = access_team(access, team)
    period, _ = chosen_period(request, access)
    rows = []
    if period is not None:
        rows = stored_rows(organization, objective_rows(organization, period, team=found))
    context = {"rows": rows, "caption": f"Objectives of {found.name}"}
    return render(request, "web/_objective_table.html", context)
