"""Drafting objectives in the browser: a team's drafts, the objective form and its live coach."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.access import access_objective, find_period, objectives_of_team
from constellation.server.okrs.actions import do_edit_objective
from constellation.server.okrs.drafting import do_create_objective, do_delete_objective
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access, access_team, find_team, own_teams
from constellation.server.plans.scores import period_view
from constellation.server.web.draft_forms import ObjectiveDraftForm, PivotForm
from constellation.server.web.forms import add_action_error, offered_rows
from constellation.server.web.views.live_coach import objective_findings, touched_fields
from constellation.server.web.views.permissions import forbidden, org_view
from constellation.server.web.views.rows import chosen_period

PAGE = "web/draft_objective.html"
FORM_ID = "objective-form"
CONFLICT_NOTE = (
    " What you typed is kept below: save again to replace their change with yours, "
    "or reload the page to start from theirs."
)


def draft_url(access: Access, slug: str) -> str:
    """The drafting page of an objective."""
    return reverse("objective-draft", kwargs={"org": access.organization.slug, "slug": slug})


@org_view()
def team_draft(request: HttpRequest, access: Access, team: str) -> HttpResponse:
    """`/o/<org>/teams/<team>/draft/?period=KEY`: the team's objectives as they are drafted."""
    found = access_team(access, team)
    period, periods = chosen_period(request, access)
    rows: list[tuple[Objective, int]] = []
    if period is not None:
        objectives = list(objectives_of_team(access, found, period))
        view = period_view(access.organization, period, objectives=objectives, with_check_ins=False)
        rows = [(o, len(view.findings_by_objective.get(o.slug, []))) for o in objectives]
    context = {
        "access": access,
        "organization": access.organization,
        "team": found,
        "period": period,
        "periods": periods,
        "rows": rows,
    }
    return render(request, "web/draft_team.html", context)


def _page(
    request: HttpRequest,
    access: Access,
    form: ObjectiveDraftForm,
    objective: Objective | None,
    status: int = 200,
) -> HttpResponse:
    """The objective form beside the coach's findings on what it holds (a new, untouched
    form: none yet)."""
    data = _typed(form)
    touched = None if form.is_bound or objective is not None else frozenset[str]()
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "form": form,
        "form_id": FORM_ID,
        "quiet": touched is not None,
        "findings": objective_findings(access, data, objective, touched),
        "key_results": list(objective.key_results.all()) if objective is not None else [],
        "initiatives": list(objective.initiatives.all()) if objective is not None else [],
    }
    return render(request, PAGE, context, status=status)


def _typed(form: ObjectiveDraftForm) -> dict[str, Any]:
    """What the form holds: cleaned values where valid, the initial ones otherwise."""
    if not form.is_bound:
        initial = dict(form.initial)
        for name in ("team", "period", "owner"):
            if initial.get(name) is not None:
                initial[name] = offered_rows(form, name).filter(pk=initial[name]).first()
        for name in ("levers", "guardrails"):
            initial[name] = list(offered_rows(form, name).filter(pk__in=initial.get(name) or []))
        return initial
    form.is_valid()
    return dict(getattr(form, "cleaned_data", {}))


def _initial_new(request: HttpRequest, access: Access) -> dict[str, Any]:
    """The team and period the new-objective link came from (`?team=&period=`)."""
    initial: dict[str, Any] = {"commitment": Objective.Commitment.COMMITTED}
    team = find_team(access, request.GET.get("team"))
    if team is None:
        team = own_teams(access).first()  # a link without a team: the person's own
    period = find_period(access, request.GET.get("period"))
    initial["team"] = team.pk if team is not None else None
    initial["period"] = period.pk if period is not None else None
    return initial


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def new_objective(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/draft/new-objective/`: create a draft objective, then add its key results."""
    if not access.can_write:
        return forbidden(request, access)
    if request.method != "POST":
        form = ObjectiveDraftForm(access=access, initial=_initial_new(request, access))
        return _page(request, access, form, None)
    form = ObjectiveDraftForm(request.POST, access=access)
    if form.is_valid():
        try:
            objective = do_create_objective(access, form.objective_input(), request.user)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(
                request, f"Objective “{objective.title}” created. Now add its key results."
            )
            return redirect(draft_url(access, objective.slug))
    return _page(request, access, form, None, status=422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def edit_objective(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/draft/`: the whole objective, its key results and coach."""
    objective = access_objective(access, slug)
    if request.method != "POST":
        return _page(
            request, access, ObjectiveDraftForm.for_objective(access, objective), objective
        )
    form = ObjectiveDraftForm(request.POST, access=access, objective=objective)
    status = 422
    if form.is_valid():
        try:
            changed = do_edit_objective(
                access,
                objective,
                form.objective_edit(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                reason=form.cleaned_data.get("reason") or "",
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + CONFLICT_NOTE)
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, "Saved." if changed else "Nothing to save: no change.")
            return redirect(draft_url(access, objective.slug))
    return _page(request, access, form, access_objective(access, slug), status=status)


def _coach(
    request: HttpRequest, access: Access, form: ObjectiveDraftForm, objective: Objective | None
) -> HttpResponse:
    touched = touched_fields(request.POST) if objective is None else None
    findings = objective_findings(access, _typed(form), objective, touched)
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "findings": findings,
        "form_id": FORM_ID,
        "quiet": touched is not None and not findings,
    }
    return render(request, "web/_coach.html", context)


@org_view(write=True, methods=("POST",))
def coach_new_objective(request: HttpRequest, access: Access) -> HttpResponse:
    """The coach's findings on the new-objective form as typed (htmx, not saved)."""
    form = ObjectiveDraftForm(request.POST, access=access)
    return _coach(request, access, form, None)


@org_view(write=True, methods=("POST",))
def coach_objective(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """The coach's findings on an objective's form as typed (htmx, not saved)."""
    objective = access_objective(access, slug)
    form = ObjectiveDraftForm(request.POST, access=access, objective=objective)
    return _coach(request, access, form, objective)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def delete_objective(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/delete/`: confirm, then delete the objective (a launched one
    with its reason; a closed one is refused with why)."""
    objective = access_objective(access, slug)
    if request.method != "POST" or not access.can_write:
        form = PivotForm(initial={"version": objective.version})
        return _delete_page(request, access, objective, form, 200)
    form = PivotForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    status = 422
    try:
        do_delete_objective(
            access,
            objective,
            expected_version=data.get("version") or 0,
            actor=request.user,
            reason=data.get("reason") or "",
        )
    except Conflict as conflict:
        form.add_error(None, conflict.message)
        status = 409
    except ActionError as error:
        add_action_error(form, error)
    else:
        messages.success(request, f"Objective “{objective.title}” deleted.")
        url = reverse(
            "team-draft", kwargs={"org": access.organization.slug, "team": objective.team.slug}
        )
        return redirect(f"{url}?period={objective.period.key}")
    return _delete_page(request, access, objective, form, status)


def _delete_page(
    request: HttpRequest, access: Access, objective: Objective, form: PivotForm, status: int
) -> HttpResponse:
    """The confirmation (and, when refused, the reason why) before deleting an objective."""
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "key_results": objective.key_results.count(),
        "form": form,
    }
    return render(request, "web/objective_delete.html", context, status=status)
