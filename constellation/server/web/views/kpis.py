"""KPI pages: the list, a KPI with its chart, its definition, readings, uploads, promotion."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, Conflict
from constellation.server.kpis.access import (
    access_kpi,
    can_manage_kpis,
    kpis_of,
    promotable_objectives,
)
from constellation.server.kpis.actions import (
    LEADERS_ONLY,
    ReadingRow,
    do_add_reading,
    do_create_kpi,
    do_delete_kpi,
    do_promote_kpi,
    do_record_readings,
    do_update_kpi,
    kpi_uses,
)
from constellation.server.kpis.models import Kpi
from constellation.server.kpis.readings_csv import CsvProblems, readings_from_upload
from constellation.server.orgs.access import Access, teams_of
from constellation.server.web.draft_forms import PivotForm
from constellation.server.web.forms import add_action_error
from constellation.server.web.kpi_forms import KpiForm, PromoteForm, ReadingForm, UploadForm
from constellation.server.web.views.kpi_page import kpi_context, list_context
from constellation.server.web.views.permissions import forbidden, org_view

LIST = "web/kpi_list.html"
PAGE = "web/kpi.html"
NEW = "web/kpi_form.html"


def _kpi_url(access: Access, slug: str, anchor: str = "") -> str:
    url = reverse("kpi", kwargs={"org": access.organization.slug, "kpi": slug})
    return f"{url}#{anchor}" if anchor else url


@org_view()
def kpi_list(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/kpis/`: every KPI with its latest reading, health and a sparkline."""
    return render(request, LIST, list_context(access))


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def new_kpi(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/kpis/new/`: define a KPI (leaders and admins)."""
    if not can_manage_kpis(access):
        if request.method != "POST":
            # Opened from a bookmark by someone who may not define KPIs: back to the list.
            messages.info(request, LEADERS_ONLY)
            return redirect("kpis", org=access.organization.slug)
        return forbidden(request, access, LEADERS_ONLY)
    form = KpiForm(request.POST or None, teams=list(teams_of(access)))
    status = 200
    if request.method == "POST":
        status = 422
        if form.is_valid():
            try:
                kpi = do_create_kpi(access, form.kpi_input(), request.user)
            except ActionError as error:
                add_action_error(form, error)
            else:
                messages.success(request, f"KPI “{kpi.title}” created.")
                return redirect(_kpi_url(access, kpi.slug))
    context = {"access": access, "organization": access.organization, "form": form}
    return render(request, NEW, context, status=status)


@org_view()
def kpi_page(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """`/o/<org>/kpis/<kpi>/?period=KEY`: the chart, readings and what the KPI feeds."""
    found = access_kpi(access, kpi)
    return render(request, PAGE, kpi_context(request, access, found))


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def edit_kpi(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """Save the KPI's definition, refusing an edit that started from an older version."""
    found = access_kpi(access, kpi)
    if request.method != "POST":
        return redirect(_kpi_url(access, found.slug, "edit"))
    if not can_manage_kpis(access):
        return forbidden(request, access, LEADERS_ONLY)
    form = KpiForm(request.POST, teams=list(teams_of(access)))
    status = 422
    if form.is_valid():
        try:
            changes = do_update_kpi(
                access,
                found,
                form.kpi_input(),
                expected_version=form.cleaned_data.get("version") or 0,
                actor=request.user,
            )
        except Conflict as conflict:
            status = 409
            form.add_error(
                None,
                f"{conflict.message} What you typed is kept below and the page shows the saved "
                "version: save again to replace it with yours.",
            )
            form.with_version(conflict.current_version)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, "Saved." if changes else "Nothing to save: no change.")
            return redirect(_kpi_url(access, found.slug))
    context = kpi_context(request, access, found, edit_form=form)
    return render(request, PAGE, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def add_reading(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """Record one reading typed by hand (replacing that day's, if any)."""
    found = access_kpi(access, kpi)
    if request.method != "POST":
        return redirect(_kpi_url(access, found.slug, "add-reading"))
    form = ReadingForm(request.POST, kpi=found)
    if form.is_valid():
        try:
            data = form.cleaned_data
            result = do_add_reading(access, found, data["date"], data["value"], request.user)
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(request, result.summary())
            return redirect(_kpi_url(access, found.slug))
    context = kpi_context(request, access, found, reading_form=form)
    return render(request, PAGE, context, status=422)


def _uploaded(access: Access, form: UploadForm, kpi: Kpi | None) -> list[ReadingRow]:
    """The file's readings, else CsvProblems naming every bad line."""
    kpis = {row.slug: row for row in kpis_of(access)} if kpi is None else {}
    return readings_from_upload(form.cleaned_data["file"].read(), kpi=kpi, kpis=kpis)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def upload_readings(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """Save a CSV file of one KPI's readings, all or nothing."""
    found = access_kpi(access, kpi)
    if request.method != "POST":
        return redirect(_kpi_url(access, found.slug, "upload"))
    form = UploadForm(request.POST, request.FILES)
    problems: list[str] = []
    if form.is_valid():
        try:
            rows = _uploaded(access, form, found)
            result = do_record_readings(access, rows, request.user, source="csv")
        except CsvProblems as refused:
            problems = refused.lines
            form.add_error("file", "The file was refused and nothing was saved: see below.")
        except ActionError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, result.summary())
            return redirect(_kpi_url(access, found.slug))
    context = kpi_context(request, access, found, upload_form=form, upload_problems=problems)
    return render(request, PAGE, context, status=422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def upload_many(request: HttpRequest, access: Access) -> HttpResponse:
    """Save a CSV file of several KPIs' readings (`kpi,date,value`), all or nothing."""
    if request.method != "POST":
        return redirect(reverse("kpis", kwargs={"org": access.organization.slug}) + "#upload")
    form = UploadForm(request.POST, request.FILES, many=True)
    problems: list[str] = []
    if form.is_valid():
        try:
            rows = _uploaded(access, form, None)
            result = do_record_readings(access, rows, request.user, source="csv")
        except CsvProblems as refused:
            problems = refused.lines
            form.add_error("file", "The file was refused and nothing was saved: see below.")
        except ActionError as error:
            form.add_error("file", error.message)
        else:
            messages.success(request, result.summary())
            return redirect("kpis", org=access.organization.slug)
    context = list_context(access, upload_form=form, upload_problems=problems)
    return render(request, LIST, context, status=422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def promote(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """Make the KPI a key result of one of the period's objectives (leaders and admins)."""
    found = access_kpi(access, kpi)
    if request.method != "POST":
        return redirect(_kpi_url(access, found.slug, "promote"))
    if not can_manage_kpis(access):
        return forbidden(request, access, LEADERS_ONLY)
    context = kpi_context(request, access, found)
    form = PromoteForm(
        request.POST, objectives=promotable_objectives(access, found, context["period"])
    )
    if form.is_valid():
        data = form.cleaned_data
        try:
            key_result = do_promote_kpi(
                access,
                found,
                form.chosen(),
                target=data["target"],
                actor=request.user,
                title=data.get("title") or "",
                reason=data.get("reason") or "",
            )
        except ActionError as error:
            add_action_error(form, error)
        else:
            messages.success(
                request,
                f"“{key_result.title}” is now a key result of “{form.chosen().title}”; "
                f"new readings of {found.title} feed it.",
            )
            url = reverse(
                "objective", kwargs={"org": access.organization.slug, "slug": form.chosen().slug}
            )
            return redirect(f"{url}#kr-{key_result.slug}")
    context["promote_form"] = form
    return render(request, PAGE, context, status=422)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def delete_kpi(request: HttpRequest, access: Access, kpi: str) -> HttpResponse:
    """`/o/<org>/kpis/<kpi>/delete/`: what uses the KPI, then its delete (a reason when a
    launched objective is guarded or fed by it)."""
    found = access_kpi(access, kpi)
    if request.method != "POST":
        form = PivotForm(initial={"version": found.version})
        return _delete_page(request, access, found, form, 200)
    if not can_manage_kpis(access):
        return forbidden(request, access, LEADERS_ONLY)
    form = PivotForm(request.POST)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    status = 422
    try:
        do_delete_kpi(
            access,
            found,
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
        messages.success(request, f"KPI “{found.title}” deleted.")
        return redirect(reverse("kpis", kwargs={"org": access.organization.slug}))
    return _delete_page(request, access, found, form, status)


def _delete_page(
    request: HttpRequest, access: Access, kpi: Kpi, form: PivotForm, status: int
) -> HttpResponse:
    form.fields[
        "reason"
    ].help_text = (
        "A launched objective uses this KPI: say why it goes; the reason is kept in its history."
    )
    context = {
        "access": access,
        "organization": access.organization,
        "kpi": kpi,
        "uses": kpi_uses(kpi),
        "form": form,
        "may_delete": can_manage_kpis(access),
    }
    return render(request, "web/kpi_delete.html", context, status=status)
