"""Everything the objective page shows, read in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.paginator import Page, Paginator
from django.utils import timezone

from constellation.core import model
from constellation.core.charts import Chart, key_result_chart
from constellation.server.audit.access import objective_events
from constellation.server.audit.models import AuditEvent
from constellation.server.okrs.access import access_objective, links_of_objective
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.plans.scores import period_view
from constellation.server.sharing.access import dependencies_of_objective
from constellation.server.sources.access import source_managers, sources_of_objective
from constellation.server.sources.models import DataSource
from constellation.server.tracking.access import check_ins_of_objective
from constellation.server.tracking.models import CheckIn
from constellation.server.web.forms import CheckInForm, ObjectiveForm
from constellation.server.web.source_forms import SourceForm
from constellation.server.web.views.initiatives import initiatives_context
from constellation.server.web.views.rows import TEAM_RULES

# The latest changes the objective page shows; its history page shows them all, a page at a time.
HISTORY_ON_PAGE = 10
HISTORY_PER_PAGE = 50


@dataclass(slots=True)
class KeyResultItem:
    """A key result with its score, latest confidence, history and check-in form."""

    key_result: KeyResult
    score: Any
    confidence: int | None
    history: list[CheckIn]
    form: CheckInForm
    findings: list = field(default_factory=list)
    # Check-ins, target, pace and forecast over the period; None for a milestone.
    chart: Chart | None = None
    # Its data source (automatic updates), and the source's form for who may manage it.
    source: DataSource | None = None
    source_form: SourceForm | None = None

    @property
    def chart_id(self) -> str:
        """The id of the key result's chart, unique on the page."""
        return f"kr-chart-{self.key_result.pk}"


@dataclass(slots=True)
class AuditEntry:
    """One change in the objective's history, field by field."""

    event: AuditEvent
    subject: str
    changes: list[tuple[str, Any, Any]]


def _history(access: Access, objective: Objective) -> dict[int, list[CheckIn]]:
    grouped: dict[int, list[CheckIn]] = defaultdict(list)
    for check_in in check_ins_of_objective(access, objective):
        grouped[check_in.key_result_id].append(check_in)
    return grouped


def _alignments(access: Access, objective: Objective) -> tuple[list[Objective], list[Objective]]:
    """What the objective aligns to and what aligns to it, in one query."""
    aligns_to: list[Objective] = []
    aligned_from: list[Objective] = []
    for link in links_of_objective(access, objective):
        if link.source_id == objective.pk:
            aligns_to.append(link.target)
        else:
            aligned_from.append(link.source)
    return aligns_to, aligned_from


def _entries(events: Iterable[AuditEvent], titles: dict[int, str]) -> list[AuditEntry]:
    """Events as history entries: what changed, field by field, named for people."""
    entries = []
    for event in events:
        before, after = event.before or {}, event.after or {}
        names = list(dict.fromkeys([*before, *after]))
        subject: str | None = "objective"
        if event.object_type == "checkin":  # a corrected or deleted check-in: its id is no KR's
            subject = _check_in_subject(before or after, titles)
        elif event.object_type != "objective":
            subject = titles.get(event.object_id) if event.object_id is not None else None
        if event.action in {"create", "delete", "move_to_initiative", "carry"}:
            names = []  # a whole new or removed row: its name says enough
        entries.append(
            AuditEntry(
                event=event,
                subject=subject or event.object_repr,
                # Only what the event changed: a check-in repeats the fields it kept.
                changes=[
                    (name, before.get(name), after.get(name))
                    for name in names
                    if not _same(before.get(name), after.get(name))
                ],
            )
        )
    return entries


def _check_in_subject(data: dict[str, Any], titles: dict[int, str]) -> str | None:
    """A check-in as its history names it: its day and its key result's title."""
    title = titles.get(data.get("key_result"))  # type: ignore[arg-type]
    return f"the check-in of {data.get('date')} on “{title}”" if title else None


def _same(before: Any, after: Any) -> bool:
    """Whether a field kept its value (nothing and an empty text read the same)."""
    return before == after or (before in (None, "") and after in (None, ""))


def _titles(objective: Objective) -> dict[int, str]:
    return {kr.pk: kr.title for kr in objective.key_results.all()}


