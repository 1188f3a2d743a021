"""A team's readiness check: a few questions, then OKRs or a lighter alternative, and why."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.orgs.access import Access, access_team, latest_readiness
from constellation.server.orgs.actions import ANSWER_FIELDS, do_record_readiness
from constellation.server.orgs.models import Team, TeamReadiness
from constellation.server.orgs.readiness import advice_of
from constellation.server.web.forms import add_action_error
from constellation.server.web.strategy_forms import ReadinessForm
from constellation.server.web.views.permissions import org_view

PAGE = "web/readiness.html"


def _initial(latest: TeamReadiness | None) -> ReadinessForm:
    """The form showing the latest answers, or none when the team never took the check."""
    initial: dict[str, Any] = {"version": latest.version if latest else 0}
    if latest is not None:
        initial.update({name: "yes" if getattr(latest, name) else "no" for name in ANSWER_FIELDS})
    return ReadinessForm(initial=initial)


def _render(
    request: HttpRequest, access: Access, team: Team, form: ReadinessForm | None, status: int = 200
) -> HttpResponse:
    latest = latest_readiness(access, team)
    context = {
        "access": access,
        "organization": access.organization,
        "team": team,
        "latest": latest,
        "advice": advice_of(latest),
        "form": form or _initial(latest),
    }
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def readiness(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/readiness/`: the questions, the latest answer and its advice."""
    found = access_team(access, team)
    if request.method != "POST":
        return _render(request, access, found, None)
    form = ReadinessForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            do_record_readiness(
                access,
                found,
                form.answers(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(
                None,
                f"{conflict.message} Your answers are kept below; the recommendation shown "
                "is theirs.",
            )
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Readiness check of {found.name} saved.")
            url = reverse("team-readiness", kwargs={"org": access.organization.slug, "team": team})
            return redirect(f"{url}#recommendation")
    return _render(request, access, found, form, status)
