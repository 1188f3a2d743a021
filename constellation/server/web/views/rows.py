"""Objectives of a period as rows for a page: score, status and how many findings."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.http import HttpRequest
from django.urls import reverse
from django.utils.http import RFC3986_SUBDELIMS

from constellation.core.coach import RULES
from constellation.server.errors import NotFound
from constellation.server.okrs.access import periods_of
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization
from constellation.server.plans.lists import StoredRow, Summary
from constellation.server.plans.plan import ObjectiveRecord
from constellation.server.plans.scores import current_period

# Rules whose finding names a team (object = the team's id).
TEAM_RULES = frozenset(rule.id for rule in RULES.values() if rule.subject == "team")


@dataclass(slots=True)
class ObjectiveRow:
    """One objective with its score from the core and its number of coach findings."""

    objective: Objective | ObjectiveRecord
    score: Any
    findings: int
    url: str = ""
    # Titles of the objective's guardrail KPIs that are out of their healthy range.
    guardrails_unhealthy: list[str] = field(default_factory=list)


@dataclass(slots=True)
class TeamSummary:
    """A team's line on the dashboard: its numbers, and its rows when the page shows them."""

    team: Any
    summary: Summary
    team_findings: int = 0
    rows: list[ObjectiveRow] = field(default_factory=list)


def chosen_period(request: HttpRequest, access: Access) -> tuple[Period | None, list]:
    """The period named by `?period=KEY` (404 when unknown), else the current one; and all."""
    periods = list(periods_of(access))
    key = request.GET.get("period", "").strip()
    if not key:
        return current_period(access.organization), periods
    for period in periods:
        if period.key == key:
            return period, periods
    raise NotFound("No such period")


def objective_urls(organization: Organization) -> Callable[[str], str]:
    """A maker of objective page URLs that reverses once, not once per row of a long page."""
    sentinel = "0objective0"
    pattern = reverse("objective", kwargs={"org": organization.slug, "slug": sentinel})
    return lambda slug: pattern.replace(sentinel, quote(slug, safe=RFC3986_SUBDELIMS + "~:@"))


def stored_rows(organization: Organization, rows: Iterable[StoredRow]) -> list[ObjectiveRow]:
    """Rows of stored scores (`plans.lists`) as the tables show them, with their links."""
    url = objective_urls(organization)
    return [
        ObjectiveRow(
            objective=row.objective,
            score=row.score,
            findings=row.findings,
            url=url(row.objective.slug),
            guardrails_unhealthy=row.guardrails_unhealthy,
        )
        for row in rows
    ]


def summarise(rows: list[ObjectiveRow], findings: int) -> Summary:
    """Counts by status and the average progress of these rows."""
    summary = Summary(objectives=len(rows), findings=findings)
    scored = [row.score for row in rows if row.score is not None]
    if scored:
        summary.average_progress = sum(score.progress for score in scored) / len(scored)
    for score in scored:
        if score.status in {"on_track", "at_risk", "off_track", "not_started", "draft"}:
            setattr(summary, score.status, getattr(summary, score.status) + 1)
    return summary


def page_number(request: HttpRequest, pages: int) -> int:
    """The page `?page=N` asks for, kept within 1..pages (anything unreadable is page 1)."""
    try:
        number = int(request.GET.get("page", "1"))
    except ValueError:
        return 1
    return min(max(number, 1), max(pages, 1))
