"""The dashboard: a period's objectives grouped by team, with progress, status and findings."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.okrs.scores import period_view
from constellation.server.orgs.access import Access
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import (
    PLAN_RULES,
    chosen_period,
    objective_rows,
    shown_findings,
    summarise,
    team_groups,
)


@org_view()
def dashboard(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/?period=KEY`: every objective of the period, in a fixed number of queries."""
    organization = access.organization
    period, periods = chosen_period(request, organization)
    context = {
        "access": access,
        "organization": organization,
        "period": period,
        "periods": periods,
        "groups": [],
        "summary": summarise([], 0),
        "org_findings": [],
    }
    if period is not None:
        view = period_view(organization, period)
        rows = objective_rows(view)
        findings = shown_findings(view)
        context["groups"] = team_groups(rows, findings)
        context["summary"] = summarise(rows, len(findings))
        context["org_findings"] = [f for f in findings if f.rule in PLAN_RULES]
    return render(request, "web/dashboard.html", context)
