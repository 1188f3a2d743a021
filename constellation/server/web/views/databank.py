"""The data bank page (search learnings and initiative results) and drafting's suggestions."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.orgs.access import Access
from constellation.server.quarterly.databank import (
    Page,
    data_bank_key_results,
    search,
    suggestions,
    terms,
)
from constellation.server.web.databank_forms import DataBankForm
from constellation.server.web.views.permissions import org_view

PER_PAGE = 20
MAX_PAGE = 500


def _page_number(request: HttpRequest) -> int:
    """The page asked for in `?page=`, 1 when missing or not a number."""
    raw = request.GET.get("page", "")
    return min(int(raw), MAX_PAGE) if raw.isdigit() and int(raw) > 0 else 1


def _address(request: HttpRequest, number: int) -> str:
    """This search's address on another page, every filter kept."""
    query = request.GET.copy()
    query["page"] = str(number)
    return f"?{query.urlencode()}"


@org_view()
def data_bank(request: HttpRequest, access: Access) -> HttpResponse:
    """`/o/<org>/data-bank/`: search what teams learnt and what their initiatives did."""
    form = DataBankForm(request.GET, access=access, key_results=data_bank_key_results(access))
    number = _page_number(request)
    page: Page | None = None
    status = 200
    if form.is_valid():
        query = form.cleaned_data.get("q") or ""
        page = search(access, query, form.filters(), PER_PAGE, (number - 1) * PER_PAGE)
    else:
        status = 422
    context = {
        "access": access,
        "organization": access.organization,
        "form": form,
        "page": page,
        "number": number,
        "previous_url": _address(request, number - 1) if page and page.has_previous else "",
        "next_url": _address(request, number + 1) if page and page.has_next else "",
        "searched": bool(request.GET.get("q", "").strip()),
    }
    return render(request, "web/data_bank.html", context, status=status)


@org_view()
def draft_suggestions(request: HttpRequest, access: Access) -> HttpResponse:
    """Up to five records on the subject of an objective's title as typed (`?title=`, htmx)."""
    title = request.GET.get("title", "")[:300]
    hits = suggestions(access, title)
    context = {
        "organization": access.organization,
        "hits": hits,
        "title": title,
        "searched": bool(terms(title)),
    }
    return render(request, "web/_databank_suggestions.html", context)
