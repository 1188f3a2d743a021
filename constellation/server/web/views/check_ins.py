"""Correcting and deleting a check-in from the objective page's history (its author or an
admin), each behind its own page: the correction's form, the delete's confirmation."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import Conflict
from constellation.server.okrs.access import access_key_result
from constellation.server.orgs.access import Access
from constellation.server.tracking.access import access_check_in
from constellation.server.tracking.actions import (
    CheckInError,
    do_delete_check_in,
    do_edit_check_in,
)
from constellation.server.tracking.models import CheckIn
from constellation.server.web.check_in_forms import CheckInCorrectionForm, CheckInDeleteForm
from constellation.server.web.views.permissions import org_view

PAGE = "web/check_in_correct.html"


def _back(access: Access, check_in: CheckIn) -> str:
    """The objective page, at the key result's row."""
    key_result = check_in.key_result
    url = reverse(
        "objective", kwargs={"org": access.organization.slug, "slug": key_result.objective.slug}
    )
    return f"{url}#kr-{key_result.slug}"


def _found(access: Access, slug: str, kr: str, pk: int) -> CheckIn:
    return access_check_in(access, access_key_result(access, f"{slug}/{kr}"), pk)


def _page(
    request: HttpRequest, access: Access, check_in: CheckIn, form: Any, action: str, status: int
) -> HttpResponse:
    context = {
        "access": access,
        "organization": access.organization,
        "check_in": check_in,
        "key_result": check_in.key_result,
        "objective": check_in.key_result.objective,
        "form": form,
        "action": action,
        "may_correct": access.can_write
        and (access.is_admin or check_in.author_id == access.user_id),
    }
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def correct_check_in(
    request: HttpRequest, access: Access, slug: str, kr: str, check_in: int
) -> HttpResponse:
    """`…/check-ins/<id>/correct/`: the check-in's form; saved through `do_edit_check_in`."""
    found = _found(access, slug, kr, check_in)
    if request.method != "POST":
        return _page(request, access, found, CheckInCorrectionForm.of(found), "correct", 200)
    form = CheckInCorrectionForm(request.POST, key_result=found.key_result)
    status = 422
    if form.is_valid():
        try:
            changed = do_edit_check_in(
                access,
                found,
                form.check_in_edit(),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            form.add_error(None, conflict.message)
            status = 409
        except CheckInError as error:
            form.add_error(error.field if error.field in form.fields else None, str(error))
        else:
            messages.success(request, "Check-in corrected." if changed else "No change to save.")
            return redirect(_back(access, found))
    return _page(request, access, found, form, "correct", status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def delete_check_in(
    request: HttpRequest, access: Access, slug: str, kr: str, check_in: int
) -> HttpResponse:
    """`…/check-ins/<id>/delete/`: asks first; deleted through `do_delete_check_in`."""
    found = _found(access, slug, kr, check_in)
    if request.method != "POST":
        form = CheckInDeleteForm(initial={"version": found.version})
        return _page(request, access, found, form, "delete", 200)
    form = CheckInDeleteForm(request.POST)
    form.is_valid()
    try:
        do_delete_check_in(
            access,
            found,
            expected_version=form.cleaned_data.get("version") or 0,
            actor=request.user,
        )
    except Conflict as conflict:
        form.add_error(None, conflict.message)
        return _page(request, access, found, form, "delete", 409)
    messages.success(request, "Check-in deleted.")
    return redirect(_back(access, found))
