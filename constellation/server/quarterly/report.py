"""The quarterly review report of a team's or the organisation's period, gathered once.

The printable page, the Markdown download and the PDF download are all drawn from the one
`Report` that `gather` builds, so they always agree. It runs a fixed number of queries whatever
the number of teams, objectives, key results, learnings and results: the period's plan is read
(and scored) by `period_view`, and each review table is read once for the whole scope.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from constellation.core import model
from constellation.core.charts import Chart, band_text, key_result_chart, number
from constellation.core.scoring.progress import grade_of
from constellation.core.scoring.report import KrScore, ObjectiveScore
from constellation.server.okrs.models import Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Team
from constellation.server.plans.plan import ObjectiveRecord
from constellation.server.plans.scores import PeriodView, period_view
from constellation.server.quarterly.access import initiative_results_of, learnings_of
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)

DECISIONS = {
    "done": "Done",
    "carry_over": "Carry over",
    "drop": "Drop",
    "rethink": "Rethink",
}
OUTCOMES = {
    "worked": "Worked",
    "partly": "Partly worked",
    "did_not_work": "Did not work",
    "unknown": "Unknown",
}
STATUSES = {"on_track": "On track", "at_risk": "At risk", "off_track": "Off track"}
PROMPTS = (
    ("learned", "What did we learn?"),
    ("surprised", "What surprised us?"),
    ("differently", "What would we do differently?"),
)


@dataclass(frozen=True, slots=True)
class KeyResultLine:
    """One key result as the report shows it: baseline → target, final value, progress."""

    slug: str
    title: str
    type: str
    baseline: float | None
    target: float | None
    value: float | None
    unit: str | None
    done: bool | None
    progress: float
    status: str
    chart: Chart | None

    @property
    def status_label(self) -> str:
        """The status in words (`On track`)."""
        return STATUSES.get(self.status, self.status)

    @property
    def range_label(self) -> str:
        """Baseline → target in words (see `range_text`)."""
        return range_text(self)

    @property
    def final_label(self) -> str:
        """The final value in words (see `final_text`)."""
        return final_text(self)


@dataclass(frozen=True, slots=True)
class ObjectiveLine:
    """One objective reviewed: its grades, status, key results and the decision taken."""

    slug: str
    title: str
    state: str
    commitment: str
    status: str
    computed_grade: float
    grade_override: float | None
    override_reason: str
    decision: str
    note: str
    key_results: list[KeyResultLine] = field(default_factory=list)

    @property
    def grade(self) -> float:
        """The grade that counts: the reviewer's override, else the engine's grade."""
        return self.grade_override if self.grade_override is not None else self.computed_grade

    @property
    def overridden(self) -> bool:
        """Whether the reviewer changed the engine's grade."""
        return self.grade_override is not None

    @property
    def status_label(self) -> str:
        """The status in words (`At risk`)."""
        return STATUSES.get(self.status, self.status)

    @property
    def decision_label(self) -> str:
        """The decision in words, or "" when none is taken yet."""
        return DECISIONS.get(self.decision, self.decision)


@dataclass(frozen=True, slots=True)
class LearningLine:
    """One learning with its tags and what it is about."""

    text: str
    tags: list[str]
    about: list[str]


@dataclass(frozen=True, slots=True)
class ResultLine:
    """What an initiative did to a key result: expected against observed, and the outcome."""

    initiative: str
    key_result: str
    expected_effect: str
    expected_value: float | None
    observed_effect: str
    observed_value: float | None
    outcome: str
    note: str

    @property
    def outcome_label(self) -> str:
        """The outcome in words (`Partly worked`)."""
        return OUTCOMES.get(self.outcome, self.outcome)

    @property
    def expected_label(self) -> str:
        """The effect expected, with its value (see `expected_text`)."""
        return expected_text(self)

    @property
    def observed_label(self) -> str:
        """The effect observed, with its value (see `observed_text`)."""
        return observed_text(self)


@dataclass(slots=True)
class TeamSection:
    """One team's part of the report."""

    slug: str
    name: str
    objectives: list[ObjectiveLine] = field(default_factory=list)
    reflection: dict[str, str] = field(default_factory=dict)
    learnings: list[LearningLine] = field(default_factory=list)
    results: list[ResultLine] = field(default_factory=list)

    @property
    def average_grade(self) -> float | None:
        """The mean of the grades that count, None without objectives."""
        if not self.objectives:
            return None
        return sum(o.grade for o in self.objectives) / len(self.objectives)

    @property
    def reflection_answers(self) -> list[tuple[str, str]]:
        """The reflection prompts with their answers, only those answered."""
        return [(q, self.reflection[k]) for k, q in PROMPTS if self.reflection.get(k)]


