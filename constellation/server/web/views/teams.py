"""A team's page: its place in the org chart, its objectives, findings and members."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import (
    Access,
    access_team,
    latest_readiness,
    subteams_of,
    team_memberships,
    team_powers,
)
from constellation.server.orgs.readiness import advice_of
from constellation.server.plans.lists import objective_rows, team_set_findings
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import chosen_period, stored_rows, summarise
from constellation.server.web.views.sharing import team_sharing


@org_view()
def team(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/?period=KEY`."""
    organization = access.organization
    found = access_team(access, team)
    period, periods = chosen_period(request, access)
    context = {
        "access": access,
        "organization": organization,
        "team": found,
        "children": list(subteams_of(access, found)),
        "members": list(team_memberships(access, found)),
        "powers": team_powers(access, found),
        "period": period,
        "periods": periods,
        "rows": [],
        "findings": [],
        "summary": summarise([], 0),
    }
    if period is not None:
        rows = stored_rows(organization, objective_rows(organization, period, team=found))
        findings = team_set_findings(organization, period, found)
        context["rows"] = rows
        context["findings"] = findings
        context["summary"] = summarise(rows, len(findings) + sum(row.findings for row in rows))
    context.update(team_sharing(access, found, period))
    readiness = latest_readiness(access, found)
    context["readiness"] = readiness
    context["readiness_advice"] = advice_of(readiness)
    return render(request, "web/team.html", context)
