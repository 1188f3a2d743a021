"""The strategy workspace of a year: vision and mission, levers, and the roadmap under them.

Everyone in the organisation reads it; leaders and admins change it. Every form posts to its
own address and, when refused, the whole page comes back with what was typed and the error
next to the field.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from constellation.server.errors import ActionError, Conflict, NotFound
from constellation.server.orgs.access import Access
from constellation.server.strategy import actions
from constellation.server.strategy.access import (
    access_lever,
    access_roadmap_item,
    active_levers,
    can_edit_strategy,
    next_year_open,
    valid_year,
    workspace,
)
from constellation.server.strategy.models import Lever, RoadmapItem
from constellation.server.web.forms import add_action_error
from constellation.server.web.strategy_forms import LeverForm, RoadmapItemForm, StrategyForm
from constellation.server.web.views.permissions import forbidden, org_view

PAGE = "web/strategy.html"
POST = ("GET", "HEAD", "POST")
STALE = (
    " What you typed is kept below and the page shows the saved version: "
    "save again to replace it with yours."
)


def _year(year: int) -> int:
    if not valid_year(year):
        raise NotFound("No strategy for that year")
    return year


def _url(access: Access, year: int, anchor: str = "") -> str:
    url = reverse("strategy-year", kwargs={"org": access.organization.slug, "year": year})
    return f"{url}#{anchor}" if anchor else url


def _context(access: Access, year: int, **forms: Any) -> dict[str, Any]:
    """The workspace with a form for each thing a leader may change (bound ones kept)."""
    space = workspace(access.organization, year)
    today = timezone.localdate()
    active = [plan.lever for plan in space.levers]
    lever_forms = forms.pop("lever_forms", {})
    item_forms = forms.pop("item_forms", {})
    editable = can_edit_strategy(access)
    plans = [*space.levers, *space.retired]
    for plan in plans:
        if editable:
            plan.form = lever_forms.get(plan.lever.pk) or LeverForm.for_lever(plan.lever)
    for item in [*(item for plan in plans for item in plan.items), *space.unlinked]:
        form = item_forms.get(item.pk) or RoadmapItemForm.for_item(item, year, active)
        # The template reads each row's form from the row: an attribute the model leaves undeclared.
        item.form = form  # type: ignore[attr-defined]
    return {
        "access": access,
        "organization": access.organization,
        "space": space,
        "year": year,
        "years": [year - 1, year + 1],
        "next_year": (next_year_open(access.organization, today) if year == today.year else None),
        "can_edit": editable,
        "strategy_form": forms.get("strategy_form")
        or StrategyForm.for_strategy(space.strategy, space.carried_from),
        "new_lever_form": forms.get("new_lever_form") or LeverForm(initial={"version": 0}),
        "new_item_form": forms.get("new_item_form")
        or RoadmapItemForm(initial={"version": 0}, year=year, levers=active),
        "open": forms.get("open", ""),
    }


def _refused(request: HttpRequest, access: Access, year: int, status: int, **forms: Any) -> Any:
    return render(request, PAGE, _context(access, year, **forms), status=status)


def _guard(request: HttpRequest, access: Access) -> HttpResponse | None:
    """A 403 page for a member who may read the strategy but not change it."""
    if can_edit_strategy(access):
        return None
    return forbidden(request, access, actions.STRATEGISTS_ONLY)


@org_view()
def strategy_home(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/strategy/`: this year's workspace."""
    return redirect(_url(access, timezone.localdate().year))


@org_view()
def strategy_year(request: HttpRequest, access: Access, year: int) -> HttpResponse:
    """`/o/<org>/strategy/<year>/`: vision, mission, levers and roadmap of the year."""
    return render(request, PAGE, _context(access, _year(year)))


@org_view(write=True, methods=POST)
def save_strategy(request: HttpRequest, access: Access, year: int) -> HttpResponse:
    """Save the year's vision and mission, refusing an edit begun on an older version."""
    year = _year(year)
    if request.method != "POST":
        return redirect(_url(access, year, "vision"))
    if (refusal := _guard(request, access)) is not None:
        return refusal
    form = StrategyForm(request.POST)
    status = 422
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.do_save_strategy(
                access,
                year,
                vision=data["vision"],
                mission=data["mission"],
                expected_version=data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + STALE)
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Vision and mission of {year} saved.")
            return redirect(_url(access, year, "vision"))
    return _refused(request, access, year, status, strategy_form=form)


