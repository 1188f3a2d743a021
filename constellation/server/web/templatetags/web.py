"""Template helpers of the web app: progress bars, status badges and number formatting."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html

from constellation.core.numbers import format_value

register = template.Library()

STATUS_LABELS = {
    "on_track": "On track",
    "at_risk": "At risk",
    "off_track": "Off track",
    "not_started": "Not started",
    "draft": "Draft",
}
# A shape as well as a colour, so the status never rests on colour alone.
STATUS_SYMBOLS = {
    "on_track": "●",
    "at_risk": "▲",
    "off_track": "■",
    "not_started": "○",
    "draft": "◇",
}


def _ratio(value: Any) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        return 0.0
    return min(max(ratio, 0.0), 1.0)


@register.filter
def num(value: Any) -> str:
    """A number for people: `1,234`, `41.5`, `0.25`; an em dash when there is none."""
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}".rstrip("0").rstrip(".")


@register.filter
def percent(value: Any) -> str:
    """A 0..1 share as a whole percentage (`0.4166` → `42%`)."""
    if value is None:
        return "—"
    return f"{round(_ratio(value) * 100)}%"


@register.filter
def grade(value: Any) -> str:
    """A grade with one decimal (`0.7`)."""
    if value is None:
        return "—"
    return f"{float(value):.1f}"


@register.filter
def status_label(status: str | None) -> str:
    """The words for a status (`at_risk` → `At risk`)."""
    return STATUS_LABELS.get(status or "", "Unknown")


@register.filter
def with_unit(value: Any, unit: str | None) -> str:
    """A number written by its unit, exactly (`41%`, `3 days`, `$4,848,624`)."""
    return _by_unit(value, unit, compact=False)


@register.filter
def compact(value: Any, unit: str | None) -> str:
    """A number written by its unit, short when large (`$4.8M`, `£350K`, `12,400 users`)."""
    return _by_unit(value, unit, compact=True)


def _by_unit(value: Any, unit: str | None, *, compact: bool) -> str:
    if value is None or value == "":
        return "—"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return f"{value} {unit}" if unit else str(value)
    return format_value(number, unit, compact=compact)


# Simple tags building HTML directly, not inclusion tags: the dashboard draws one per
# objective, and a template render per bar is most of a 2,000-objective page's time.
@register.simple_tag
def progress_bar(value: Any, label: str = "Progress") -> str:
    """A bar whose width is the core's progress (0..1), with the percentage as text."""
    ratio = _ratio(value)
    percent = round(ratio * 100)
    return format_html(
        '<div class="progress" role="progressbar" aria-label="{}" aria-valuemin="0" '
        'aria-valuemax="100" aria-valuenow="{}" aria-valuetext="{}%">'
        '<span class="progress-fill" style="width: {}%"></span></div>'
        '<span class="progress-text">{}%</span>',
        label,
        percent,
        percent,
        f"{ratio * 100:.1f}",
        percent,
    )


@register.simple_tag
def status_badge(status: str | None, reason: str | None = None) -> str:
    """A status as coloured text with a symbol (on track, at risk, off track, not started,
    draft), and why when the engine says (`At risk: guardrail Churn outside its healthy
    range`)."""
    key = status if status in STATUS_LABELS else "unknown"
    label = STATUS_LABELS.get(key, "Unknown")
    if reason:
        label = f"{label}: {reason}"
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        key,
        STATUS_SYMBOLS.get(key, "○"),
        label,
    )


@register.simple_tag
def widget(field: Any) -> str:
    """A form field's input, pointing at its help and its errors for screen readers."""
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-help")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str] = {}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return field.as_widget(attrs=attrs)


ACTION_LABELS = {
    "update": "changed",
    "check_in": "checked in on",
    "align": "aligned",
    "unalign": "removed an alignment of",
    "import": "imported",
    "create": "created",
    "delete": "deleted",
    "move_to_initiative": "moved to initiatives the key result",
    "carry": "carried over from last period",
}


@register.filter
def action_label(action: str) -> str:
    """An audit action in words (`check_in` → `checked in on`)."""
    return ACTION_LABELS.get(action, action.replace("_", " "))


@register.filter
def words(value: Any) -> str:
    """A stored choice in plain lower-case words (`in_review` → `in review`)."""
    return str(value or "").replace("_", " ")
