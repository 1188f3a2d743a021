"""The live coach: an objective or key result with its unsaved values, read by the core coach.

The server builds the same core plan as the pages (`build_plan`), puts the typed values in
place of the saved ones, and asks `constellation.core.coach.lint_objective`: the rules are
the engine's, never repeated here.

A new form is quiet until touched: a finding shows once a field it reads has been typed in
(`touched`, kept by `static/web/coach.js`) or the form is sent; a blank key result is not one.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, cast

from django.utils.text import slugify

from constellation.core import coach, model
from constellation.core.coach import Finding
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.access import Access
from constellation.server.plans.plan import build_plan, healthy_range
from constellation.server.web.views.rows import TEAM_RULES

DRAFT_ID = "draft-objective"

# The form fields each rule reads: its findings wait until one of them is touched. A rule not
# listed reads nothing a new form holds (the saved key results, the team's other objectives).
RULE_FIELDS: dict[str, frozenset[str]] = {
    "objective-is-output": frozenset({"title"}),
    "no-strategy-link": frozenset({"levers"}),
    "unhealthy-guardrail": frozenset({"guardrails"}),
    "output-kr": frozenset({"title"}),
    "cascaded-kr": frozenset({"title"}),
    "kpi-as-kr": frozenset({"title", "type"}),
    "unmeasurable-kr": frozenset({"type", "baseline", "target"}),
    "missing-baseline": frozenset({"baseline", "target"}),
    "kr-count": frozenset({"title"}),
}


def touched_fields(data: Any) -> frozenset[str] | None:
    """The fields typed in so far, as the live form sends them (`touched`); None when the
    request does not say (the form was sent, or a client that does not track them)."""
    if "touched" not in data:
        return None
    return frozenset(str(data.get("touched") or "").replace(",", " ").split())


def quiet(findings: list[Finding], touched: frozenset[str] | None) -> list[Finding]:
    """The findings about fields touched so far (all of them when `touched` is None)."""
    if touched is None:
        return findings
    return [f for f in findings if RULE_FIELDS.get(f.rule, frozenset()) & touched]


def _typed_objective(data: dict[str, Any], base: model.Objective | None) -> model.Objective:
    """The core objective with the form's values over the saved ones (when there are any)."""
    team, period = data.get("team"), data.get("period")
    levers, guardrails = data.get("levers"), data.get("guardrails")
    typed = model.Objective(
        id=base.id if base is not None else DRAFT_ID,
        team=team.slug if team is not None else (base.team if base else ""),
        title=str(data.get("title") or ""),
        period=period.key if period is not None else (base.period if base else ""),
        focus=data.get("focus") or None,
        levers=[lever.slug for lever in levers or []],
        guardrails=[kpi.slug for kpi in guardrails or []],
        commitment=data.get("commitment") or "committed",
    )
    if base is not None:
        typed.aligns_to = base.aligns_to
        typed.key_results = base.key_results
        typed.initiatives = base.initiatives
        typed.state = base.state
        typed.owner = base.owner
    return typed


def _plan_with(access: Access, objective: Objective | None, period: Any) -> model.Plan:
    """The organisation's plan around one objective (or none yet), as the pages build it."""
    rows = [objective] if objective is not None else []
    return build_plan(access.organization, period, objectives=rows)


def objective_findings(
    access: Access,
    data: dict[str, Any],
    objective: Objective | None = None,
    touched: frozenset[str] | None = None,
) -> list[Finding]:
    """What the coach says about the objective form as typed (saved key results included).

    A new objective is told only about the fields in `touched` (None: all of them); a saved
    one holds its values already, so it is told everything."""
    if objective is None and touched is not None and not touched:
        return []
    period = data.get("period") or (objective.period if objective is not None else None)
    plan = _plan_with(access, objective, period)
    base = plan.objective(objective.slug) if objective is not None else None
    typed = _typed_objective(data, base)
    plan.objectives = [o for o in plan.objectives if o.id != typed.id] + [typed]
    found = [f for f in coach.lint_objective(plan, typed.id) if f.rule not in TEAM_RULES]
    if objective is None:
        # A new objective cannot have key results yet: saying so is for after it is created.
        found = [f for f in found if f.rule not in ("kr-count", "only-outputs")]
        return quiet(found, touched)
    return found


def _typed_key_result(data: dict[str, Any], base: model.KeyResult | None) -> model.KeyResult:
    """The core key result with the form's values."""
    title = str(data.get("title") or "")
    # The form's choices are the core's types: a typed value is one of them.
    kind = cast("model.KrType", data.get("type") or "metric")
    milestone = kind == "milestone"
    typed = model.KeyResult(
        id=base.id if base is not None else (slugify(title)[:60] or "new-key-result"),
        title=title,
        type=kind,
        baseline=None if milestone else data.get("baseline"),
        target=None if milestone else data.get("target"),
        unit=None if milestone else (data.get("unit") or None),
        weight=data.get("weight") or 1.0,
        kpi=data["kpi"].slug if data.get("kpi") is not None else None,
        owner=data["owner"].username if data.get("owner") is not None else None,
        healthy=(
            healthy_range(data.get("healthy_low"), data.get("healthy_high"))
            if kind == "range"
            else None
        ),
    )
    if base is not None:
        typed = replace(typed, current=base.current, done=base.done, check_ins=base.check_ins)
    return typed


def key_result_findings(
    access: Access,
    objective: Objective,
    data: dict[str, Any],
    key_result: KeyResult | None = None,
    touched: frozenset[str] | None = None,
) -> list[Finding]:
    """What the coach says about the key-result form as typed, and about the set's size.

    A new key result is told only about the fields in `touched` (None: all of them), and a
    blank one is no key result: nothing is said about it, and it is not counted."""
    if key_result is None and not str(data.get("title") or "").strip():
        return []
    if key_result is None and touched is not None and not touched:
        return []
    plan = _plan_with(access, objective, objective.period)
    core = plan.objective(objective.slug)
    if core is None:
        return []
    saved = {kr.id: kr for kr in core.key_results}
    base = saved.get(key_result.slug) if key_result is not None else None
    typed = _typed_key_result(data, base)
    while base is None and typed.id in saved:
        typed.id = f"{typed.id}-new"
    others = [kr for kr in core.key_results if kr.id != typed.id]
    core.key_results = [*others, typed]
    mine = f"{core.id}/{typed.id}"
    found = [
        f for f in coach.lint_objective(plan, core.id) if f.object == mine or f.rule == "kr-count"
    ]
    return found if key_result is not None else quiet(found, touched)