def audit_entries(
    access: Access, objective: Objective, count: int = HISTORY_ON_PAGE
) -> list[AuditEntry]:
    """The latest `count` changes to the objective and its key results, newest first."""
    events = objective_events(access, objective)[:count]
    return _entries(events, _titles(objective))


def history_page(access: Access, objective: Objective, number: str | None) -> tuple[Page, list]:
    """One page of the objective's whole history (a missing or wrong number gives a real page)
    and its entries."""
    page = Paginator(objective_events(access, objective), HISTORY_PER_PAGE).get_page(number)
    return page, _entries(page.object_list, _titles(objective))


def _charts(objective: Objective, plan: model.Plan) -> dict[str, Chart | None]:
    """Each key result's chart (by id), drawn from the core's copy with its check-ins."""
    found = next((o for o in plan.objectives if o.id == objective.slug), None)
    if found is None:
        return {}
    on = timezone.localdate()
    # Small: the chart sits beside the key result's summary, not under it.
    return {
        kr.id: key_result_chart(kr, objective.period.key, on, small=True)
        for kr in found.key_results
    }


def _items(
    access: Access,
    objective: Objective,
    score: Any,
    findings: list,
    forms: dict[int, CheckInForm],
    charts: dict[str, Chart | None],
) -> list[KeyResultItem]:
    scores = {kr.id: kr for kr in score.key_results} if score is not None else {}
    history = _history(access, objective)
    sources = sources_of_objective(access, objective)
    key_results = list(objective.key_results.all())
    managed = source_managers(access, objective, key_results)
    items = []
    for kr in key_results:
        past = history.get(kr.pk, [])
        confidence = kr.confidence
        if confidence is None:
            confidence = next((c.confidence for c in past if c.confidence is not None), None)
        items.append(
            KeyResultItem(
                key_result=kr,
                score=scores.get(kr.slug),
                confidence=confidence,
                history=past,
                form=forms.get(kr.pk) or CheckInForm(key_result=kr),
                findings=[f for f in findings if f.object == f"{objective.slug}/{kr.slug}"],
                chart=charts.get(kr.slug),
                source=sources.get(kr.pk),
                source_form=_source_form(kr, sources.get(kr.pk)) if kr.pk in managed else None,
            )
        )
    return items


def _source_form(key_result: KeyResult, source: DataSource | None) -> SourceForm | None:
    """The automatic-updates form of a key result with a number (a milestone takes none)."""
    if key_result.type == KeyResult.Type.MILESTONE:
        return None
    return SourceForm(saved=source, prefix_id=f"kr-{key_result.pk}-source")


def objective_context(
    access: Access,
    slug: str,
    *,
    edit_form: ObjectiveForm | None = None,
    check_in_forms: dict[int, CheckInForm] | None = None,
) -> dict[str, Any]:
    """The objective page's context: scores and findings from the core engine."""
    objective = access_objective(access, slug)
    view = period_view(
        access.organization, objective.period, objectives=[objective], with_check_ins=True
    )
    score = view.scores.get(objective.slug)
    findings = [
        finding
        for finding in view.findings_by_objective.get(objective.slug, [])
        if finding.rule not in TEAM_RULES
    ]
    aligns_to, aligned_from = _alignments(access, objective)
    guardrails = list(objective.guardrails.all())
    planned = view.plan.objective(objective.slug)
    latest = audit_entries(access, objective, HISTORY_ON_PAGE + 1)
    return {
        "access": access,
        "organization": access.organization,
        "objective": objective,
        "score": score,
        # The score's grade is the one its quarterly review settled on, when there is one.
        "grade_reviewed": planned is not None and planned.grade is not None,
        "items": _items(
            access, objective, score, findings, check_in_forms or {}, _charts(objective, view.plan)
        ),
        "findings": findings,
        "aligns_to": aligns_to,
        "aligned_from": aligned_from,
        "guardrails": [(kpi, kpi.is_healthy()) for kpi in guardrails],
        "levers": list(objective.levers.all()),
        **initiatives_context(access, objective),
        "edit_form": edit_form or ObjectiveForm.for_objective(objective),
        "audit": latest[:HISTORY_ON_PAGE],
        "more_history": len(latest) > HISTORY_ON_PAGE,
        "dependencies": dependencies_of_objective(access, objective),
    }
