"""An objective's initiatives in the browser: added, edited and deleted from drawers on the
objective's page (htmx swaps the section), or from a page of their own without script.

Each write goes through `okrs.initiatives`' one door. A refused form comes back with what was
typed and the error next to its field: in its open drawer (htmx), or on the initiative's page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.access import access_initiative_of, access_objective_with_initiatives
from constellation.server.okrs.initiatives import (
    do_create_initiative,
    do_delete_initiative,
    do_update_initiative,
)
from constellation.server.okrs.models import Initiative, Objective
from constellation.server.orgs.access import Access
from constellation.server.web.forms import add_action_error, with_value
from constellation.server.web.htmx import HtmxHttpRequest
from constellation.server.web.initiative_forms import Choices, DeleteInitiativeForm, InitiativeForm
from constellation.server.web.views.permissions import org_view

SECTION = "web/_initiatives.html"
PAGE = "web/initiative_form.html"
CONFLICT_NOTE = " What you typed is kept below: save again to apply it over their change."


@dataclass(slots=True)
class InitiativeItem:
    """An initiative on the objective's page with its edit and delete forms."""

    initiative: Initiative
    form: InitiativeForm | None = None
    delete_form: DeleteInitiativeForm | None = None


def initiatives_context(
    access: Access,
    objective: Objective,
    *,
    bound: dict[int, Any] | None = None,
    new_form: InitiativeForm | None = None,
    note: str = "",
) -> dict[str, Any]:
    """What the initiatives section shows; `bound` holds refused forms by initiative id (an
    edit or a delete form), `new_form` a refused new one. One query more than the objective
    (its people), whatever the number of initiatives and links."""
    bound = bound or {}
    items = [InitiativeItem(i) for i in objective.initiatives.all()]
    choices = None
    if access.can_write:
        choices = Choices.read(access, objective)
        for item in items:
            refused = bound.get(item.initiative.pk)
            item.form = refused if isinstance(refused, InitiativeForm) else None
            item.form = item.form or InitiativeForm(choices=choices, initiative=item.initiative)
            item.delete_form = (
                refused
                if isinstance(refused, DeleteInitiativeForm)
                else DeleteInitiativeForm(initiative=item.initiative)
            )
        new_form = new_form or InitiativeForm(choices=choices)
    return {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "initiative_items": items,
        "new_initiative_form": new_form,
        "initiatives_note": note,
    }


def _objective_url(access: Access, slug: str, anchor: str = "") -> str:
    url = reverse("objective", kwargs={"org": access.organization.slug, "slug": slug})
    return f"{url}#{anchor}" if anchor else url


def _done(
    request: HtmxHttpRequest, access: Access, slug: str, note: str, anchor: str
) -> HttpResponse:
    """After a write: the fresh section (htmx), or back to the objective's page."""
    if request.htmx:
        objective = access_objective_with_initiatives(access, slug)
        return render(request, SECTION, initiatives_context(access, objective, note=note))
    messages.success(request, note)
    return redirect(_objective_url(access, slug, anchor))


def _refused(
    request: HtmxHttpRequest,
    access: Access,
    objective: Objective,
    form: Any,
    initiative: Initiative | None,
    status: int,
) -> HttpResponse:
    """A refused form with what was typed: in its open drawer (htmx) or on its own page."""
    if request.htmx:
        if initiative is None:
            context = initiatives_context(access, objective, new_form=form)
        else:
            context = initiatives_context(access, objective, bound={initiative.pk: form})
        return render(request, SECTION, context, status=status)
    return _page(request, access, objective, form, initiative, status)


def _page(
    request: HtmxHttpRequest,
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
        "deleting": isinstance(form, DeleteInitiativeForm),
    }
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def new_initiative(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/draft/initiatives/new/`: work expected to move key results."""
    objective = access_objective_with_initiatives(access, slug)
    choices = Choices.read(access, objective)
    if request.method != "POST" or not access.can_write:
        return _page(request, access, objective, InitiativeForm(choices=choices), None)
    form = InitiativeForm(request.POST, choices=choices)
    if form.is_valid():
        try:
            created = do_create_initiative(access, objective, form.as_input(), request.user)
        except ActionError as error:
            add_action_error(form, error)
        else:
            note = f"Initiative “{created.title}” added."
            return _done(request, access, slug, note, f"initiative-{created.pk}")
    return _refused(request, access, objective, form, None, 422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def edit_initiative(
    request: HtmxHttpRequest, access: Access, slug: str, initiative: int
) -> HttpResponse:
    """Change an initiative's title, description, owner, status and links."""
    objective = access_objective_with_initiatives(access, slug)
    found = access_initiative_of(access, objective, initiative)
    choices = Choices.read(access, objective)
    if request.method != "POST" or not access.can_write:
        return _page(
            request, access, objective, InitiativeForm(choices=choices, initiative=found), found
        )
    form = InitiativeForm(request.POST, choices=choices, initiative=found)
    status = 422
    if form.is_valid():
        try:
            changed = do_update_initiative(
                access,
                found,
                form.as_edit(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + CONFLICT_NOTE)
            form.data = with_value(form.data, "version", str(conflict.current_version))
        except ActionError as error:
            add_action_error(form, error)
        else:
            note = f"Saved “{form.cleaned_data['title']}”." if changed else "Nothing to save."
            return _done(request, access, slug, note, f"initiative-{found.pk}")
    return _refused(request, access, objective, form, found, status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def delete_initiative(
    request: HtmxHttpRequest, access: Access, slug: str, initiative: int
) -> HttpResponse:
    """Delete an initiative (a launched objective's needs a reason)."""
    objective = access_objective_with_initiatives(access, slug)
    found = access_initiative_of(access, objective, initiative)
    if request.method != "POST" or not access.can_write:
        return _page(request, access, objective, DeleteInitiativeForm(initiative=found), found)
    form = DeleteInitiativeForm(request.POST, initiative=found)
    status = 422
    if form.is_valid():
        try:
            do_delete_initiative(
                access,
                found,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                reason=(form.cleaned_data.get("reason") or "").strip(),
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message)
            form.data = with_value(form.data, "version", str(conflict.current_version))
        except ActionError as error:
            add_action_error(form, error)
        else:
            return _done(
                request, access, slug, f"Initiative “{found.title}” deleted.", "initiatives"
            )
    return _refused(request, access, objective, form, found, status)
