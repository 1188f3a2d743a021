"""The readiness check: whether OKRs fit a team's work now, or a lighter alternative does.

OKRs ask a team to commit to outcomes it can forecast and measure within a quarter. Work that
is still searching for what matters (exploratory, high-risk) is better led by hypotheses and
the experiments that test them; steady work whose results only show over longer cycles is
better watched with a few KPIs and a regular health check. The answers set the team's phase,
which the coach's `okrs-may-not-fit` rule reads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["okrs", "experiments", "kpis"]
Phase = Literal["exploratory", "growth", "mature"]


@dataclass(frozen=True, slots=True)
class Answers:
    """A team's answers to the four questions of the readiness check."""

    exploratory: bool
    measurable_quarterly: bool
    stable_mission: bool
    outcome_metrics: bool


@dataclass(frozen=True, slots=True)
class Recommendation:
    """What the answers recommend, the phase they put the team in, and why in plain words."""

    kind: Kind
    phase: Phase
    headline: str
    reasons: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)


QUESTIONS: dict[str, str] = {
    "exploratory": (
        "Is the team in an exploratory, high-risk phase: still searching for what works, "
        "where most bets may fail?"
    ),
    "measurable_quarterly": "Can the results of the team's work be measured within a quarter?",
    "stable_mission": "Does the team have a stable mission that will hold for the next year?",
    "outcome_metrics": (
        "Does the team already track a few metrics of outcomes (customer behaviour, revenue, "
        "reliability), not only of its own output?"
    ),
}


def _experiments(answers: Answers) -> Recommendation:
    reasons = [
        "The team is exploring: it does not yet know which outcome it can move, so a target "
        "set today would be a guess, and missing it would teach little.",
        "Learning goals fit this work better than a committed result: each hypothesis says "
        "what you believe, the experiment that tests it, and what you will learn by when.",
    ]
    if answers.measurable_quarterly:
        reasons.append(
            "Results can be measured within a quarter, so once a bet shows traction the team "
            "can turn it into an objective with key results."
        )
    return Recommendation(
        kind="experiments",
        phase="exploratory",
        headline="A list of hypotheses and experiments with learning goals, not OKRs yet",
        reasons=reasons,
        next_steps=[
            "Write three to five hypotheses: “We believe … will … ; we will know when …”.",
            "Give each experiment a learning goal and a date; review what was learnt monthly.",
            "Take the readiness check again when one bet shows it works.",
        ],
    )


def _kpis(answers: Answers) -> Recommendation:
    reasons = [
        "The team's results cannot be measured within a quarter, so quarterly key results "
        "would be graded on guesses or on outputs instead of outcomes.",
        "A few KPIs with a healthy range, looked at in a regular health check, keep the work "
        "honest without a quarterly target.",
    ]
    if not answers.outcome_metrics:
        reasons.append(
            "The team tracks no outcome metric yet: choosing two or three is the first step."
        )
    return Recommendation(
        kind="kpis",
        phase="mature",
        headline="KPIs with a health check, not OKRs",
        reasons=reasons,
        next_steps=[
            "Pick two or three KPIs that show the team's work is healthy, each with a range.",
            "Hold a short health check every month; act when a KPI leaves its range.",
            "Use OKRs for a quarter only when a KPI must move, not just stay healthy.",
        ],
    )


def _okrs(answers: Answers) -> Recommendation:
    reasons = [
        "The team is not exploring and its results can be measured within a quarter: it can "
        "commit to outcomes and see by the end of the period whether it reached them."
    ]
    steps = ["Write two or three objectives that model the strategy's levers."]
    if answers.stable_mission:
        reasons.append("A stable mission gives the objectives something lasting to serve.")
    else:
        reasons.append(
            "Its mission is not stable yet: agree on it first, or the objectives will drift "
            "with every change of direction."
        )
        steps.insert(0, "Agree on the team's mission with its leaders before drafting.")
    if answers.outcome_metrics:
        reasons.append("It already tracks outcome metrics to use as baselines of key results.")
    else:
        reasons.append(
            "It tracks no outcome metric yet: key results need a baseline, so start measuring "
            "in the first weeks."
        )
        steps.append("Measure a baseline for each key result early in the quarter.")
    return Recommendation(
        kind="okrs",
        phase="growth",
        headline="OKRs fit this team's work",
        reasons=reasons,
        next_steps=steps,
    )


def recommend(answers: Answers) -> Recommendation:
    """OKRs, experiments or KPIs for these answers, with the reasons in plain words."""
    if answers.exploratory:
        return _experiments(answers)
    if not answers.measurable_quarterly:
        return _kpis(answers)
    return _okrs(answers)
