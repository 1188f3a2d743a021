"""Key results drafted in the browser: create, edit, delete, read a sentence, live coach,
and a key result that reads as an output moved to the objective's initiatives.

A statement that reads as work to deliver, sent with no numbers, is not saved as a metric: the
form answers with the choice (a milestone, an initiative, or a baseline and a target), keeping
everything typed; the form's `resolve` button takes the choice through the same doors."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.access import (
    access_initiative_of,
    access_key_result_of,
    access_objective_with_key_results,
)
from constellation.server.okrs.actions import do_edit_key_result, reads_as_output
from constellation.server.okrs.drafting import do_create_key_result, do_delete_key_result
from constellation.server.okrs.initiatives import (
    InitiativeInput,
    do_create_initiative,
    do_move_to_initiative,
    do_set_initiative_moves,
)
from constellation.server.okrs.models import Initiative, KeyResult, Objective
from constellation.server.okrs.statements import fill_measure
from constellation.server.orgs.access import Access
from constellation.server.web.draft_forms import (
    InitiativeMovesForm,
    KeyResultForm,
    PivotForm,
)
from constellation.server.web.forms import add_action_error, offered_rows
from constellation.server.web.views.drafting import CONFLICT_NOTE, draft_url
from constellation.server.web.views.live_coach import key_result_findings, touched_fields
from constellation.server.web.views.permissions import forbidden, org_view

PAGE = "web/key_result_form.html"
FORM_ID = "key-result-form"
# What the form's `resolve` buttons ask for, instead of saving as typed.
MILESTONE, INITIATIVE = "milestone", "initiative"


def _objective_url(access: Access, slug: str, anchor: str = "") -> str:
    url = reverse("objective", kwargs={"org": access.organization.slug, "slug": slug})
    return f"{url}#{anchor}" if anchor else url


def _typed(form: KeyResultForm) -> dict[str, Any]:
    """What the form holds: cleaned values where valid, the initial ones otherwise."""
    if not form.is_bound:
        data = dict(form.initial)
        for name in ("owner", "kpi"):
            if data.get(name) is not None:
                data[name] = offered_rows(form, name).filter(pk=data[name]).first()
        return data
    form.is_valid()
    return dict(getattr(form, "cleaned_data", {}))


def _page(
    request: HttpRequest,
    access: Access,
    objective: Objective,
    form: KeyResultForm,
    key_result: KeyResult | None = None,
    status: int = 200,
) -> HttpResponse:
    # A new, untouched form is quiet; once sent, everything the coach sees is said.
    touched = None if form.is_bound or key_result is not None else frozenset[str]()
    typed = _typed(form)
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "key_result": key_result,
        "form": form,
        "form_id": FORM_ID,
        "findings": key_result_findings(access, objective, typed, key_result, touched),
        "quiet": touched is not None,
        "output_choice": _output_choice(form, typed),
    }
    return render(request, PAGE, context, status=status)


def _output_choice(form: KeyResultForm, typed: dict[str, Any]) -> bool:
    """Whether the form was refused a metric with no numbers whose statement reads as work:
    the page then offers a milestone, an initiative, or a baseline and a target."""
    if not form.is_bound or not (form.has_error("baseline") or form.has_error("target")):
        return False
    if (typed.get("type") or "metric") != "metric":
        return False
    return reads_as_output(str(typed.get("title") or form.data.get("title") or ""))


def _resolved(request: HttpRequest) -> str:
    """The choice a `resolve` button of the form sent, if any."""
    choice = request.POST.get("resolve", "")
    return choice if choice in (MILESTONE, INITIATIVE) else ""


def _as_milestone(request: HttpRequest) -> Any:
    """The form's data with the kind the person chose: a milestone, its numbers dropped."""
    data = request.POST.copy()
    data["type"] = KeyResult.Type.MILESTONE
    return data


