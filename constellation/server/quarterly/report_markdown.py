"""The review report as a Markdown document: headings per team and objective, tables of
key results and initiative results, the reflection and the learnings."""

from __future__ import annotations

import html
import re

from constellation.core.charts import day_text
from constellation.server.quarterly.report import (
    ObjectiveLine,
    Report,
    TeamSection,
    expected_text,
    final_text,
    grade_line,
    grade_text,
    observed_text,
    percent_text,
    range_text,
)

# What would turn typed text into markup: emphasis, code, links and images, headings, tables,
# strikethrough. HTML is escaped as entities first (`<` never opens a tag or an autolink).
_MARKUP = re.compile(r"([\\`*_\[\]!#|~])")
# A list item or a numbered one, at the start of a line of an answer.
_LINE_START = re.compile(r"^(\s*)([-+]|\d+[.)])")


def _escaped(text: str) -> str:
    """Typed text shown as text: its HTML and its Markdown constructs escaped."""
    return _MARKUP.sub(r"\\\1", html.escape(text, quote=False))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _inline(text: str) -> str:
    """Typed text on one line, as text: a heading or a list item must not be broken by a typed
    newline, and a title such as `<img src=x onerror=...>` must not become markup."""
    return _escaped(_one_line(text))


def _lines(text: str) -> str:
    """A typed answer of several lines, each escaped, none starting a list."""
    lines = (_escaped(line.rstrip()) for line in str(text).strip().splitlines())
    return "\n".join(_LINE_START.sub(r"\1\\\2", line) for line in lines)


def _cell(text: str) -> str:
    """Text safe inside a table cell: one line, escaped (pipes too)."""
    return _inline(text) or "—"


def _table(head: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return [*lines, ""]


def _objective(objective: ObjectiveLine) -> list[str]:
    out = [f"### {_inline(objective.title)}", ""]
    facts = [
        ["State", objective.state.replace("_", " ")],
        ["Status", objective.status_label or "—"],
        ["Computed grade", grade_text(objective.computed_grade)],
        ["Grade", grade_line(objective)],
        ["Decision", objective.decision_label or "not decided yet"],
    ]
    if objective.note:
        facts.append(["Note", objective.note])
    out += _table(["Review", ""], facts)
    if objective.key_results:
        rows = [
            [kr.title, range_text(kr), final_text(kr), percent_text(kr.progress), kr.status_label]
            for kr in objective.key_results
        ]
        head = ["Key result", "Baseline → target", "Final value", "Progress", "Status"]
        out += _table(head, rows)
    else:
        out += ["No key results.", ""]
    return out


def _reflection(section: TeamSection) -> list[str]:
    out = ["### Reflection", ""]
    for question, answer in section.reflection_answers:
        out += [f"**{_inline(question)}**", "", _lines(answer), ""]
    return out if len(out) > 2 else [*out, "No reflection recorded.", ""]


def _learnings(section: TeamSection) -> list[str]:
    out = ["### Learnings", ""]
    for learning in section.learnings:
        # Inside a code span nothing is markup: only its backticks must go.
        tags = "".join(f" `{_one_line(tag).replace('`', '')}`" for tag in learning.tags)
        about = ", ".join(_inline(a) for a in learning.about)
        out.append(f"- {_inline(learning.text)}{tags}" + (f" _(about {about})_" if about else ""))
    return [*out, ""] if section.learnings else [*out, "No learnings recorded.", ""]


def _results(section: TeamSection) -> list[str]:
    out = ["### Initiative results", ""]
    if not section.results:
        return [*out, "No initiative results recorded.", ""]
    head = ["Initiative", "Key result", "Expected", "Observed", "Outcome", "Note"]
    rows = [
        [r.initiative, r.key_result, expected_text(r), observed_text(r), r.outcome_label, r.note]
        for r in section.results
    ]
    return out + _table(head, rows)


def _team(section: TeamSection) -> list[str]:
    count = len(section.objectives)
    summary = f"{count} objective{'s' if count != 1 else ''}"
    if section.average_grade is not None:
        summary += f" · average grade {grade_text(section.average_grade)}"
    out = [f"## {_inline(section.name)}", "", summary, ""]
    for objective in section.objectives:
        out += _objective(objective)
    return out + _reflection(section) + _learnings(section) + _results(section)


def to_markdown(report: Report) -> str:
    """The whole report as one Markdown document."""
    out = [
        f"# {_inline(report.title)}",
        "",
        f"{_inline(report.organization)} · {day_text(report.start)} – {day_text(report.end)}"
        f" · as of {day_text(report.on)}",
        "",
    ]
    for section in report.teams:
        out += _team(section)
    if not report.teams:
        out += ["Nothing to report in this period yet.", ""]
    return "\n".join(out).rstrip() + "\n"
