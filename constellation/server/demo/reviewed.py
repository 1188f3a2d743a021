"""Last quarter's review in the demo: grades, decisions, reflections, learnings and results.

So the data bank, the review report and "start from last period" have something real to show
on a fresh demo. The words are the demo's; the grades are the engine's.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import User

from constellation.server.okrs.models import KeyResult, Objective, Period
from constellation.server.orgs.access import Access
from constellation.server.orgs.models import Organization, Team
from constellation.server.quarterly.access import computed_grades
from constellation.server.quarterly.models import (
    InitiativeResult,
    Learning,
    ObjectiveReview,
    TeamReflection,
)


@dataclass(frozen=True, slots=True)
class Decision:
    """What a team decided about one of last quarter's objectives, and where it went."""

    decision: str
    note: str
    carried_into: str = ""


DECISIONS = {
    "retention": Decision(
        "carry_over",
        "Retention moved but not enough: keep it, with value in the first month.",
        "company-retention",
    ),
    "first-dashboard": Decision(
        "rethink",
        "Time to a first dashboard fell, but customers wanted value from their own data.",
        "product-first-week",
    ),
    "trials": Decision("done", "Trials are healthy; watch them as a KPI from now on."),
    "busy-hours": Decision(
        "carry_over", "Incidents fell; recovery is still slow.", "platform-never-down"
    ),
    "fresh-data": Decision("done", "Hourly refresh is the norm now."),
    "taken-seriously": Decision(
        "carry_over", "Pipeline grew; the win rate did not.", "sales-mid-market"
    ),
    "same-day": Decision("done", "Same-day answers held all quarter."),
    "word-of-mouth": Decision("drop", "The newsletter did not bring sign-ups; stop it."),
}

# (objective slug, key result slug or "", tags, text)
LEARNINGS = (
    (
        "retention",
        "logo-retention",
        ("retention", "onboarding"),
        "Customers who connected a second data source in their first month renewed far more often.",
    ),
    (
        "retention",
        "nrr",
        ("pricing", "expansion"),
        "Seat-based pricing held back expansion: teams shared one login instead of adding seats.",
    ),
    (
        "first-dashboard",
        "time-to-dashboard",
        ("onboarding", "templates"),
        "Templates cut the time to a first dashboard, but sample data made it feel like a demo.",
    ),
    (
        "first-dashboard",
        "week1-activation",
        ("activation", "onboarding"),
        "Activation rose only for teams that connected their own data on day one.",
    ),
    (
        "trials",
        "visitor-to-trial",
        ("website", "conversion"),
        "A live example dashboard on the home page converted better than screenshots.",
    ),
    (
        "busy-hours",
        "incidents",
        ("reliability", "capacity"),
        "Most incidents came from Monday-morning report bursts, not from steady growth.",
    ),
    (
        "busy-hours",
        "recovery-time",
        ("reliability", "on-call"),
        "Runbooks helped less than expected: recovery waited on one database expert.",
    ),
    (
        "fresh-data",
        "failed-syncs",
        ("connectors", "data quality"),
        "Retries with backoff removed most failed syncs; the rest were expired credentials.",
    ),
    (
        "taken-seriously",
        "win-rate",
        ("sales", "security"),
        "Mid-market deals stalled at the security review; a ready answer pack shortened it.",
    ),
    (
        "same-day",
        "first-response",
        ("support", "self-help"),
        "Half of the tickets asked the same five questions: help articles would answer them.",
    ),
    (
        "word-of-mouth",
        "subscribers",
        ("marketing", "newsletter"),
        "Newsletter subscribers grew but almost none of them started a trial.",
    ),
)

REFLECTIONS = {
    "company": (
        "Retention follows early value.",
        "Pricing mattered more than features.",
        "Set the retention goal with the product team, not for it.",
    ),
    "product": (
        "Own data beats sample data.",
        "Templates were used less than we thought.",
        "Test with real customer data before building onboarding.",
    ),
    "platform": (
        "Load comes in bursts.",
        "Recovery depended on one person.",
        "Share on-call knowledge before adding runbooks.",
    ),
    "sales": (
        "Security reviews decide mid-market deals.",
        "Incumbents rarely won on features.",
        "Prepare the security pack before the quarter starts.",
    ),
    "marketing": (
        "Subscribers are not buyers.",
        "Referrals came without any campaign.",
        "Measure trials, not audience size.",
    ),
}

# (team, initiative, key result slug of the objective, expected, observed, outcome)
RESULTS = (
    (
        "product",
        "Dashboard templates gallery",
        ("first-dashboard", "time-to-dashboard"),
        "Median time to first dashboard from 6 to 3 days",
        "From 6 to 3.5 days",
        "partly",
    ),
    (
        "platform",
        "Autoscale the query workers",
        ("busy-hours", "incidents"),
        "Incidents from 14 to 9 per quarter",
        "From 14 to 10 per quarter",
        "partly",
    ),
    (
        "data",
        "Retry failed syncs with backoff",
        ("fresh-data", "failed-syncs"),
        "Failed syncs from 6% to 2%",
        "From 6% to 2.2%",
        "worked",
    ),
    (
        "marketing",
        "Weekly newsletter",
        ("word-of-mouth", "subscribers"),
        "Organic sign-ups up by 200 a month",
        "Sign-ups flat",
        "did_not_work",
    ),
)


def review_last_quarter(
    access: Access,
    org: Organization,
    period: Period,
    teams: dict[str, Team],
    people: dict[str, User],
) -> None:
    """Every review row of the demo's closed quarter, in bulk (the data bank indexes them)."""
    suffix = "-" + period.key.lower()
    objectives = list(Objective.objects.filter(organization=org, period=period))
    by_slug = {o.slug.removesuffix(suffix): o for o in objectives}
    key_results = {
        (kr.objective.slug.removesuffix(suffix), kr.slug): kr
        for kr in KeyResult.objects.filter(objective__in=objectives).select_related("objective")
    }
    grades = computed_grades(access, period, objectives)
    author = people["amara"]
    ObjectiveReview.objects.bulk_create(
        ObjectiveReview(
            organization=org,
            objective=by_slug[slug],
            reviewer=author,
            computed_grade=grades[by_slug[slug].pk],
            decision=d.decision,
            note=d.note,
        )
        for slug, d in DECISIONS.items()
        if slug in by_slug
    )
    for slug, d in DECISIONS.items():
        if d.carried_into and slug in by_slug:
            Objective.objects.filter(organization=org, slug=d.carried_into).update(
                carried_from=by_slug[slug]
            )
    TeamReflection.objects.bulk_create(
        TeamReflection(
            organization=org,
            team=teams[team],
            period=period,
            learned=a,
            surprised=b,
            differently=c,
            author=author,
        )
        for team, (a, b, c) in REFLECTIONS.items()
    )
    Learning.objects.bulk_create(
        Learning(
            organization=org,
            team=by_slug[slug].team,
            period=period,
            text=text,
            tags=list(tags),
            objective=by_slug[slug],
            key_result=key_results.get((slug, kr)),
            author=by_slug[slug].owner,
        )
        for slug, kr, tags, text in LEARNINGS
    )
    InitiativeResult.objects.bulk_create(
        InitiativeResult(
            organization=org,
            team=teams[team],
            period=period,
            initiative_title=title,
            key_result=key_results[kr],
            key_result_title=key_results[kr].title,
            expected_effect=expected,
            observed_effect=observed,
            outcome=outcome,
            author=author,
        )
        for team, title, kr, expected, observed, outcome in RESULTS
    )
