"""The caller's organisations and each one's teams, levers and periods (KPIs: kpis.py)."""

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
    TeamOut,
)
from constellation.server.okrs.models import Period
from constellation.server.orgs.models import Membership, Team
from constellation.server.plans.scores import current_period
from constellation.server.strategy.models import Lever

router = Router(tags=["organisations"])
READ = {401: Message, 404: Message}


@router.get("/orgs", response={200: list[OrganizationOut], 401: Message})
def list_organizations(request: HttpRequest) -> list[dict[str, Any]]:
    """The organisations the caller belongs to (a token: its own organisation only)."""
    memberships = Membership.objects.filter(user=api_user(request)).select_related("organization")
    token = getattr(request, "api_token", None)
    if token is not None:
        memberships = memberships.filter(organization_id=token.organization_id)
    return [
        {"slug": m.organization.slug, "name": m.organization.name, "role": m.role}
        for m in memberships.order_by("organization__name", "organization__slug")
    ]


@router.get("/orgs/{org}/teams", response={200: list[TeamOut], **READ})
def list_teams(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's teams (the org chart)."""
    access = api_access(request, org)
    teams = Team.objects.filter(organization=access.organization).select_related("parent")
    return [
        {
            "id": team.slug,
            "name": team.name,
            "parent": team.parent.slug if team.parent else None,
            "phase": team.phase or None,
        }
        for team in teams
    ]


@router.get("/orgs/{org}/levers", response={200: list[LeverOut], **READ})
def list_levers(request: HttpRequest, org: str) -> list[dict[str, Any]]:
    """The organisation's strategy levers."""
    access = api_access(request, org)
    return [
        {"id": lever.slug, "title": lever.title, "description": lever.description}
        for lever in Lever.objects.filter(organization=access.organization)
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
        for period in Period.objects.filter(organization=access.organization)
    ]
