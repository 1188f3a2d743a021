"""Sending a team's draft for review, and what the team page shows of reviews and dependencies."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, NotAllowed
from constellation.server.okrs.access import drafts_of_team
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, access_team, speaks_for
from constellation.server.orgs.models import Team
from constellation.server.sharing.access import (
    open_dependencies_of_team,
    reviewer_choices,
    reviews_queryset,
)
from constellation.server.sharing.actions import do_send_for_review
from constellation.server.sharing.forms import SendForReviewForm
from constellation.server.sharing.models import ReviewRequest
from constellation.server.web.forms import add_action_error
from constellation.server.web.views.permissions import forbidden, org_view
from constellation.server.web.views.rows import chosen_period


def team_sharing(access: Access, team: Team, period: Period | None) -> dict[str, Any]:
    """The team page's open review requests and open dependencies (three queries)."""
    reviews: list[ReviewRequest] = []
    if period is not None:
        reviews = list(
            reviews_queryset(access).filter(
                team=team, period=period, state=ReviewRequest.State.OPEN
            )
        )
    dependencies = open_dependencies_of_team(access, team)
    return {
        "open_reviews": reviews,
        "dependencies_asked": [d for d in dependencies if d.from_team_id == team.pk],
        "dependencies_received": [d for d in dependencies if d.to_team_id == team.pk],
    }


def _form(access: Access, team: Team, period: Period | None, data: Any = None) -> SendForReviewForm:
    drafts = drafts_of_team(access, team, period)
    form = SendForReviewForm(data, objectives=drafts, people=reviewer_choices(access))
    if data is None:
        form.initial["objectives"] = list(drafts)
    return form


def _not_allowed(team: Team) -> str:
    return f"Only members of {team.name}, leaders and admins can send its draft for review."


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def send_for_review(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/send-for-review/?period=KEY`: pick drafts and reviewers, then send."""
    found = access_team(access, team)
    period, _ = chosen_period(request, access)
    allowed = speaks_for(access, found)
    if request.method == "POST" and not allowed:
        return forbidden(request, access, _not_allowed(found))
    status = 200
    if request.method == "POST" and period is not None:
        form = _form(access, found, period, request.POST)
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                review = do_send_for_review(
                    access,
                    found,
                    period,
                    objectives=list(data["objectives"]),
                    leaders=list(data["leaders"]),
                    stakeholders=list(data["stakeholders"]),
                    message=data["message"],
                    actor=request.user,
                )
            except NotAllowed as refused:
                return forbidden(request, access, str(refused))
            except ActionError as error:
                add_action_error(form, error)
            else:
                url = reverse(
                    "review-request",
                    kwargs={"org": access.organization.slug, "review_request": review.pk},
                )
                return redirect(url)
    else:
        form = _form(access, found, period)
    context = {
        "access": access,
        "organization": access.organization,
        "team": found,
        "period": period,
        "form": form,
        "allowed": allowed,
    }
    return render(request, "web/sharing/send.html", context, status=status)
