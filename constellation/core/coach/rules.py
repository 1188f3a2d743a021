"""The rule catalogue: every coach rule with its severity, principle and examples.

The examples are fragments of an OKR file (top-level keys); docs/coach.md shows them and the
tests lint them, so a rule's documentation cannot drift from what the rule does.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent
from typing import Literal

from constellation.core.coach.findings import Severity

# What a rule's findings are about; it decides the `object` and how output groups them.
Subject = Literal["file", "objective", "key_result", "team", "lever"]


@dataclass(frozen=True, slots=True)
class Rule:
    """One coach rule: id, severity, what it is about, its principle, a hint and two examples."""

    id: str
    severity: Severity
    subject: Subject
    title: str
    principle: str
    help: str
    bad: str
    good: str


def _rule(
    rule_id: str,
    severity: Severity,
    subject: Subject,
    title: str,
    principle: str,
    help_text: str,
    bad: str,
    good: str,
) -> Rule:
    return Rule(
        rule_id,
        severity,
        subject,
        title,
        principle,
        help_text,
        dedent(bad).strip() + "\n",
        dedent(good).strip() + "\n",
    )


_CATALOGUE = [
    _rule(
        "output-kr",
        "warning",
        "key_result",
        "A key result names work to be done",
        "A key result says what changes for people or for the business, not what the team will "
        "do. Work such as launching or building is an initiative: a bet that the change follows.",
        "Ask what changes for users once the work is done, measure that from A to B, and move "
        "the work to `initiatives`.",
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Launch the onboarding wizard
                type: milestone
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
        """,
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
              - title: Cut the median time to first report from 3 days to 1 day
                baseline: 3
                target: 1
            initiatives:
              - title: Launch the onboarding wizard
        """,
    ),
    _rule(
        "only-outputs",
        "error",
        "objective",
        "Every key result of an objective is an output",
        "When every key result is a deliverable, the objective is met by finishing tasks, "
        "whether or not anything improved. At least one key result must measure the outcome.",
        "Rewrite at least one key result as the change the work should cause, from A to B.",
        """
        objectives:
          - id: reports
            team: growth
            title: Customers find answers in their reports
            levers: [self-serve]
            key_results:
              - title: Ship the report builder
                type: milestone
              - title: Publish ten report templates
                type: milestone
        """,
        """
        objectives:
          - id: reports
            team: growth
            title: Customers find answers in their reports
            levers: [self-serve]
            key_results:
              - title: Raise weekly report viewers from 1,200 to 2,000
                baseline: 1200
                target: 2000
              - title: Ship the report builder
                type: milestone
        """,
    ),
    _rule(
        "objective-is-output",
        "warning",
        "objective",
        "The objective is itself a deliverable",
        "An objective states the outcome worth reaching and why it matters; a deliverable in its "
        "place ties the team to one solution before it knows what works.",
        "Say what is better once the deliverable exists, for whom; keep the deliverable as an "
        "initiative.",
        """
        objectives:
          - id: mobile
            team: growth
            title: Launch the mobile app
            levers: [self-serve]
            key_results:
              - title: Raise weekly mobile users from 0 to 5,000
                baseline: 0
                target: 5000
              - title: Grow reports opened on phones from 2% to 15%
                baseline: 2
                target: 15
        """,
        """
        objectives:
          - id: mobile
            team: growth
            title: Customers check their numbers wherever they are
            levers: [self-serve]
            key_results:
              - title: Raise weekly mobile users from 0 to 5,000
                baseline: 0
                target: 5000
              - title: Grow reports opened on phones from 2% to 15%
                baseline: 2
                target: 15
            initiatives:
              - title: Launch the mobile app
        """,
    ),
    _rule(
        "unmeasurable-kr",
        "error",
        "key_result",
        "A key result has no number to reach",
        "A key result is measurable: at the end of the period anyone can tell whether it was met "
        "without debate. Without a number it is a wish.",
        "Name the measure and set `baseline:` and `target:` (or write 'from A to B' in the "
        "title); use `type: milestone` only for a yes/no result.",
        """
        objectives:
          - id: support
            team: growth
            title: Customers get help when they need it
            levers: [self-serve]
            key_results:
              - title: Improve customer happiness
              - title: Cut first response time from 9 hours to 2 hours
                baseline: 9
                target: 2
        """,
        """
        objectives:
          - id: support
            team: growth
            title: Customers get help when they need it
            levers: [self-serve]
            key_results:
              - title: Raise support CSAT from 78% to 90%
                baseline: 78
                target: 90
              - title: Cut first response time from 9 hours to 2 hours
                baseline: 9
                target: 2
        """,
    ),
    _rule(
        "missing-baseline",
        "warning",
        "key_result",
        "A metric key result has a target but no starting point",
        "Progress is the distance travelled from the baseline to the target; without a baseline "
        "nobody knows whether the target is a stretch or already reached.",
        "Add `baseline:` with the value at the start of the period.",
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation to 50%
                target: 50
              - title: Cut time to first report from 3 days to 1 day
                baseline: 3
                target: 1
        """,
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
              - title: Cut time to first report from 3 days to 1 day
                baseline: 3
                target: 1
        """,
    ),
    _rule(
        "kr-count",
        "warning",
        "objective",
        "An objective has fewer than 2 or more than 4 key results",
        "Two to four key results describe an outcome from more than one side without scattering "
        "the team's attention; one alone is easy to game, five or more dilute the focus.",
        "Keep the two to four key results that best show the outcome; move the rest to KPIs or "
        "the next period.",
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
        """,
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
              - title: Cut time to first report from 3 days to 1 day
                baseline: 3
                target: 1
        """,
    ),
    _rule(
        "no-strategy",
        "warning",
        "file",
        "The plan has no strategy levers",
        "OKRs turn a strategy into the next steps; without strategic bets to model they become "
        "a list of whatever each team wants to do this period.",
        "Add `strategy:` with two or three `levers:` (the bets), then list the ones each "
        "objective models under its `levers:`.",
        """
        strategy:
          vision: Every team decides with live data.
        """,
        """
        strategy:
          vision: Every team decides with live data.
          levers:
            - id: self-serve
              title: Win self-serve small businesses
        """,
    ),
    _rule(
        "no-strategy-link",
        "warning",
        "objective",
        "An objective models no strategy lever",
        "Each objective should move at least one strategic bet; one that moves none is either "
        "missing a link or spending effort outside the strategy.",
        "List the lever it moves under `levers:`, or ask whether it belongs in this period.",
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
              - title: Cut time to first report from 3 days to 1 day
                baseline: 3
                target: 1
        """,
        """
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
              - title: Cut time to first report from 3 days to 1 day
                baseline: 3
                target: 1
        """,
    ),
    _rule(
        "unmodelled-lever",
        "warning",
        "lever",
        "A strategy lever that no objective models",
        "A strategic bet that no objective moves this period is not being pursued; either an "
        "objective is missing or the bet is parked and should say so.",
        "Add an objective that moves the lever (list it under the objective's `levers:`), or "
        "take the lever out of the strategy while it is parked.",
        """
        strategy:
          levers:
            - id: self-serve
              title: Win self-serve small businesses
            - id: reliability
              title: Be the analytics tool that is never down
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
        """,
        """
        strategy:
          levers:
            - id: self-serve
              title: Win self-serve small businesses
            - id: reliability
              title: Be the analytics tool that is never down
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
          - id: uptime
            team: company
            title: Customers can count on their dashboards every morning
            levers: [reliability]
        """,
    ),
    _rule(
        "customer-balance",
        "warning",
        "team",
        "A team's objectives for a period hold no customer outcome",
        "Business results follow from value created for customers; a team whose objectives are "
        "all about the business has lost sight of the people who produce those results.",
        "Add or reframe one objective around a change for customers, and set `focus: customer` "
        "(or `both`).",
        """
        objectives:
          - id: margin
            team: growth
            title: Growth pays for itself
            focus: business
            levers: [self-serve]
            key_results:
              - title: Cut customer acquisition cost from $420 to $300
                baseline: 420
                target: 300
              - title: Grow monthly recurring revenue from $80k to $110k
                baseline: 80000
                target: 110000
        """,
        """
        objectives:
          - id: margin
            team: growth
            title: Growth pays for itself
            focus: both
            levers: [self-serve]
            key_results:
              - title: Raise trial-to-paid conversion from 8% to 12%
                baseline: 8
                target: 12
              - title: Grow monthly recurring revenue from $80k to $110k
                baseline: 80000
                target: 110000
        """,
    ),
    _rule(
        "kpi-as-kr",
        "warning",
        "key_result",
        "A key result only keeps a health level",
        "Key results ask for a change; a level to keep is a KPI, watched every period and "
        "named as a guardrail of the objectives that could harm it.",
        "Move the measure to `kpis:` with a `healthy:` range and list it under the objective's "
        "`guardrails:`.",
        """
        objectives:
          - id: support
            team: growth
            title: Customers get help when they need it
            levers: [self-serve]
            key_results:
              - title: Keep CSAT above 90%
                target: 90
              - title: Cut first response time from 9 hours to 2 hours
                baseline: 9
                target: 2
        """,
        """
        kpis:
          - id: csat
            title: Support CSAT
            unit: "%"
            healthy: ">= 90"
            current: 92
        objectives:
          - id: support
            team: growth
            title: Customers get help when they need it
            levers: [self-serve]
            guardrails: [csat]
            key_results:
              - title: Raise self-served answers from 20% to 45%
                baseline: 20
                target: 45
              - title: Cut first response time from 9 hours to 2 hours
                baseline: 9
                target: 2
        """,
    ),
    _rule(
        "cascaded-kr",
        "error",
        "key_result",
        "A key result copied from an objective it aligns to",
        "Alignment is a link, not a cascade: a team aligns by finding the change it can cause "
        "that moves the other objective, not by copying its key result.",
        "Ask which part of the aligned result this team can move, and measure that.",
        """
        objectives:
          - id: retention
            team: company
            title: Small businesses stay with us
            levers: [self-serve]
            key_results:
              - title: Raise 90-day retention from 78% to 85%
                baseline: 78
                target: 85
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            aligns_to: [retention]
            key_results:
              - title: Raise 90-day retention from 78% to 85%
                baseline: 78
                target: 85
        """,
        """
        objectives:
          - id: retention
            team: company
            title: Small businesses stay with us
            levers: [self-serve]
            key_results:
              - title: Raise 90-day retention from 78% to 85%
                baseline: 78
                target: 85
          - id: activation
            team: growth
            title: New teams get to value in their first week
            levers: [self-serve]
            aligns_to: [retention]
            key_results:
              - title: Raise week-1 activation from 34% to 50%
                baseline: 34
                target: 50
        """,
    ),
    _rule(
        "alignment-cycle",
        "error",
        "objective",
        "Objectives whose aligns_to links form a loop",
        "Alignment says which objective a team's work helps; in a loop every objective helps "
        "the next and none says what the work is ultimately for.",
        "Remove the link that points back up the loop; keep the one toward the broader outcome.",
        """
        objectives:
          - id: retention
            team: company
            title: Small businesses stay with us
            aligns_to: [activation]
          - id: activation
            team: growth
            title: New teams get to value in their first week
            aligns_to: [retention]
        """,
        """
        objectives:
          - id: retention
            team: company
            title: Small businesses stay with us
          - id: activation
            team: growth
            title: New teams get to value in their first week
            aligns_to: [retention]
        """,
    ),
    _rule(
        "too-many-objectives",
        "warning",
        "team",
        "A team with more than 5 objectives in one period",
        "Focus is the point of OKRs: a team that pursues many objectives at once moves none of "
        "them far. Three is plenty, five is the ceiling.",
        "Keep the three to five objectives that matter most this period; park the others.",
        """
        objectives:
          - {id: signup, team: growth, title: Signing up feels effortless}
          - {id: activation, team: growth, title: New teams get to value in their first week}
          - {id: sharing, team: growth, title: Teams share reports with their clients}
          - {id: pricing, team: growth, title: Buyers understand what they pay for}
          - {id: referrals, team: growth, title: Happy customers bring their peers}
          - {id: mobile, team: growth, title: Owners check their numbers on the go}
        """,
        """
        objectives:
          - {id: signup, team: growth, title: Signing up feels effortless}
          - {id: activation, team: growth, title: New teams get to value in their first week}
          - {id: sharing, team: growth, title: Teams share reports with their clients}
        """,
    ),
    _rule(
        "unhealthy-guardrail",
        "warning",
        "objective",
        "An objective's guardrail KPI is outside its healthy range",
        "A guardrail is a health measure that pushing the objective must not harm; when it is "
        "already unhealthy, pushing harder risks trading one problem for another.",
        "Look at the KPI before pushing further: fix it first, or make restoring it a key "
        "result of this period.",
        """
        kpis:
          - id: churn
            title: Monthly logo churn
            direction: decrease
            healthy: "<= 2.5"
            current: 2.9
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            guardrails: [churn]
        """,
        """
        kpis:
          - id: churn
            title: Monthly logo churn
            direction: decrease
            healthy: "<= 2.5"
            current: 2.1
        objectives:
          - id: activation
            team: growth
            title: New teams get to value in their first week
            guardrails: [churn]
        """,
    ),
    _rule(
        "okrs-may-not-fit",
        "info",
        "team",
        "OKRs may not fit a team's exploratory work",
        "OKRs suit work whose results can be measured within the period; exploratory, high-risk "
        "work learns more than it moves numbers and is often better planned another way.",
        "Consider learning goals, time-boxed experiments with a hypothesis each, or a simple "
        "roadmap instead.",
        """
        teams:
          - id: company
            name: Acme
          - id: growth
            name: Growth
            parent: company
            phase: exploratory
        objectives:
          - id: ai-insights
            team: growth
            title: Owners get insights they did not ask for
        """,
        """
        teams:
          - id: company
            name: Acme
          - id: growth
            name: Growth
            parent: company
            phase: growth
        objectives:
          - id: ai-insights
            team: growth
            title: Owners get insights they did not ask for
        """,
    ),
]

RULES: dict[str, Rule] = {rule.id: rule for rule in _CATALOGUE}
