"""A period's planning page: each lever with the objectives that model it and its roadmap.

A lever no objective models, and an objective linked to no lever, stand out: the first is a
bet nobody works on this period, the second is work the strategy does not ask for.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from constellation.core.periods import is_period
from constellation.server.errors import ActionError
from constellation.server.okrs.access import access_period, periods_of
from constellation.server.okrs.actions import do_set_plan_ahead, opening_day
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access
from constellation.server.plans.lists import lever_links, objective_rows
from constellation.server.plans.scores import current_period
from constellation.server.strategy.access import levers_of, roadmap_of_year, strategy_in_force
from constellation.server.strategy.models import Lever, RoadmapItem
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import objective_urls


@dataclass(slots=True)
class PlannedObjective:
    """An objective of the period as the planning page lists it."""

    slug: str
    title: str
    team_slug: str
    team_name: str
    state: str
    progress: float
    status: str | None
    url: str


@dataclass(slots=True)
class LeverRow:
    """A lever with the period's objectives that model it and the year's roadmap under it."""

    lever: Lever
    objectives: list[PlannedObjective] = field(default_factory=list)
    items: list[RoadmapItem] = field(default_factory=list)

    @property
    def retired(self) -> bool:
        """Whether the bet has left the strategy."""
        return self.lever.retired_at is not None


def _choose(request: HttpRequest, access: Access, key: str | None) -> Period | None:
    """The period named in the address (404 if unknown), else the current one."""
    if key is None:
        return current_period(access.organization)
    return access_period(access, key)


def _objectives(access: Access, period: Period) -> tuple[list[PlannedObjective], dict]:
    """The period's objectives with their stored scores, and the lever slugs each models."""
    url = objective_urls(access.organization)
    links = lever_links(access.organization, period)
    rows = []
    levers = {}
    for row in objective_rows(access.organization, period):
        objective = row.objective
        levers[objective.slug] = links.get(objective.pk, [])
        rows.append(
            PlannedObjective(
                slug=objective.slug,
                title=objective.title,
                team_slug=objective.team.slug,
                team_name=objective.team.name,
                state=objective.state,
                progress=row.score.progress,
                status=row.score.status,
                url=url(objective.slug),
            )
        )
    return rows, levers


def plan_rows(access: Access, period: Period) -> dict[str, Any]:
    """Levers with their objectives and roadmap, and the objectives that model no lever."""
    objectives, lever_slugs = _objectives(access, period)
    rows = {lever.slug: LeverRow(lever) for lever in levers_of(access)}
    unlinked = []
    for objective in objectives:
        linked = [rows[slug] for slug in lever_slugs.get(objective.slug, []) if slug in rows]
        for row in linked:
            row.objectives.append(objective)
        if not linked:
            unlinked.append(objective)
    by_pk = {row.lever.pk: row for row in rows.values()}
    for item in roadmap_of_year(access.organization, period.start.year):
        if item.lever_id in by_pk:
            by_pk[item.lever_id].items.append(item)
    # A retired lever shows only while objectives of this period still model it.
    shown = [row for row in rows.values() if not row.retired or row.objectives]
    return {
        "levers": shown,
        "unmodelled": [row for row in shown if not row.objectives],
        "unlinked": unlinked,
        "objective_count": len(objectives),
    }


@org_view()
def planning(request: HttpRequest, access: Access, period: str | None = None) -> HttpResponse:
    """`/o/<org>/plan/` (the current period) and `/o/<org>/plan/<period>/`."""
    asked = request.GET.get("period", "").strip()
    if asked and not is_period(asked):
        raise BadRequest(f"period: “{asked[:40]}” is not a period such as 2026-Q3 or 2026.")
    if asked and asked != period:
        url = reverse("planning-period", kwargs={"org": access.organization.slug, "period": asked})
        return redirect(url)
    chosen = _choose(request, access, period)
    context: dict[str, Any] = {
        "access": access,
        "organization": access.organization,
        "period": chosen,
        "periods": list(periods_of(access)),
        "levers": [],
        "unmodelled": [],
        "unlinked": [],
        "objective_count": 0,
        "strategy": None,
    }
    next_key, opens = opening_day(access.organization)
    context["ahead"] = {
        "key": next_key,
        "opens": opens,
        "open": any(p.key == next_key for p in context["periods"]),
        "due": opens <= timezone.localdate(),
    }
    if chosen is not None:
        context.update(plan_rows(access, chosen))
        context["strategy"] = strategy_in_force(access.organization, chosen.start.year)
        context["year"] = chosen.start.year
    return render(request, "web/planning.html", context)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def plan_ahead(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/plan-ahead/` (POST, admins): how many days before it starts a quarter opens."""
    back = reverse("planning", kwargs={"org": access.organization.slug}) + "#plan-ahead"
    if request.method != "POST":
        return redirect(back)
    raw = request.POST.get("plan_ahead_days", "").strip()
    try:
        do_set_plan_ahead(access, int(raw) if raw.isdigit() else raw, request.user)
    except ActionError as error:
        messages.error(request, f"Not saved: {error.message}")
    else:
        days = access.organization.plan_ahead_days
        messages.success(
            request, f"Saved: a quarter opens for drafting {days} days before it starts."
        )
    return redirect(back)
