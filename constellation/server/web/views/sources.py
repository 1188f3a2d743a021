"""Automatic updates: the data source of a key result or a KPI, set up, tested and removed.

One page per key result or KPI holds the source's status (everyone who may see it) and its
form (who may check in on the key result, or edit the KPI); the objective page's drawer and
the KPI page post their forms here. "Test now" reads the number the source would record and
shows it, recording nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict, NotFound
from constellation.server.kpis.access import access_kpi
from constellation.server.kpis.models import Kpi
from constellation.server.okrs.access import access_key_result
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import Access
from constellation.server.sources.access import (
    find_key_result_source,
    find_kpi_source,
    may_manage_source,
)
from constellation.server.sources.actions import (
    do_remove_source,
    do_set_source,
    test_source,
)
from constellation.server.sources.models import DataSource
from constellation.server.sources.problems import SourceError
from constellation.server.web.forms import add_action_error
from constellation.server.web.source_forms import SourceForm
from constellation.server.web.views.permissions import org_view

PAGE = "web/source.html"


@dataclass(slots=True)
class Target:
    """What a source feeds: a key result or a KPI, with its title and page."""

    title: str
    page: str
    action: str
    key_result: KeyResult | None = None
    kpi: Kpi | None = None


def key_result_target(access: Access, key_result: KeyResult) -> Target:
    """A key result as the source page names it."""
    org, objective = access.organization.slug, key_result.objective.slug
    page = reverse("objective", kwargs={"org": org, "slug": objective})
    action = reverse(
        "key-result-source", kwargs={"org": org, "slug": objective, "kr": key_result.slug}
    )
    return Target(key_result.title, f"{page}#kr-{key_result.slug}", action, key_result=key_result)


def kpi_target(access: Access, kpi: Kpi) -> Target:
    """A KPI as the source page names it."""
    org = access.organization.slug
    page = reverse("kpi", kwargs={"org": org, "kpi": kpi.slug})
    action = reverse("kpi-source", kwargs={"org": org, "kpi": kpi.slug})
    return Target(kpi.title, f"{page}#automatic-updates", action, kpi=kpi)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def key_result_source(request: HttpRequest, access: Access, slug: str, kr: str) -> HttpResponse:
    """`/o/<org>/objectives/<slug>/key-results/<kr>/source/`: the key result's source."""
    key_result = access_key_result(access, f"{slug}/{kr}")
    saved = find_key_result_source(access, key_result)
    return _source_page(request, access, key_result_target(access, key_result), saved)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def kpi_source(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """`/o/<org>/kpis/<kpi>/source/`: the KPI's source."""
    found = access_kpi(access, kpi)
    saved = find_kpi_source(access, found)
    return _source_page(request, access, kpi_target(access, found), saved)


def _source_page(
    request: HttpRequest, access: Access, target: Target, saved: DataSource | None
) -> HttpResponse:
    """Show the source; on POST save it, test it ("Test now") or remove it."""
    form = SourceForm(request.POST or None, saved=saved, prefix_id="source")
    context: dict[str, Any] = {}
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        if action == "remove":
            return _remove(request, access, target, saved)
        status = 422
        if form.is_valid():
            if action == "test":
                status = _test(access, target, saved, form, context)
            else:
                done = _save(request, access, target, saved, form)
                if done is not None:
                    return done
                status = 409 if form.non_field_errors() and saved is not None else 422
    return render(request, PAGE, _context(access, target, saved, form, context), status=status)


def _context(
    access: Access, target: Target, saved: DataSource | None, form: SourceForm, extra: dict
) -> dict[str, Any]:
    return {
        "access": access,
        "organization": access.organization,
        "target": target,
        "source": saved,
        "source_form": form,
        "can_manage_source": may_manage_source(access, target.key_result, target.kpi),
        **extra,
    }


def _test(
    access: Access,
    target: Target,
    saved: DataSource | None,
    form: SourceForm,
    context: dict[str, Any],
) -> int:
    """Read the number with the form's values (stored secrets when left empty); record nothing."""
    try:
        context["tested"] = test_source(
            access, form.source_input(), key_result=target.key_result, kpi=target.kpi, saved=saved
        )
    except SourceError as error:
        context["test_error"] = str(error)
    except ActionError as error:
        add_action_error(form, error)
        return 422
    # Secrets are never sent back to the page: one typed for the test is typed again to save.
    context["retype_secret"] = bool(
        form.cleaned_data.get("header_value") or form.cleaned_data.get("database_url")
    )
    return 200


def _save(
    request: HttpRequest,
    access: Access,
    target: Target,
    saved: DataSource | None,
    form: SourceForm,
) -> HttpResponse | None:
    """Save the source and go back to what it feeds; None when refused (errors on the form)."""
    try:
        do_set_source(
            access,
            form.source_input(),
            key_result=target.key_result,
            kpi=target.kpi,
            expected_version=form.cleaned_data.get("version"),
            actor=request.user,
        )
    except ActionError as error:
        add_action_error(form, error)
        return None
    except Conflict as conflict:
        form.add_error(None, conflict.message)
        return None
    messages.success(
        request,
        f"Automatic updates saved for “{target.title}”: the worker reads it within minutes.",
    )
    return redirect(target.page)


def _remove(
    request: HttpRequest, access: Access, target: Target, saved: DataSource | None
) -> HttpResponse:
    if saved is None:
        raise NotFound("No data source to remove")
    raw = request.POST.get("version", "")
    try:
        do_remove_source(
            access,
            saved,
            expected_version=int(raw) if raw.isdigit() else None,
            actor=request.user,
        )
    except Conflict as conflict:
        messages.error(request, conflict.message)
        return redirect(target.action)
    messages.success(request, f"Automatic updates of “{target.title}” removed.")
    return redirect(target.page)