@dataclass(slots=True)
class Report:
    """A period's review report: the whole organisation's, or one team's."""

    organization: str
    organization_slug: str
    period: str
    start: date
    end: date
    on: date
    team: str | None = None
    teams: list[TeamSection] = field(default_factory=list)

    @property
    def title(self) -> str:
        """`Quarterly review of Growth · 2026-Q4` (or of the organisation)."""
        who = self.team_name or self.organization
        return f"Quarterly review of {who} · {self.period}"

    @property
    def team_name(self) -> str | None:
        """The team's name for a team's report, else None."""
        if self.team is None:
            return None
        return next((t.name for t in self.teams if t.slug == self.team), self.team)

    @property
    def filename(self) -> str:
        """The downloads' file name without extension (`acme-growth-2026-Q4-review`)."""
        parts = [self.organization_slug, *([self.team] if self.team else []), self.period]
        return "-".join(parts) + "-review"


def _key_result(kr: model.KeyResult, score: KrScore | None, period: str, on: date) -> KeyResultLine:
    return KeyResultLine(
        slug=kr.id or "",
        title=kr.title,
        type=kr.type,
        baseline=kr.baseline,
        target=kr.target,
        value=score.current if score is not None else kr.current,
        unit=kr.unit,
        done=kr.done,
        progress=score.progress if score is not None else 0.0,
        status=score.status if score is not None else "",
        chart=key_result_chart(kr, period, on, small=True),
    )


def _objective(
    record: ObjectiveRecord | Objective,
    plan_objective: model.Objective,
    score: ObjectiveScore | None,
    review: ObjectiveReview | None,
    period: str,
    on: date,
) -> ObjectiveLine:
    scores = {s.id: s for s in score.key_results} if score is not None else {}
    return ObjectiveLine(
        slug=record.slug,
        title=record.title,
        state=record.state,
        commitment=record.commitment,
        status=score.status if score is not None else "",
        # The score's grade is the reviewed one when there is one: the report shows both.
        computed_grade=grade_of(score.progress, record.commitment).value if score else 0.0,
        grade_override=review.grade_override if review is not None else None,
        override_reason=review.override_reason if review is not None else "",
        decision=review.decision if review is not None else "",
        note=review.note if review is not None else "",
        key_results=[
            _key_result(kr, scores.get(kr.id or ""), period, on)
            for kr in plan_objective.key_results
        ],
    )


def _learning(learning: Learning) -> LearningLine:
    related = (learning.objective, learning.key_result, learning.initiative)
    return LearningLine(
        text=learning.text,
        tags=[str(tag) for tag in learning.tags or []],
        about=[item.title for item in related if item is not None],
    )


def _result(row: InitiativeResult) -> ResultLine:
    return ResultLine(
        initiative=row.initiative.title if row.initiative is not None else row.initiative_title,
        key_result=row.key_result.title if row.key_result is not None else row.key_result_title,
        expected_effect=row.expected_effect,
        expected_value=row.expected_value,
        observed_effect=row.observed_effect,
        observed_value=row.observed_value,
        outcome=row.outcome,
        note=row.note,
    )


def _sections(access: Access, team: Team | None) -> dict[int, TeamSection]:
    """An empty section per team in scope, by team id, in the teams' order (by name)."""
    teams = [team] if team is not None else Team.objects.filter(organization=access.organization)
    return {t.pk: TeamSection(slug=t.slug, name=t.name) for t in teams}


def _period_view(access: Access, period: Period, team: Team | None, on: date) -> PeriodView:
    """The period with its stored scores: the whole organisation's (rows as records), or only
    the team's objectives (model instances), so a team's report costs what the team has, not
    what the organisation has."""
    if team is None:
        return period_view(
            access.organization, period, on=on, with_findings=False, with_check_ins=False
        )
    rows = list(
        Objective.objects.filter(organization=access.organization, period=period, team=team)
        .select_related("team")
        .order_by("position", "id")
    )
    return period_view(
        access.organization,
        period,
        on=on,
        objectives=rows,
        with_findings=False,
        with_check_ins=False,
    )


