"""Dependencies: ask another team for support on a key result; that team accepts or declines."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict, NotAllowed
from constellation.server.okrs.access import access_objective, key_results_of_objective
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access, speaks_for, teams_of
from constellation.server.sharing.access import access_dependency
from constellation.server.sharing.actions import do_answer_dependency, do_ask_dependency
from constellation.server.sharing.forms import DependencyAnswerForm, DependencyForm
from constellation.server.sharing.models import Dependency
from constellation.server.web.forms import add_action_error
from constellation.server.web.views.permissions import forbidden, org_view
from constellation.server.web.views.review_requests import with_version

PAGE = "web/sharing/dependency.html"


def dependency_url(access: Access, dependency: Dependency) -> str:
    """The dependency's page."""
    return reverse(
        "dependency", kwargs={"org": access.organization.slug, "dependency": dependency.pk}
    )


def _ask_form(access: Access, objective: Objective, data: Any = None) -> DependencyForm:
    return DependencyForm(
        data,
        key_results=key_results_of_objective(access, objective),
        teams=teams_of(access).exclude(pk=objective.team_id),
    )


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def ask(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/dependencies/new/`: ask a team for support on a key result."""
    objective = access_objective(access, slug)
    allowed = speaks_for(access, objective.team)
    if request.method == "POST" and not allowed:
        return forbidden(
            request, access, f"Only members of {objective.team.name}, leaders and admins can ask."
        )
    status = 200
    form = _ask_form(access, objective, request.POST if request.method == "POST" else None)
    if request.method == "POST":
        status = 422
        if form.is_valid():
            data = form.cleaned_data
            try:
                dependency = do_ask_dependency(
                    access,
                    data["key_result"],
                    data["team"],
                    need=data["need"],
                    needed_by=data["needed_by"],
                    actor=request.user,
                )
            except NotAllowed as refused:
                return forbidden(request, access, str(refused))
            except ActionError as error:
                add_action_error(form, error)
            else:
                messages.success(request, f"{data['team'].name} was asked for support.")
                return redirect(dependency_url(access, dependency))
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "form": form,
        "allowed": allowed,
    }
    return render(request, "web/sharing/dependency_new.html", context, status=status)


def _context(access: Access, dependency: Dependency, form: Any = None) -> dict[str, Any]:
    can_answer = dependency.state == Dependency.State.REQUESTED and speaks_for(
        access, dependency.to_team
    )
    if form is None and can_answer:
        form = DependencyAnswerForm(initial={"version": dependency.version})
    return {
        "access": access,
        "organization": access.organization,
        "dependency": dependency,
        "can_answer": can_answer,
        "form": form,
    }


@org_view()
def dependency(request: HttpRequest, access: Access, dependency: int) -> HttpResponse:
    """`/o/<org>/dependencies/<id>/`: the request, its answer, and the answer form."""
    found = access_dependency(access, dependency)
    return render(request, PAGE, _context(access, found))


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def answer_dependency(request: HttpRequest, access: Access, dependency: int) -> HttpResponse:
    """Accept or decline, naming the version the answer was typed against."""
    found = access_dependency(access, dependency)
    if request.method != "POST":
        return redirect(dependency_url(access, found) + "#answer")
    if not speaks_for(access, found.to_team):
        return forbidden(
            request, access, f"Only members of {found.to_team.name}, leaders and admins answer."
        )
    form = DependencyAnswerForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            do_answer_dependency(
                access,
                found,
                accept=data["decision"] == "accept",
                note=data["note"],
                expected_version=data["version"],
                actor=request.user,
            )
        except NotAllowed as refused:
            return forbidden(request, access, str(refused))
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message)
            with_version(form, conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Answer sent to {found.from_team.name}.")
            return redirect(dependency_url(access, found))
    context = _context(access, access_dependency(access, dependency), form)
    context["can_answer"] = True  # keep the typed answer on screen even if the state moved
    return render(request, PAGE, context, status=status)
