"""`/o/<org>/my-week/`: everything a person owns this period, checked in on with one form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.core.charts import Chart, key_result_chart
from constellation.core.scoring import latest_confidence
from constellation.server.orgs.access import Access
from constellation.server.plans.my_week import OwnedKeyResult, Week, my_week
from constellation.server.sources.access import sources_of_key_results
from constellation.server.sources.models import DataSource
from constellation.server.tracking.actions import CheckInsError, do_check_ins
from constellation.server.web.htmx import HtmxHttpRequest
from constellation.server.web.my_week_forms import WeekForm, WeekRowForm
from constellation.server.web.views.permissions import org_view

PAGE = "web/my_week.html"


@dataclass(slots=True)
class WeekRow:
    """A key result on the page: what the core says of it, its small chart and its row."""

    owned: OwnedKeyResult
    chart: Chart | None
    form: WeekRowForm
    # The data source that updates it automatically, if any.
    source: DataSource | None = None

    @property
    def key_result(self) -> Any:
        """The key result's row."""
        return self.owned.key_result

    @property
    def score(self) -> Any:
        """The core's score of the key result."""
        return self.owned.score

    @property
    def chart_id(self) -> str:
        """The id of the key result's chart, unique on the page."""
        return f"week-chart-{self.owned.key_result.pk}"

    @property
    def confidence(self) -> int | None:
        """The last confidence given, as the core reads it (the row's, else the check-ins')."""
        if self.owned.data is not None:
            return latest_confidence(self.owned.data)
        return self.owned.key_result.confidence


def _context(access: Access, week: Week, form: WeekForm, **extra: Any) -> dict[str, Any]:
    groups = []
    ids = [owned.key_result.pk for group in week.objectives for owned in group.key_results]
    sources = sources_of_key_results(access, ids)
    for owned_objective in week.objectives:
        rows = []
        for owned in owned_objective.key_results:
            kr = owned.key_result
            chart = None
            if owned.data is not None:
                chart = key_result_chart(owned.data, kr.objective.period.key, week.on, small=True)
            rows.append(WeekRow(owned, chart, form.rows[kr.pk], sources.get(kr.pk)))
        groups.append((owned_objective, rows))
    return {
        "access": access,
        "organization": access.organization,
        "week": week,
        "groups": groups,
        "form": form,
        "rows_to_fill": len(form.rows),
        **extra,
    }


def _page(request: HtmxHttpRequest, context: dict[str, Any], status: int = 200) -> HttpResponse:
    """The whole page, or only its form section when htmx asked."""
    template = f"{PAGE}#week" if request.htmx else PAGE
    return render(request, template, context, status=status)


@org_view(write=True, methods=("GET", "HEAD", "POST"))
def my_week_page(request: HtmxHttpRequest, access: Access) -> HttpResponse:
    """Show the person's week; a POST checks in on every filled row in one transaction."""
    week = my_week(access, request.user)
    key_results = [owned.key_result for owned in week.key_results]
    if request.method != "POST":
        return _page(request, _context(access, week, WeekForm(key_results)))
    form = WeekForm(key_results, request.POST)
    if form.is_valid():
        try:
            saved = do_check_ins(access, form.entries(), request.user)
        except CheckInsError as refused:
            form.show_errors(refused)
        else:
            noun = "check-in" if len(saved) == 1 else "check-ins"
            message = f"{len(saved)} {noun} recorded."
            if not request.htmx:
                messages.success(request, message)
                return redirect(reverse("my-week", kwargs={"org": access.organization.slug}))
            fresh = my_week(access, request.user)
            blank = WeekForm([owned.key_result for owned in fresh.key_results])
            return _page(request, _context(access, fresh, blank, saved_message=message))
    return _page(request, _context(access, week, form), status=422)
