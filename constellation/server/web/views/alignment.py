"""Aligning an objective to others by search, and removing a link: links, never a cascade.

An objective aligns to objectives of any team, of its own period or of one that encloses it
(a quarter's objective to its year's). Nothing is copied: a link adds no key result.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.errors import ActionError, NotFound
from constellation.server.okrs.access import (
    access_objective_with_period,
    alignment_candidates,
    find_objective_with_period,
)
from constellation.server.okrs.actions import cycle_if_linked, do_align, do_unalign
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import Access
from constellation.server.web.htmx import HtmxHttpRequest
from constellation.server.web.views.objective_page import objective_context
from constellation.server.web.views.permissions import org_view

PAGE = "web/objective.html"
SECTION = "web/_alignment.html"
RESULTS = "web/_alignment_results.html"
MAX_RESULTS = 15
MAX_QUERY = 100
PERIOD_ERROR = (
    "choose an objective of the same period ({period}) or of a period that encloses it; "
    "“{title}” is in {other}"
)


def search_targets(access: Access, source: Objective, query: str) -> tuple[list[Objective], bool]:
    """Up to MAX_RESULTS candidates whose title, id or team matches, and whether more do."""
    words = query.split()
    rows = alignment_candidates(access, source)
    for word in words:
        rows = rows.filter(
            Q(title__icontains=word)
            | Q(slug__icontains=word)
            | Q(team__name__icontains=word)
            | Q(team__slug__icontains=word)
        )
    found = list(rows.select_related("team", "period").order_by("title", "id")[: MAX_RESULTS + 1])
    return found[:MAX_RESULTS], len(found) > MAX_RESULTS


def _query(data: Any) -> str:
    return str(data.get("q", "")).strip()[:MAX_QUERY]


def _render(
    request: HtmxHttpRequest, access: Access, slug: str, extra: dict[str, Any], status: int = 200
) -> HttpResponse:
    """The alignment section (htmx) or the whole objective page, with the search's state."""
    context = objective_context(access, slug)
    context.update(extra)
    template = SECTION if request.htmx else PAGE
    return render(request, template, context, status=status)


@org_view()
def search(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """Objectives to align to, matching `?q=`: a list for htmx, else the whole page."""
    source = access_objective_with_period(access, slug)
    query = _query(request.GET)
    results, more = search_targets(access, source, query) if query else ([], False)
    context = {
        "access": access,
        "organization": access.organization,
        "objective": source,
        "align_query": query,
        "align_results": results if query else None,
        "align_more": more,
    }
    if request.htmx:
        return render(request, RESULTS, context)
    return _render(request, access, slug, context)


def _target(access: Access, source: Objective, slug: str) -> Objective:
    """The chosen objective, if it exists here and its period fits, else ActionError."""
    if not slug:
        raise ActionError("target", "choose an objective to align to")
    target = find_objective_with_period(access, slug)
    if target is None:
        raise ActionError("target", f"there is no objective “{slug[:80]}” in this organisation")
    inside = target.period.start <= source.period.start and target.period.end >= source.period.end
    if not inside:
        raise ActionError(
            "target",
            PERIOD_ERROR.format(
                period=source.period.key, title=target.title, other=target.period.key
            ),
        )
    return target


# GET too: after a refused form the address bar shows this URL; opening it leads back.
@org_view(write=True, methods=("GET", "HEAD", "POST"))
def align(request: HtmxHttpRequest, access: Access, slug: str) -> HttpResponse:
    """Link the objective to the chosen one (`target`), refusing a cycle with its path."""
    source = access_objective_with_period(access, slug)
    page = reverse("objective", kwargs={"org": access.organization.slug, "slug": slug})
    if request.method != "POST":
        return redirect(f"{page}#alignment")
    query = _query(request.POST)
    chosen = str(request.POST.get("target", "")).strip()
    target = None
    try:
        target = _target(access, source, chosen)
        created = do_align(access, source, target, request.user)
    except ActionError as error:
        # The action names the loop by ids; the page also shows it by title, with links.
        cycle = cycle_if_linked(source, target) if target and "cycle" in error.message else None
        extra: dict[str, Any] = {
            "align_query": query,
            "align_error": error.message,
            "align_cycle": cycle,
        }
        if query:
            extra["align_results"], extra["align_more"] = search_targets(access, source, query)
        return _render(request, access, slug, extra, status=422)
    note = f"Now aligned to “{target.title}”." if created else "That link already existed."
    if request.htmx:
        return _render(request, access, slug, {"align_message": note})
    messages.success(request, note)
    return redirect(f"{page}#alignment")


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def unalign(request: HtmxHttpRequest, access: Access, slug: str, target: str) -> HttpResponse:
    """Remove the link from this objective to `target` (only this objective's own link)."""
    source = access_objective_with_period(access, slug)
    page = reverse("objective", kwargs={"org": access.organization.slug, "slug": slug})
    if request.method != "POST":
        return redirect(f"{page}#alignment")
    other = find_objective_with_period(access, target)
    if other is None or not do_unalign(access, source, other, request.user):
        raise NotFound("No such link")
    note = f"No longer aligned to “{other.title}”."
    if request.htmx:
        return _render(request, access, slug, {"align_message": note})
    messages.success(request, note)
    return redirect(f"{page}#alignment")
