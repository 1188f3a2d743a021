"""The objective page, its edit form and the check-in form of each key result."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.okrs.access import access_key_result, access_objective
from constellation.server.okrs.actions import do_edit_objective
from constellation.server.orgs.access import Access
from constellation.server.tracking.actions import CheckInError, do_check_in
from constellation.server.web.forms import CheckInForm, ObjectiveForm, add_action_error
from constellation.server.web.htmx import HtmxHttpRequest
from constellation.server.web.views.objective_page import history_page, objective_context
from constellation.server.web.views.permissions import org_view

PAGE = "web/objective.html"


def _objective_url(access: Access, slug: str, anchor: str = "") -> str:
    url = reverse("objective", kwargs={"org": access.organization.slug, "slug": slug})
    return f"{url}#{anchor}" if anchor else url


@org_view()
def objective(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/`."""
    return render(request, PAGE, objective_context(access, slug))


@org_view()
def objective_history(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/history/?page=N`: every change, newest first."""
    objective = access_objective(access, slug)
    page, entries = history_page(access, objective, request.GET.get("page"))
    context = {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "page": page,
        "entries": entries,
    }
    return render(request, "web/objective_history.html", context)


# GET too: after a refused form the address bar shows this URL, and opening it again
# should lead back to the page, not to an error.
@org_view(write=True, methods=("GET", "HEAD", "POST"))
def edit_objective(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """Save the edit form, refusing an edit that started from an older version."""
    saved = access_objective(access, slug)
    if request.method != "POST":
        return redirect(_objective_url(access, slug, "edit"))
    form = ObjectiveForm(request.POST)
    status = 422
    if form.is_valid():
        try:
            changed = do_edit_objective(
                access,
                saved,
                form.objective_edit(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
                reason=form.cleaned_data.get("reason") or "",
            )
        except Conflict as conflict:
            status = 409
            form.add_error(
                None,
                f"{conflict.message} What you typed is kept below and the page shows the "
                "saved version: save again to replace it with yours.",
            )
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, "Saved." if changed else "Nothing to save: no change.")
            return redirect(_objective_url(access, slug))
    context = objective_context(access, slug, edit_form=form)
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def check_in(request: HtmxHttpRequest, access: Access, slug: str, kr: str) -> HttpResponse:
    """Record a check-in; with htmx answer with the key result's row, else redirect."""
    key_result = access_key_result(access, f"{slug}/{kr}")
    if request.method != "POST":
        return redirect(_objective_url(access, slug, f"kr-{key_result.slug}"))
    form = CheckInForm(request.POST, key_result=key_result)
    if form.is_valid():
        try:
            do_check_in(access, key_result, form.check_in_input(), request.user)
        except CheckInError as error:
            field = error.field if error.field in form.fields else None
            form.add_error(field, str(error))
    if form.is_valid():
        if not request.htmx:
            messages.success(request, f"Check-in recorded for “{key_result.title}”.")
            return redirect(_objective_url(access, slug, f"kr-{key_result.slug}"))
        context = objective_context(access, slug)
        status = 200
    else:
        context = objective_context(access, slug, check_in_forms={key_result.pk: form})
        status = 422
    if not request.htmx:
        return render(request, PAGE, context, status=status)
    context["item"] = next(i for i in context["items"] if i.key_result.pk == key_result.pk)
    context["saved"] = status == 200
    return render(request, f"{PAGE}#check_in_response", context, status=status)