@org_view(write=True, methods=POST)
def create_lever(request: HttpRequest, access: Access, year: int) -> HttpResponse:
    """Add a lever (a strategic bet)."""
    year = _year(year)
    if request.method != "POST":
        return redirect(_url(access, year, "levers"))
    if (refusal := _guard(request, access)) is not None:
        return refusal
    form = LeverForm(request.POST)
    if form.is_valid():
        try:
            lever = actions.do_create_lever(access, **form.changes(), actor=request.user)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"Lever “{lever.title}” added.")
            return redirect(_url(access, year, f"lever-{lever.slug}"))
    return _refused(request, access, year, 422, new_lever_form=form, open="new-lever")


@org_view(write=True, methods=POST)
def edit_lever(request: HttpRequest, access: Access, year: int, lever: str) -> HttpResponse:
    """Save a lever's edit, or retire it (`retire`) or bring it back (`restore`)."""
    year = _year(year)
    saved = access_lever(access, lever)
    if request.method != "POST":
        return redirect(_url(access, year, f"lever-{saved.slug}"))
    if (refusal := _guard(request, access)) is not None:
        return refusal
    form = LeverForm(request.POST, prefix_id=f"lever-{saved.pk}")
    retiring = request.POST.get("action") in {"retire", "restore"}
    if retiring:
        form.fields["title"].required = False  # the button sends only the version
    status = 422
    if form.is_valid():
        if retiring:
            changes: dict[str, Any] = {"retired": request.POST["action"] == "retire"}
        else:
            changes = form.changes(saved)
        try:
            actions.do_update_lever(
                access,
                saved,
                changes,
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + STALE)
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, _lever_message(saved, changes))
            return redirect(_url(access, year, f"lever-{saved.slug}"))
    return _refused(
        request, access, year, status, lever_forms={saved.pk: form}, open=f"lever-{saved.pk}"
    )


def _lever_message(lever: Lever, changes: dict[str, Any]) -> str:
    if "retired" in changes:
        done = "retired" if changes["retired"] else "brought back into the strategy"
        return f"Lever “{lever.title}” {done}."
    return f"Lever “{lever.title}” saved." if changes else "Nothing to save: no change."


def _item_changes(access: Access, form: RoadmapItemForm) -> dict[str, Any]:
    """The form's values as the roadmap actions take them (a lever row, a period key)."""
    data = form.cleaned_data
    lever = access_lever(access, data["lever"]) if data["lever"] else None
    return {
        "title": data["title"],
        "lever": lever,
        "period": data["period"] or None,
        "status": data["status"],
    }


def _changed(item: RoadmapItem, changes: dict[str, Any]) -> dict[str, Any]:
    """Only the values that differ from the saved item."""
    saved = {
        "title": item.title,
        "lever": item.lever_id,
        "period": item.period.key if item.period else None,
        "status": item.status,
    }
    typed = {**changes, "lever": changes["lever"].pk if changes["lever"] else None}
    return {name: changes[name] for name in changes if typed[name] != saved[name]}


@org_view(write=True, methods=POST)
def create_item(request: HttpRequest, access: Access, year: int) -> HttpResponse:
    """Put a piece of work on the roadmap."""
    year = _year(year)
    if request.method != "POST":
        return redirect(_url(access, year, "roadmap"))
    if (refusal := _guard(request, access)) is not None:
        return refusal
    form = RoadmapItemForm(request.POST, year=year, levers=active_levers(access.organization))
    if form.is_valid():
        try:
            item = actions.do_create_roadmap_item(
                access, **_item_changes(access, form), actor=request.user
            )
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"“{item.title}” is on the roadmap.")
            return redirect(_url(access, year, f"item-{item.pk}"))
    return _refused(request, access, year, 422, new_item_form=form, open="new-item")


@org_view(write=True, methods=POST)
def edit_item(request: HttpRequest, access: Access, year: int, item: int) -> HttpResponse:
    """Edit a roadmap item: move it to another lever or quarter, change its status."""
    year = _year(year)
    saved = access_roadmap_item(access, item)
    if request.method != "POST":
        return redirect(_url(access, year, f"item-{saved.pk}"))
    if (refusal := _guard(request, access)) is not None:
        return refusal
    levers = active_levers(access.organization)
    form = RoadmapItemForm(request.POST, year=year, levers=levers, item=saved)
    status = 422
    if form.is_valid():
        try:
            actions.do_update_roadmap_item(
                access,
                saved,
                _changed(saved, _item_changes(access, form)),
                expected_version=form.cleaned_data["version"],
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(None, conflict.message + STALE)
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, f"“{saved.title}” saved.")
            return redirect(_url(access, year, f"item-{saved.pk}"))
    return _refused(
        request, access, year, status, item_forms={saved.pk: form}, open=f"item-{saved.pk}"
    )
