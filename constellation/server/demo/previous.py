"""Last quarter's objectives of the demo organisation, closed with their final values."""

from __future__ import annotations

from constellation.server.demo.content import ObjectiveSpec
from constellation.server.demo.content import kr as _kr

# Slugs get the period's key appended (retention-2026-q1) when built.
PREVIOUS = (
    ObjectiveSpec(
        "retention",
        "company",
        "Small businesses stay with us past their first renewal",
        "customer",
        ("self-serve",),
        "amara",
        (
            _kr("logo-retention", "Raise 90-day logo retention from 74% to 78%", 74, 78, "%"),
            _kr("nrr", "Grow net revenue retention from 95% to 98%", 95, 98, "%", pace=0.8),
        ),
    ),
    ObjectiveSpec(
        "first-dashboard",
        "product",
        "New customers set up a first dashboard in minutes, not days",
        "customer",
        ("self-serve",),
        "farah",
        (
            _kr(
                "time-to-dashboard",
                "Cut median time to first dashboard from 6 to 3 days",
                6,
                3,
                "days",
            ),
            _kr(
                "week1-activation", "Raise week-1 activation from 28% to 34%", 28, 34, "%", pace=0.9
            ),
        ),
        aligns_to=("retention",),
    ),
    ObjectiveSpec(
        "trials",
        "growth",
        "Visitors understand what we do and start a trial",
        "customer",
        ("self-serve",),
        "bruno",
        (
            _kr(
                "visitor-to-trial",
                "Raise visitor-to-trial conversion from 2.0% to 3.0%",
                2.0,
                3.0,
                "%",
                pace=0.7,
            ),
            _kr("trials", "Grow trials from 1,100 to 1,600 per month", 1100, 1600, "trials"),
        ),
        aligns_to=("first-dashboard",),
    ),
    ObjectiveSpec(
        "busy-hours",
        "platform",
        "Dashboards stay up through our busiest hours",
        "customer",
        ("reliability",),
        "chen",
        (
            _kr(
                "incidents",
                "Cut customer-facing incidents from 14 to 9 per quarter",
                14,
                9,
                "incidents",
                decimals=0,
            ),
            _kr(
                "recovery-time",
                "Reduce mean time to recovery from 180 to 95 minutes",
                180,
                95,
                "min",
                pace=1.05,
            ),
        ),
    ),
    ObjectiveSpec(
        "fresh-data",
        "data",
        "Connectors deliver fresh data every hour",
        "customer",
        ("reliability",),
        "chen",
        (
            _kr(
                "hourly-connectors",
                "Raise the share of connectors refreshed hourly from 50% to 80%",
                50,
                80,
                "%",
            ),
            _kr("failed-syncs", "Reduce failed syncs from 6% to 2%", 6, 2, "%", pace=0.6),
        ),
    ),
    ObjectiveSpec(
        "taken-seriously",
        "sales",
        "Mid-market buyers take us seriously",
        "customer",
        ("expansion",),
        "dana",
        (
            _kr(
                "opportunities",
                "Grow qualified mid-market opportunities from 40 to 70",
                40,
                70,
                "deals",
            ),
            _kr(
                "win-rate",
                "Raise the win rate against incumbent suites from 12% to 18%",
                12,
                18,
                "%",
                pace=1.0,
            ),
        ),
    ),
    ObjectiveSpec(
        "same-day",
        "success",
        "Customers get answers the same day",
        "customer",
        ("efficiency",),
        "dana",
        (
            _kr(
                "first-response",
                "Cut the median first-response time from 20 hours to 9 hours",
                20,
                9,
                "hours",
            ),
            _kr(
                "support-csat", "Raise support satisfaction from 82% to 90%", 82, 90, "%", pace=0.75
            ),
        ),
        aligns_to=("retention",),
    ),
    ObjectiveSpec(
        "word-of-mouth",
        "marketing",
        "Small businesses hear about us from people like them",
        "customer",
        ("self-serve",),
        "bruno",
        (
            _kr(
                "organic-signups",
                "Grow organic sign-ups from 600 to 900 per month",
                600,
                900,
                "sign-ups",
                pace=1.1,
            ),
            _kr(
                "subscribers",
                "Increase newsletter subscribers from 4,000 to 7,500",
                4000,
                7500,
                "subscribers",
                pace=0.65,
            ),
        ),
    ),
)
