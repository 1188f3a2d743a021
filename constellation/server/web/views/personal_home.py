"""`/o/<org>/home/`: a person's own page: what needs them, their OKRs and their teams'."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import Access
from constellation.server.web.views.permissions import org_view


@org_view()
def personal_home(request: HttpRequest, access: Access) -> HttpResponse:
    """The signed-in person's home in this organisation."""
    return render(
        request,
        "web/personal_home.html",
        {"access": access, "organization": access.organization},
    )