def _add_objectives(
    access: Access,
    period: Period,
    team: Team | None,
    sections: dict[int, TeamSection],
    on: date,
) -> None:
    """Each team's objectives of the period, scored on `on`, with their saved reviews."""
    view = _period_view(access, period, team, on)
    records = [r for r in view.objectives if r.team.pk in sections]
    reviews = {
        r.objective_id: r
        for r in ObjectiveReview.objects.filter(
            organization=access.organization, objective_id__in=[r.pk for r in records]
        )
    }
    # The plan lists the objectives asked for first, in the same order as `view.objectives`.
    own = dict(zip((r.pk for r in view.objectives), view.plan.objectives, strict=False))
    for record in records:
        line = _objective(
            record,
            own[record.pk],
            view.scores.get(record.slug),
            reviews.get(record.pk),
            period.key,
            on,
        )
        sections[record.team.pk].objectives.append(line)


def _add_reviews(
    access: Access, period: Period, team: Team | None, sections: dict[int, TeamSection]
) -> None:
    """Each team's reflection, learnings and initiative results of the period, oldest first."""
    reflections = TeamReflection.objects.filter(organization=access.organization, period=period)
    if team is not None:
        reflections = reflections.filter(team=team)
    for reflection in reflections:
        if reflection.team_id in sections:
            answers = {key: getattr(reflection, key) for key, _ in PROMPTS}
            sections[reflection.team_id].reflection = answers
    for learning in learnings_of(access, team=team, period=period).order_by("created_at", "id"):
        if learning.team_id in sections:
            sections[learning.team_id].learnings.append(_learning(learning))
    results = initiative_results_of(access, team=team, period=period)
    for result in results.order_by("created_at", "id"):
        if result.team_id in sections:
            sections[result.team_id].results.append(_result(result))


def _has_content(section: TeamSection) -> bool:
    return bool(
        section.objectives or section.reflection_answers or section.learnings or section.results
    )


def gather(access: Access, period: Period, team: Team | None = None) -> Report:
    """The review report of a period for the organisation, or for one team, in a fixed number
    of queries. The organisation's report leaves out teams with nothing in the period."""
    on = timezone.localdate()
    sections = _sections(access, team)
    _add_objectives(access, period, team, sections, on)
    _add_reviews(access, period, team, sections)
    shown = [s for s in sections.values() if team is not None or _has_content(s)]
    return Report(
        organization=access.organization.name,
        organization_slug=access.organization.slug,
        period=period.key,
        start=period.start,
        end=period.end,
        on=on,
        team=team.slug if team is not None else None,
        teams=shown,
    )


def grade_text(value: float | None) -> str:
    """A grade with one decimal (`0.7`), an em dash when there is none."""
    return "—" if value is None else f"{value:.1f}"


def percent_text(value: float) -> str:
    """A 0..1 share as a whole percentage (`42%`)."""
    return f"{round(min(max(value, 0.0), 1.0) * 100)}%"


def value_text(value: float | None, unit: str | None = None) -> str:
    """A number with its unit (`1,200 signups`, `40%`), an em dash when there is none."""
    return number(value, unit)


def range_text(kr: KeyResultLine) -> str:
    """`12% → 40%` for a metric, the healthy range of a range, `milestone` for a milestone."""
    if kr.type == "milestone":
        return "milestone"
    if kr.type == "range":
        band = kr.chart.band if kr.chart is not None else None
        return f"keep {band_text(band, kr.unit)}" if band is not None else "keep in range"
    return f"{value_text(kr.baseline, kr.unit)} → {value_text(kr.target, kr.unit)}"


def final_text(kr: KeyResultLine) -> str:
    """The final value: a number with its unit, or done / not done for a milestone."""
    if kr.type == "milestone":
        return "done" if kr.done else "not done"
    return value_text(kr.value, kr.unit)


def grade_line(objective: ObjectiveLine) -> str:
    """`0.7` or `0.8 (changed from 0.6: the churn metric lagged)`."""
    text = grade_text(objective.grade)
    if not objective.overridden:
        return text
    reason = f": {objective.override_reason}" if objective.override_reason else ""
    return f"{text} (changed from {grade_text(objective.computed_grade)}{reason})"


def expected_text(result: ResultLine) -> str:
    """The effect expected, with its value when one was given."""
    return _effect(result.expected_effect, result.expected_value)


def observed_text(result: ResultLine) -> str:
    """The effect observed, with its value when one was given."""
    return _effect(result.observed_effect, result.observed_value)


def _effect(text: str, value: float | None) -> str:
    parts = [p for p in (text, value_text(value) if value is not None else "") if p]
    return " · ".join(parts) or "—"
