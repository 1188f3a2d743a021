"""Spreadsheets on the web: a period's OKRs as XLSX or CSV, and the import page.

The import is two steps: an upload answers a preview of what would change (nothing saved),
and "Apply" writes it. Between the two the file waits on the server under the SHA-256 of its
content, and the person's session remembers which uploads are theirs: the apply form only
names the hash, the file is read back, its hash checked and everything checked again by the
same action (`do_import_sheet`), so nothing the browser sends is trusted.
"""

from __future__ import annotations

import hashlib
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import NotFound
from constellation.server.okrs.access import find_period, periods_of
from constellation.server.okrs.models import Period
from constellation.server.orgs.access import Access, find_team
from constellation.server.plans.sheets import (
    CHECK_IN_COLUMNS,
    CSV_TYPE,
    OKR_COLUMNS,
    XLSX_TYPE,
    export_tables,
    write_csv,
    write_xlsx,
)
from constellation.server.plans.sheets_import import SheetImport, do_import_sheet
from constellation.server.plans.sheets_read import SheetProblems
from constellation.server.web.sheets_forms import SheetApplyForm, SheetUploadForm
from constellation.server.web.views.permissions import forbidden, org_view
from constellation.server.web.views.rows import chosen_period

SESSION_KEY = "sheet_uploads"
# Uploads left unapplied are removed after a day; a session remembers its last few.
KEEP_SECONDS = 24 * 3600
KEEP_PER_SESSION = 5


def _upload_dir() -> Path:
    """Where previewed files wait to be applied."""
    folder = Path(settings.DATA_DIR) / "spreadsheet-imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _download(request: HttpRequest, access: Access, kind: str) -> HttpResponse:
    """One of the period's files (one team's, with `?team=`)."""
    period, _ = chosen_period(request, access)
    if period is None:
        raise NotFound("No period to export")
    team = find_team(access, request.GET.get("team") or None)
    if request.GET.get("team") and team is None:
        raise NotFound("No such team")
    tables = export_tables(access.organization, period, team)
    name = f"{access.organization.slug}-{period.key}" + (f"-{team.slug}" if team else "")
    if kind == "xlsx":
        content: str | bytes = write_xlsx(tables)
        media, name = XLSX_TYPE, f"{name}-okrs.xlsx"
    elif kind == "okrs":
        content, media, name = (
            write_csv(OKR_COLUMNS, tables.okr_rows()),
            CSV_TYPE,
            f"{name}-okrs.csv",
        )
    else:
        content, media = write_csv(CHECK_IN_COLUMNS, tables.check_ins), CSV_TYPE
        name = f"{name}-check-ins.csv"
    response = HttpResponse(content, content_type=media)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@org_view()
