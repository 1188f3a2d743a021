"""The coach's one-step fixes on a page: each finding's `fix` turned into a link or a button.

A fix is always a door that exists: a link to the form or action page that does it, or, on the
form being coached, a button of that form (`resolve`) that the form's own view answers. Nothing
here writes; a viewer is offered no fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse

from constellation.core.coach import RULES, Finding

register = template.Library()

KEY_RESULT_FORM = "key-result-form"
OBJECTIVE_FORM = "objective-form"


@dataclass(frozen=True, slots=True)
class FixAction:
    """One way to act on a finding: a link (`href`) or a button of the form `form_id`."""

    label: str
    href: str = ""
    value: str = ""
    form_id: str = ""


@dataclass(frozen=True, slots=True)
class _Where:
    """What the page around a finding knows: the organisation, the saved rows, the form."""

    org: str
    objective: str | None
    key_result: str | None
    form_id: str

    def url(self, name: str, anchor: str = "", **kwargs: str) -> str:
        url = reverse(name, kwargs={"org": self.org, **kwargs})
        return f"{url}#{anchor}" if anchor else url


def _subject(finding: Finding, context: Any) -> tuple[str | None, str | None]:
    """The saved objective and key result a finding is about (their slugs), if any."""
    objective, key_result = context.get("objective"), context.get("key_result")
    if objective is not None and getattr(objective, "slug", None):
        kr = key_result.slug if key_result is not None else None
        if kr is None and finding.object and "/" in finding.object and not context.get("form_id"):
            kr = finding.object.split("/", 1)[1]
        return objective.slug, kr
    if finding.object and "/" in finding.object:
        first, second = finding.object.split("/", 1)
        return first, second
    if finding.object and RULES[finding.rule].subject == "objective":
        return finding.object, None
    return None, None


def fixes_for(finding: Finding, where: _Where) -> list[FixAction]:
    """The links and buttons that fix this finding on this page (none when there is none)."""
    fix, obj, kr, form = finding.fix, where.objective, where.key_result, where.form_id
    on_kr_form, on_objective_form = form == KEY_RESULT_FORM, form == OBJECTIVE_FORM
    if fix == "move-to-initiatives":
        if on_kr_form:
            return [
                FixAction("Make it a milestone", value="milestone", form_id=form),
                FixAction("Move it to initiatives", value="initiative", form_id=form),
            ]
        if obj and kr:
            return [
                FixAction(
                    "Move it to initiatives", where.url("key-result-to-initiative", slug=obj, kr=kr)
                )
            ]
    # The key-result form is that door, and the objective's form has its button just below.
    if fix == "add-key-result" and obj and not (on_kr_form or on_objective_form):
        return [FixAction("Add a key result", where.url("key-result-new", slug=obj))]
    if fix == "pick-lever":
        if on_objective_form:
            return [FixAction("Tick a lever above", "#id_levers_0")]
        if obj:
            return [
                FixAction("Pick a lever", where.url("objective-draft", "id_levers_0", slug=obj))
            ]
    if fix == "make-guardrail":
        found = [FixAction("Define it as a KPI", where.url("kpi-new"))]
        if obj:
            found.append(
                FixAction(
                    "Pick it as a guardrail",
                    where.url("objective-draft", "id_guardrails_0", slug=obj),
                )
            )
        return found
    if fix in ("set-measure", "rewrite-key-result"):
        label = "Set a baseline and a target" if fix == "set-measure" else "Rewrite the statement"
        if on_kr_form:
            return [FixAction(label, "#id_baseline" if fix == "set-measure" else "#id_title")]
        if obj and kr:
            return [FixAction(label, where.url("key-result-edit", slug=obj, kr=kr))]
    if fix == "rewrite-objective":
        if on_objective_form:
            return [FixAction("Rewrite the title above", "#id_title")]
        if obj:
            return [FixAction("Rewrite the objective", where.url("objective-draft", slug=obj))]
    if fix == "add-lever":
        return [FixAction("Add a lever to the strategy", where.url("strategy"))]
    if fix == "new-objective":
        return [FixAction("Draft an objective", where.url("objective-new"))]
    return []


@register.inclusion_tag("web/_coach_fix.html", takes_context=True)
def coach_fixes(context: Any, finding: Finding) -> dict[str, Any]:
    """The fixes of one finding, for the page it is shown on (`_finding.html`)."""
    organization, access = context.get("organization"), context.get("access")
    if organization is None or access is None or not getattr(access, "can_write", False):
        return {"fixes": [], "finding": finding}
    obj, kr = _subject(finding, context)
    where = _Where(organization.slug, obj, kr, context.get("form_id") or "")
    return {"fixes": fixes_for(finding, where), "finding": finding}
