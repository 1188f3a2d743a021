"""The demo organisation's people, org chart, strategy and KPIs, and the shapes of its OKRs.

Plain data only: `current.py` and `previous.py` hold the two quarters' objectives and
`build.py` turns it all into rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

ORG_SLUG = "demo"
ORG_NAME = "Lumen Analytics (demo)"
VISION = "Every small business decides with live data."
MISSION = "Make analytics self-serve, dependable and affordable for teams of five to five hundred."


@dataclass(frozen=True, slots=True)
class Person:
    """A demo login with its role and teams."""

    username: str
    first_name: str
    last_name: str
    role: str
    teams: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class KrSpec:
    """A key result; `pace` is how fast it moves (1.0 reaches the target at the period's end)."""

    slug: str
    title: str
    baseline: float | None = None
    target: float | None = None
    unit: str = ""
    pace: float | None = None
    type: str = "metric"
    healthy_low: float | None = None
    owner: str | None = None
    decimals: int | None = None


@dataclass(frozen=True, slots=True)
class InitiativeSpec:
    """Work expected to move some key results, possibly from the roadmap."""

    title: str
    moves: tuple[str, ...]
    roadmap: str | None = None
    status: str = "in_progress"


@dataclass(frozen=True, slots=True)
class ObjectiveSpec:
    """An objective of one team with its key results, links and initiatives."""

    slug: str
    team: str
    title: str
    focus: str
    levers: tuple[str, ...]
    owner: str
    key_results: tuple[KrSpec, ...]
    aligns_to: tuple[str, ...] = ()
    guardrails: tuple[str, ...] = ()
    commitment: str = "committed"
    initiatives: tuple[InitiativeSpec, ...] = field(default_factory=tuple)


PEOPLE = (
    Person("demo", "Demo", "Admin", "owner", ("company",)),
    Person("amara", "Amara", "Okafor", "leader", ("company", "product")),
    Person("bruno", "Bruno", "Costa", "member", ("growth", "marketing")),
    Person("chen", "Chen", "Wei", "member", ("platform", "data")),
    Person("dana", "Dana", "Levi", "member", ("sales", "success")),
    Person("farah", "Farah", "Haddad", "member", ("product", "data")),
    Person("eli", "Eli", "Novak", "viewer", ()),
)

# (slug, name, parent slug, phase): the org chart, parents first.
TEAMS = (
    ("company", "Lumen", None, "growth"),
    ("product", "Product", "company", "growth"),
    ("growth", "Growth", "product", "growth"),
    ("platform", "Platform", "product", "mature"),
    ("data", "Data & Insights", "product", "growth"),
    ("sales", "Sales", "company", "growth"),
    ("success", "Customer Success", "company", "mature"),
    ("marketing", "Marketing", "company", "growth"),
)

LEVERS = (
    ("self-serve", "Win self-serve small businesses", "Teams buy, set up and grow alone."),
    ("reliability", "Be the analytics tool that is never down", "Fast, fresh and always up."),
    ("expansion", "Grow with our customers as they grow", "More seats and workspaces."),
    ("efficiency", "Serve every customer at a lower cost", "Margins that fund small plans."),
)

# (lever slug, title, status) of this quarter's roadmap.
ROADMAP = (
    ("self-serve", "Guided setup wizard", "in_progress"),
    ("self-serve", "Template gallery", "planned"),
    ("reliability", "Multi-region failover", "in_progress"),
    ("expansion", "Team workspaces and roles", "in_progress"),
    ("expansion", "Usage-based billing", "planned"),
    ("efficiency", "Self-service help centre", "in_progress"),
)

# (slug, title, unit, direction, healthy low, healthy high, readings from oldest to current).
KPIS = (
    ("logo-churn", "Monthly logo churn", "%", "decrease", None, 2.5, (2.2, 2.9)),
    ("uptime", "Dashboard uptime", "%", "increase", 99.9, None, (99.93, 99.95)),
    ("gross-margin", "Gross margin", "%", "increase", 75.0, None, (76.0, 78.0)),
)

NOTES_ON_TRACK = (
    "On plan.",
    "Steady week; the trend holds.",
    "Ahead of the line after Tuesday's release.",
    "Good week: the experiment is paying off.",
    "Holding the pace; nothing blocking.",
)
NOTES_BEHIND = (
    "Slower than planned; looking into why.",
    "Blocked on data access for two days.",
    "The first experiment did not move it; trying another angle.",
    "Flat this week; we need help from another team.",
    "Behind: the release slipped a week.",
)


def kr(slug: str, title: str, baseline: float, target: float, unit: str, **extra: Any) -> KrSpec:
    """A metric key result from baseline to target."""
    return KrSpec(slug, title, baseline, target, unit, **extra)
