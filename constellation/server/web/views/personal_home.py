"""`/o/<org>/home/`: a person's own page: what needs them, their OKRs and their teams'."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import Access
from constellation.server.plans.home import personal_home as read_home
from constellation.server.web.views.permissions import org_view


@org_view()
def personal_home(request: HttpRequest, access: Access) -> HttpResponse:
    """The signed-in person's home in this organisation, in a fixed number of queries."""
    home = read_home(access, request.user)
    period = home.periods[0] if home.periods else None
    return render(
        request,
        "web/personal_home.html",
        {
            "access": access,
            "organization": access.organization,
            "home": home,
            "period": period,
            "can_draft": access.can_write and period is not None and not period.closed,
        },
    )