def _to_initiative(
    request: HttpRequest, access: Access, objective: Objective, form: KeyResultForm
) -> HttpResponse | None:
    """A new key result's statement made an initiative of the objective instead (the
    initiative door); None, with the error on the form, when refused."""
    title = str(request.POST.get("title") or "").strip()
    try:
        initiative = do_create_initiative(
            access, objective, InitiativeInput(title=title), request.user
        )
    except ActionError as error:
        form.is_valid()
        add_action_error(form, error)
        return None
    messages.success(
        request,
        f"“{initiative.title}” is now an initiative of this objective. Choose the key results "
        "it is expected to move.",
    )
    return redirect(_objective_url(access, objective.slug, f"initiative-{initiative.pk}"))


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def new_key_result(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/key-results/new/`."""
    objective = access_objective_with_key_results(access, slug)
    if not access.can_write:
        return forbidden(request, access)
    if request.method != "POST":
        return _page(request, access, objective, KeyResultForm(access=access, objective=objective))
    choice = _resolved(request)
    data = _as_milestone(request) if choice == MILESTONE else request.POST
    form = KeyResultForm(data, access=access, objective=objective)
    if choice == INITIATIVE:
        moved = _to_initiative(request, access, objective, form)
        if moved is not None:
            return moved
        return _page(request, access, objective, form, status=422)
    if form.is_valid():
        reason = form.cleaned_data.get("reason") or ""
        try:
            kr = do_create_key_result(
                access, objective, form.key_result_input(), request.user, reason
            )
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Key result “{kr.title}” added.")
            return redirect(draft_url(access, slug))
    return _page(request, access, objective, form, status=422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def edit_key_result(request: HttpRequest, access: Access, slug: str, kr: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/key-results/<kr>/edit/`: versioned like the objective."""
    objective = access_objective_with_key_results(access, slug)
    key_result = access_key_result_of(access, objective, kr)
    if not access.can_write:
        return forbidden(request, access)
    if request.method != "POST":
        form = KeyResultForm.for_key_result(access, objective, key_result)
        return _page(request, access, objective, form, key_result)
    choice = _resolved(request)
    data = _as_milestone(request) if choice == MILESTONE else request.POST
    form = KeyResultForm(data, access=access, objective=objective, key_result=key_result)
    if choice == INITIATIVE:
        return _move_from_form(request, access, objective, key_result, form)
    status = 422
    if form.is_valid():
        try:
            changed = do_edit_key_result(
                access,
                key_result,
                form.key_result_edit(),
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
            return redirect(draft_url(access, slug))
    saved = access_key_result_of(access, objective, kr)
    return _page(request, access, objective, form, saved, status=status)


def _move_from_form(
    request: HttpRequest,
    access: Access,
    objective: Objective,
    key_result: KeyResult,
    form: KeyResultForm,
) -> HttpResponse:
    """A saved key result moved to initiatives from its own form (the move's door), at the
    version the form was opened at; refused, the form comes back with what was typed."""
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    version = data.get("version") or key_result.version
    moved, status = _move(
        request, access, objective, key_result, form, version, data, CONFLICT_NOTE
    )
    if moved is not None:
        return moved
    saved = access_key_result_of(access, objective, key_result.slug)
    return _page(request, access, objective, form, saved, status=status)


def _move(
    request: HttpRequest,
    access: Access,
    objective: Objective,
    key_result: KeyResult,
    form: Any,
    version: int,
    data: dict[str, Any],
    conflict_note: str = "",
) -> tuple[HttpResponse | None, int]:
    """Move a key result to initiatives: the way to its new initiative, or None and the
    refusal's status with the error on `form`."""
    try:
        initiative = do_move_to_initiative(
            access,
            key_result,
            actor=request.user,
            expected_version=version,
            reason=data.get("reason") or "",
        )
    except Conflict as conflict:
        form.add_error(None, conflict.message + conflict_note)
        return None, 409
    except ActionError as error:
        add_action_error(form, error)
        return None, 422
    messages.success(
        request,
        f"“{initiative.title}” is now an initiative of this objective, no longer a key "
        "result. Choose the key results it is expected to move.",
    )
    return redirect(_objective_url(access, objective.slug, f"initiative-{initiative.pk}")), 0


def _pivot_form(request: HttpRequest) -> PivotForm:
    form = PivotForm(request.POST)
    form.is_valid()
    return form


def _pivot_page(
    request: HttpRequest,
    access: Access,
    objective: Objective,
    key_result: KeyResult,
    form: PivotForm,
    action: str,
    status: int,
) -> HttpResponse:
    """A small page asking again (with the error) for a delete or a move that was refused."""
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "key_result": key_result,
        "form": form,
        "action": action,
    }
    return render(request, "web/key_result_form_confirm.html", context, status=status)


def _pivot_args(form: PivotForm) -> dict[str, Any]:
    data = getattr(form, "cleaned_data", {})
    return {"expected_version": data.get("version") or 0, "reason": data.get("reason") or ""}


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def delete_key_result(request: HttpRequest, access: Access, slug: str, kr: str) -> HttpResponse:
    """Delete a key result (a pivot needs its reason once the objective is launched)."""
    objective = access_objective_with_key_results(access, slug)
    key_result = access_key_result_of(access, objective, kr)
    form = (
        _pivot_form(request)
        if request.method == "POST"
        else PivotForm(initial={"version": key_result.version})
    )
    if request.method != "POST" or not access.can_write:
        return _pivot_page(request, access, objective, key_result, form, "delete", 200)
    status = 422
    try:
        do_delete_key_result(access, key_result, actor=request.user, **_pivot_args(form))
    except Conflict as conflict:
        form.add_error(None, conflict.message)
        status = 409
    except ActionError as error:
        add_action_error(form, error)
    else:
        messages.success(request, f"Key result “{key_result.title}” deleted.")
        return redirect(draft_url(access, slug))
    return _pivot_page(request, access, objective, key_result, form, "delete", status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def move_to_initiative(request: HttpRequest, access: Access, slug: str, kr: str) -> HttpResponse:
    """Turn a key result that reads as an output into an initiative, in one transaction."""
    objective = access_objective_with_key_results(access, slug)
    key_result = access_key_result_of(access, objective, kr)
    form = (
        _pivot_form(request)
        if request.method == "POST"
        else PivotForm(initial={"version": key_result.version})
    )
    if request.method != "POST" or not access.can_write:
        return _pivot_page(request, access, objective, key_result, form, "move", 200)
    args = _pivot_args(form)
    moved, status = _move(
        request, access, objective, key_result, form, args["expected_version"], args
    )
    if moved is not None:
        return moved
    return _pivot_page(request, access, objective, key_result, form, "move", status)


@org_view(write=True, methods=("POST",))
def coach_key_result(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """The coach's findings on the key-result form as typed (htmx, not saved)."""
    objective = access_objective_with_key_results(access, slug)
    key_result = None
    if request.POST.get("key_result"):
        key_result = access_key_result_of(access, objective, request.POST["key_result"])
    form = KeyResultForm(request.POST, access=access, objective=objective, key_result=key_result)
    touched = touched_fields(request.POST) if key_result is None else None
    findings = key_result_findings(access, objective, _typed(form), key_result, touched)
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "key_result": key_result,
        "findings": findings,
        "form_id": FORM_ID,
        "quiet": touched is not None and not findings,
    }
    return render(request, "web/_coach.html", context)


@org_view(write=True, methods=("POST",))
def read_statement(request: HttpRequest, access: Access, slug: str) -> HttpResponse:
    """The measure fields filled from the statement (htmx): every number it states."""
    objective = access_objective_with_key_results(access, slug)
    form = KeyResultForm(request.POST, access=access, objective=objective)
    form.is_valid()
    typed = {name: form.cleaned_data.get(name) for name in ("title", "baseline", "unit")}
    typed["target"] = form.cleaned_data.get("target")
    note = fill_measure(typed, only_empty=request.POST.get("fill") != "all")
    data = request.POST.copy()
    for name in ("baseline", "target", "unit"):
        value = typed.get(name)
        data[name] = "" if value is None else f"{value:g}" if isinstance(value, float) else value
    filled = KeyResultForm(data, access=access, objective=objective)
    context = {
        "form": filled,
        "note": note,
        "read": True,
        "objective": objective,
        "organization": access.organization,
    }
    return render(request, "web/key_result_form.html#measure", context)


def _initiative_page(
    request: HttpRequest,
    access: Access,
    objective: Objective,
    form: Any,
    initiative: Initiative | None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "initiative": initiative,
        "form": form,
    }
    return render(request, "web/draft_initiative.html", context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def initiative_moves(
    request: HttpRequest, access: Access, slug: str, initiative: int
) -> HttpResponse:
    """Choose the key results an initiative is expected to move."""
    objective = access_objective_with_key_results(access, slug)
    found = access_initiative_of(access, objective, initiative)
    if request.method != "POST" or not access.can_write:
        initial = {"moves": [kr.pk for kr in found.moves.all()]}
        form = InitiativeMovesForm(access=access, objective=objective, initial=initial)
        return _initiative_page(request, access, objective, form, found)
    form = InitiativeMovesForm(request.POST, access=access, objective=objective)
    if form.is_valid():
        do_set_initiative_moves(access, found, list(form.cleaned_data["moves"]), request.user)
        messages.success(request, f"Saved what “{found.title}” is expected to move.")
        return redirect(_objective_url(access, slug, f"initiative-{found.pk}"))
    return _initiative_page(request, access, objective, form, found, status=422)
