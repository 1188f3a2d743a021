"""Template helpers of KPIs: charts and sparklines (SVG from the core), health and guardrails."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from constellation.core import charts

# The core escapes every text it puts into its SVG and tables, so they are marked safe as is.
register = template.Library()

HEALTH = {
    True: ("healthy", "on_track", "●"),
    False: ("unhealthy", "off_track", "■"),
    None: ("unknown", "unknown", "○"),
}


@register.simple_tag
def chart_svg(chart: charts.Chart, chart_id: str = "chart") -> SafeString:
    """The chart as SVG (the core escapes every text it draws)."""
    return mark_safe(charts.svg(chart, chart_id))


@register.simple_tag
def chart_table(chart: charts.Chart) -> SafeString:
    """The chart's numbers as a table: the text alternative of the picture."""
    return mark_safe(charts.table_html(chart))


@register.simple_tag
def sparkline(values: list[float], band: charts.Band | None, label: str) -> SafeString:
    """A small line of recent readings with the healthy band behind it."""
    return mark_safe(charts.sparkline(values, band, label=label))


@register.simple_tag
def health_badge(healthy: bool | None) -> str:
    """Healthy, unhealthy or unknown: a word and a shape, never colour alone."""
    word, css, symbol = HEALTH.get(healthy, HEALTH[None])
    return format_html(
        '<span class="status status-{}"><span aria-hidden="true">{}</span> {}</span>',
        css,
        symbol,
        word,
    )


@register.filter
def range_text(kpi: Any) -> str:
    """A KPI's healthy range in words (`from 40 up to 60 %`), or `no range`."""
    if kpi.healthy_low is None and kpi.healthy_high is None:
        return "no healthy range"
    return charts.band_text(charts.Band(kpi.healthy_low, kpi.healthy_high), kpi.unit or None)


def unhealthy_titles(item: Any) -> list[str]:
    """Titles of the unhealthy guardrails of an objective row (already worked out) or of an
    objective whose guardrails were prefetched."""
    if hasattr(item, "guardrails_unhealthy"):
        return list(item.guardrails_unhealthy)
    guardrails = getattr(item, "guardrails", None)
    if guardrails is None or not hasattr(guardrails, "all"):
        return []
    return [kpi.title for kpi in guardrails.all() if kpi.is_healthy() is False]


@register.filter
def guardrail_unhealthy(item: Any) -> bool:
    """Whether any guardrail of the objective (or objective row) is unhealthy."""
    return bool(unhealthy_titles(item))


@register.simple_tag
def guardrail_badges(item: Any) -> str:
    """An amber badge per unhealthy guardrail: `guardrail unhealthy: <KPI>`; else nothing."""
    titles = unhealthy_titles(item)
    if not titles:
        return ""
    return format_html_join(
        " ",
        '<span class="status status-guardrail"><span aria-hidden="true">▲</span> '
        "guardrail unhealthy: {}</span>",
        ((title,) for title in titles),
    )