def export_xlsx(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/exports/okrs.xlsx?period=KEY&team=ID`: the workbook."""
    return _download(request, access, "xlsx")


@org_view()
def export_csv(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/exports/okrs.csv`: objectives and key results, the importable table."""
    return _download(request, access, "okrs")


@org_view()
def export_check_ins(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/exports/check-ins.csv`: the period's check-ins."""
    return _download(request, access, "check-ins")


def _keep(request: HttpRequest, access: Access, data: bytes, name: str, period: str) -> str:
    """Store an uploaded file for the apply step; its hash is its name."""
    digest = hashlib.sha256(data).hexdigest()
    folder = _upload_dir()
    now = time.time()
    for old in folder.glob("*.upload"):
        if now - old.stat().st_mtime > KEEP_SECONDS:
            old.unlink(missing_ok=True)
    (folder / f"{digest}.upload").write_bytes(data)
    kept = [u for u in request.session.get(SESSION_KEY, []) if u["hash"] != digest]
    kept.append({"hash": digest, "name": name, "org": access.organization.slug, "period": period})
    request.session[SESSION_KEY] = kept[-KEEP_PER_SESSION:]
    return digest


def _kept(request: HttpRequest, access: Access, digest: str) -> tuple[bytes, str, str] | None:
    """A file this session uploaded to this organisation, if it is still there and whole:
    its content, name and the period it was previewed for."""
    for upload in request.session.get(SESSION_KEY, []):
        if upload["hash"] == digest and upload["org"] == access.organization.slug:
            path = _upload_dir() / f"{digest}.upload"
            data = path.read_bytes() if path.exists() else b""
            if hashlib.sha256(data).hexdigest() == digest:
                return data, str(upload["name"]), str(upload["period"])
    return None


def _forget(request: HttpRequest, digest: str) -> None:
    """Drop an applied file and the session's note of it."""
    kept = request.session.get(SESSION_KEY, [])
    request.session[SESSION_KEY] = [u for u in kept if u["hash"] != digest]
    (_upload_dir() / f"{digest}.upload").unlink(missing_ok=True)


def _page(
    request: HttpRequest, access: Access, form: SheetUploadForm, **extra: Any
) -> HttpResponse:
    """The import page: the upload form, and a preview or the file's problems when there are."""
    context = {"access": access, "organization": access.organization, "form": form, **extra}
    status = 422 if extra.get("problems") else 200
    return render(request, "web/sheets_import.html", context, status=status)


def _preview(result: SheetImport) -> dict[str, Any]:
    """What the preview table shows."""
    counts = result.counts()
    return {
        "objectives": counts["objective"],
        "key_results": counts["key result"],
        "unchanged": counts["objective"]["unchanged"] + counts["key result"]["unchanged"],
        "changes": result.changes(),
        "changed": result.changed,
    }


@org_view(methods=("GET", "POST"), write=True)
def import_sheet(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/import/`: upload a spreadsheet and see what it would change."""
    if not access.can_write:
        return forbidden(request, access)
    periods = list(periods_of(access))
    period, _ = chosen_period(request, access)
    initial = {"period": period.key} if period else {}
    if request.method != "POST":
        return _page(request, access, SheetUploadForm(initial=initial, periods=periods))
    form = SheetUploadForm(request.POST, request.FILES, periods=periods)
    if not form.is_valid():
        return _page(request, access, form)
    chosen = find_period(access, form.cleaned_data["period"])
    if chosen is None:  # a choice among the organisation's periods: only if one went since
        raise NotFound("No such period")
    upload = form.cleaned_data["file"]
    data, name = upload.read(), upload.name or "upload.csv"
    try:
        result = do_import_sheet(access, chosen, data, name, request.user, dry_run=True)
    except SheetProblems as refused:
        return _page(request, access, form, problems=refused.problems, filename=name)
    digest = _keep(request, access, data, name, chosen.key)
    apply_form = SheetApplyForm(initial={"period": chosen.key, "upload": digest})
    return _page(
        request,
        access,
        form,
        preview=_preview(result),
        apply_form=apply_form,
        filename=name,
        period=chosen,
    )


def _applied(period: Period, result: SheetImport) -> str:
    """The sentence that says what an apply wrote."""
    counts = result.counts()
    objectives, krs = counts["objective"], counts["key result"]
    if not result.changed:
        return f"Nothing to change in {period.key}: the file matches what is saved."
    return (
        f"Imported into {period.key}: {objectives['created']} new and {objectives['updated']} "
        f"changed objectives, {krs['created']} new and {krs['updated']} changed key results."
    )


@org_view(methods=("POST",), write=True)
def apply_sheet(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/import/apply/`: write a previewed file, checked again from the start."""
    form = SheetApplyForm(request.POST)
    back = reverse("sheet-import", kwargs={"org": access.organization.slug})
    kept = _kept(request, access, form.cleaned_data["upload"]) if form.is_valid() else None
    # The period the file was previewed for, as the session noted it (not as the form says).
    period = find_period(access, kept[2]) if kept else None
    if period is None or kept is None:
        messages.error(request, "That upload is no longer here: choose the file again.")
        return redirect(back)
    data, name, _ = kept
    try:
        result = do_import_sheet(access, period, data, name, request.user, dry_run=False)
    except SheetProblems as refused:
        upload_form = SheetUploadForm(
            initial={"period": period.key}, periods=list(periods_of(access))
        )
        return _page(request, access, upload_form, problems=refused.problems, filename=name)
    _forget(request, form.cleaned_data["upload"])
    messages.success(request, _applied(period, result))
    return redirect(f"{back}?period={period.key}")
