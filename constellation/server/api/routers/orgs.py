"""The caller's organisations and each one's levers and periods (teams: teams.py, KPIs: kpis.py)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from constellation.server.api.auth import api_access, api_user
from constellation.server.api.schemas import (
    LeverOut,
    Message,
    OrganizationOut,
    PeriodOut,
)
from constellation.server.okrs.access import periods_of
from constellation.server.orgs.access import memberships_of_person
from constellation.server.plans.scores import current_period
from constellation.server.strategy.access import levers_of

router = Router(tags=["organisations"])
READ = {401: Message, 404: Message}


@router.get("/orgs", response={200: list[OrganizationOut], 401: Message})
def list_organizations(request: HttpRequest) -> list[dict[str, Any]]:
    """The organisations the caller belongs to (a token: its own organisation only)."""
    token = getattr(request, "api_token", None)
    memberships = memberships_of_person(
        api_user(request), token.organization if token is not None else None
    )
    return [
        {"slug": m.organization.slug, "name": m.organization.name, "role": m.role}
        for m in memberships
    ]


@router.get(
    "/orgs/{org}/levers", operation_id="listOrgLevers", response={200: list[LeverOut], **READ}
)
def list_levers(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's strategy levers."""
    access = api_access(request, org)
    return [
        {"id": lever.slug, "title": lever.title, "description": lever.description}
        for lever in levers_of(access)
    ]


@router.get("/orgs/{org}/periods", response={200: list[PeriodOut], **READ})
def list_periods(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's periods, oldest first; `current` marks the default one."""
    access = api_access(request, org)
    current = current_period(access.organization)
    return [
        {
            "key": period.key,
            "start": period.start,
            "end": period.end,
            "closed": period.closed,
            "current": current is not None and period.pk == current.pk,
        }
        for period in periods_of(access)
    ]
