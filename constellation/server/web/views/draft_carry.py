"""Start from last period: a team brings unfinished objectives and its learnings into a draft."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, NotFound
from constellation.server.okrs.access import find_previous_period
from constellation.server.okrs.carry import do_carry_objectives
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, access_team
from constellation.server.orgs.models import Team
from constellation.server.plans.carry import Candidate, candidates
from constellation.server.quarterly.access import learnings_of
from constellation.server.web.views.permissions import org_view
from constellation.server.web.views.rows import chosen_period


def _render(
    request: HttpRequest,
    access: Access,
    team: Team,
    period: Period,
    found: list[Candidate],
    previous: Period | None,
    error: str = "",
    status: int = 200,
) -> HttpResponse:
    learnings = (
        list(learnings_of(access, team=team, period=previous)) if previous is not None else []
    )
    context = {
        "access": access,
        "organization": access.organization,
        "team": team,
        "period": period,
        "previous": previous,
        "unfinished": [c for c in found if c.unfinished],
        "finished": [c for c in found if not c.unfinished],
        "learnings": learnings,
        "error": error,
    }
    return render(request, "web/draft_start.html", context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def start_from_last_period(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/draft/start/?period=KEY`: the update step of planning."""
    found_team = access_team(access, team)
    period, _ = chosen_period(request, access)
    if period is None:
        raise NotFound("No period to plan")
    previous = find_previous_period(access, period)
    found = candidates(access, found_team, previous, period) if previous is not None else []
    if request.method != "POST" or not access.can_write:
        return _render(request, access, found_team, period, found, previous)
    chosen = set(request.POST.getlist("objectives"))
    offered = [c.objective for c in found if c.unfinished and not c.carried]
    sources = [o for o in offered if str(o.pk) in chosen]
    if not sources or len(sources) != len(chosen):
        error = "Choose at least one unfinished objective that is not brought over yet."
        return _render(request, access, found_team, period, found, previous, error, 422)
    try:
        copies = do_carry_objectives(access, sources, period, request.user)
    except ActionError as error:
        return _render(request, access, found_team, period, found, previous, error.message, 422)
    messages.success(
        request,
        f"Brought {len(copies)} objective{'s' if len(copies) != 1 else ''} into "
        f"{period.key} as drafts, starting from where {previous.key if previous else ''} ended.",
    )
    url = reverse("team-draft", kwargs={"org": access.organization.slug, "team": found_team.slug})
    return redirect(f"{url}?period={period.key}")
