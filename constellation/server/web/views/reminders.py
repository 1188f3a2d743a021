"""`/o/<org>/settings/reminders/`: when check-in reminders and team digests go out."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from constellation.server.errors import Conflict
from constellation.server.orgs.access import Access
from constellation.server.tracking.access import recent_reminder_slots
from constellation.server.tracking.actions import CadenceError, do_set_cadence
from constellation.server.tracking.cadence import cadence_of, now, time_zone_names
from constellation.server.tracking.forms import CadenceForm
from constellation.server.web.forms import add_action_error
from constellation.server.web.views.permissions import forbidden, org_view

ADMIN_MESSAGE = (
    "Only admins of the organisation can change when reminders are sent. "
    "Ask an admin to change the cadence."
)


def _save(request: HttpRequest, access: Access, form: CadenceForm) -> int:
    """Save a valid form; the status to answer with (0 when saved)."""
    if not form.is_valid():
        return 422
    try:
        do_set_cadence(
            access,
            form.cadence(),
            expected_version=form.cleaned_data["version"],
            actor=request.user,
        )
    except CadenceError as error:
        add_action_error(form, error)
        return 422
    except Conflict as conflict:
        form.add_error(None, f"{conflict.message} Reload the page to see it, then try again.")
        return 409
    return 0


def _context(access: Access, form: CadenceForm) -> dict[str, Any]:
    cadence = cadence_of(access.organization)
    recent = recent_reminder_slots(access, 5)
    return {
        "access": access,
        "organization": access.organization,
        "form": form,
        "cadence": cadence,
        "next_slot": cadence.next_slot(now()).astimezone(cadence.zone),
        "recent": [(row["slot"].astimezone(cadence.zone), row["people"]) for row in recent],
        "time_zones": time_zone_names(),
    }


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def reminder_settings(request: HttpRequest, access: Access) -> HttpResponse:
    """The cadence and when the next reminders go; admins change it here."""
    status = 200
    if request.method == "POST":
        if not access.is_admin:
            return forbidden(request, access, ADMIN_MESSAGE)
        form = CadenceForm(request.POST)
        status = _save(request, access, form)
        if status == 0:
            cadence = cadence_of(access.organization).describe()
            messages.success(request, f"Saved: reminders now go out every {cadence}.")
            return redirect("reminder-settings", org=access.organization.slug)
    else:
        form = CadenceForm.of(cadence_of(access.organization))
    context = _context(access, form)
    return render(request, "web/reminder_settings.html", context, status=status)
