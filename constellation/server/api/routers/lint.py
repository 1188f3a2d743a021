"""The coach over the API: the same findings as `okr lint --format json`."""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router

from constellation.core import coach
from constellation.server.api.auth import api_access
from constellation.server.api.periods import PERIOD_HELP, choose_period
from constellation.server.api.schemas import LintOut, Message, ValidationProblems
from constellation.server.plans.plan import build_plan

router = Router(tags=["coach"])


@router.get(
    "/orgs/{org}/lint",
    operation_id="lintOrganization",
    response={200: LintOut, 401: Message, 404: Message, 422: ValidationProblems},
    summary="What the coach says about a period's OKRs",
    description="One entry in `files`, whose `path` is `<org slug>/<period>`; each finding "
    "is shaped exactly as in `okr lint --format json` (`line` is null: rows have no lines).",
)
def lint(
    request: HttpRequest,
    org: str,
    period: Annotated[str | None, Query(description=PERIOD_HELP)] = None,
) -> dict[str, Any]:
    """Lint the organisation's strategy and a period's objectives with the core coach."""
    access = api_access(request, org)
    chosen = choose_period(access, period)
    plan = build_plan(access.organization, chosen.period)
    label = chosen.label or "none"
    findings = [finding.as_dict() for finding in coach.lint(plan)]
    return {"files": [{"path": f"{access.organization.slug}/{label}", "findings": findings}]}
