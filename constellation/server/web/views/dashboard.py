"""The dashboard: a period's teams with their progress, statuses and findings, page by page.

A team's objective rows are on the page when the whole period is small; otherwise each team
shows its numbers and loads its rows when opened (htmx), with a link to the team's page for
browsers without scripts. The page's size is bounded whatever the number of objectives.
"""

from __future__ import annotations

from math import ceil
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import Access, access_team
from constellation.server.plans.scores import period_view
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import (
    PLAN_RULES,
    chosen_period,
    objective_rows,
    page_number,
    shown_findings,
    summarise,
    team_summaries,
)

# Up to this many objectives in the period, every team's rows are drawn on the dashboard.
INLINE_OBJECTIVES = 60
TEAMS_PER_PAGE = 25


def _teams_page(request: HttpRequest, teams: list) -> dict[str, Any]:
    """One page of team summaries and what the page links need."""
    pages = max(1, ceil(len(teams) / TEAMS_PER_PAGE))
    number = page_number(request, pages)
    start = (number - 1) * TEAMS_PER_PAGE
    return {
        "teams": teams[start : start + TEAMS_PER_PAGE],
        "page": number,
        "pages": pages,
        "first_team": start + 1,
        "last_team": min(start + TEAMS_PER_PAGE, len(teams)),
        "team_count": len(teams),
    }


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
        **_teams_page(request, []),
    }
    if period is not None:
        view = period_view(organization, period)
        rows = objective_rows(view)
        findings = shown_findings(view)
        teams = team_summaries(rows, findings)
        if len(rows) > INLINE_OBJECTIVES:
            for team in teams:
                team.rows = []
        context.update(_teams_page(request, teams))
        context["summary"] = summarise(rows, len(findings))
        context["org_findings"] = [f for f in findings if f.rule in PLAN_RULES]
    return render(request, "web/dashboard.html", context)


@org_view()
def team_rows(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/rows/?period=KEY`: one team's rows of the dashboard (htmx)."""
    organization = access.organization
    found = access_team(access, team)
    period, _ = chosen_period(request, access)
    rows = []
    if period is not None:
        view = period_view(organization, period)
        rows = [row for row in objective_rows(view) if row.objective.team.pk == found.pk]
    context = {"rows": rows, "caption": f"Objectives of {found.name}"}
    return render(request, "web/_objective_table.html", context)
