"""Launching a reviewed set of objectives, and the launch page: what, why and how it is measured."""

from __future__ import annotations

import calendar
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access
from constellation.server.sharing.access import access_launch, access_review, launched_objectives
from constellation.server.sharing.actions import do_launch
from constellation.server.strategy.models import Lever
from constellation.server.web.views.permissions import forbidden, org_view
from constellation.server.web.views.review_requests import (
    PAGE,
    launch_form,
    review_context,
    review_url,
    with_version,
)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def launch_review(request: HttpRequest, access: Access, review_request: int) -> HttpResponse:
    """Launch the review's objectives if the launch rule holds; else say why not."""
    found = access_review(access, review_request)
    if request.method != "POST":
        return redirect(review_url(access, found, "launch"))
    form = launch_form(found, request.POST)
    status = 422
    if form.is_valid():
        try:
            launched = do_launch(
                access,
                found,
                expected_version=form.cleaned_data["version"],
                message=form.cleaned_data["message"],
                actor=request.user,
            )
        except NotAllowed as refused:
            return forbidden(request, access, str(refused))
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message)
            with_version(form, conflict.current_version)
        except ActionError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, "Launched: everyone in the organisation was told.")
            url = reverse("launch", kwargs={"org": access.organization.slug, "launch": launched.pk})
            return redirect(url)
    context = review_context(access, review_request, launch_form=form)
    return render(request, PAGE, context, status=status)


def _levers(objectives: list[Objective]) -> list[tuple[Lever, list[Objective]]]:
    """Each lever the launch models, with the objectives that model it, in lever order."""
    by_lever: dict[int, tuple[Lever, list[Objective]]] = {}
    for objective in objectives:
        for lever in objective.levers.all():
            by_lever.setdefault(lever.pk, (lever, []))[1].append(objective)
    return sorted(by_lever.values(), key=lambda pair: (pair[0].position, pair[0].pk))


@org_view()
def launch(request: HttpRequest, access: Access, launch: int) -> HttpResponse:
    """`/o/<org>/launches/<id>/`: what the team will achieve, why, and how it is measured."""
    found = access_launch(access, launch)
    objectives = launched_objectives(access, found)
    organization = access.organization
    context: dict[str, Any] = {
        "access": access,
        "organization": organization,
        "launch": found,
        "objectives": objectives,
        "levers": _levers(objectives),
        "without_lever": [o for o in objectives if not o.levers.all()],
        "check_in_day": calendar.day_name[organization.checkin_weekday % 7],
    }
    return render(request, "web/sharing/launch.html", context)
