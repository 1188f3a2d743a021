"""Generated OKR files of any size, for benchmarks and load tests.

A generated file is valid and looks like a real organisation's: a strategy with levers, an org
chart, KPIs (one of them unhealthy), objectives spread over teams with two to four outcome key
results, some outputs, some levels to keep, an occasional copied key result, and aligns_to
links that point to earlier objectives only, so the graph has no loops.
"""

from __future__ import annotations

import json
import random
from math import ceil

MAX_PER_TEAM = 5

_LEVERS = [
    ("self-serve", "Win self-serve small businesses"),
    ("reliability", "Be the analytics tool that is never down"),
    ("partners", "Grow through accountants and agencies"),
    ("enterprise", "Earn the trust of larger customers"),
]
_KPIS = [
    ("logo-churn", "Monthly logo churn", "%", "decrease", "<= 2.5", 2.9),
    ("uptime", "Monthly uptime", "%", "increase", ">= 99.9", 99.95),
    ("nps", "Net promoter score", None, "increase", "30..80", 42),
    ("support-backlog", "Open support tickets", None, "decrease", "<= 400", 310),
]
_TEAM_WORDS = [
    "Growth", "Onboarding", "Billing", "Data platform", "Mobile", "Reporting", "Integrations",
    "Support", "Sales", "Marketing", "Security", "Infrastructure", "Design", "Partnerships",
    "Pricing", "Search", "Notifications", "Identity", "Analytics", "Content",
]  # fmt: skip
_WHO = [
    "New teams", "Small businesses", "Accountants", "Owners", "Agencies", "Admins",
    "Trial users", "Larger customers", "Mobile users", "Partners", "Analysts", "Customers",
]  # fmt: skip
_WHAT = [
    "get to value in their first week", "trust the numbers they see", "find answers without help",
    "get reports to their clients without effort", "stay with us because we pay off",
    "understand what they pay for", "get integrations working in minutes", "check their numbers on "
    "the go", "recommend us to their peers", "never wait for a dashboard to load",
]  # fmt: skip
_BUSINESS_TITLES = [
    "Growth pays for itself", "Every channel earns its keep", "Revenue grows with usage",
    "We spend less to win each customer",
]  # fmt: skip
# (verb, measure, unit, low, high): the measure moves from low-ish to high-ish (or down).
_UP = ["Raise", "Grow", "Increase", "Lift", "Boost"]
_DOWN = ["Cut", "Reduce", "Lower", "Shorten"]
_MEASURES = [
    ("up", "week-1 activation of new workspaces", "%", 20, 70),
    ("up", "90-day logo retention", "%", 70, 95),
    ("up", "weekly active users", "", 1000, 90000),
    ("up", "net revenue retention", "%", 90, 120),
    ("up", "the share of reports shared with clients", "%", 5, 60),
    ("up", "trial-to-paid conversion", "%", 3, 25),
    ("up", "monthly recurring revenue", "$", 50000, 900000),
    ("up", "support CSAT", "%", 60, 95),
    ("up", "the number of connected integrations per workspace", "", 1, 9),
    ("down", "the median time to first dashboard", " minutes", 5, 90),
    ("down", "customer acquisition cost", "$", 150, 900),
    ("down", "the p95 load time of dashboards", " ms", 300, 4000),
    ("down", "first response time in support", " hours", 1, 30),
    ("down", "monthly logo churn", "%", 1, 6),
]
_OUTPUTS = [
    "Launch the {} wizard", "Ship the new {} page", "Build the {} integration",
    "Migrate {} to the new platform", "Publish a guide to {}", "Host {} workshops",
]  # fmt: skip
_THINGS = ["onboarding", "billing", "sharing", "reporting", "mobile", "partner portal", "pricing"]
# Levels to keep: (template, lowest and highest level, unit).
_KEEPS = [
    ("Keep monthly uptime {} at or above {}%", (99.0, 99.99), "%"),
    ("Keep open support tickets {} below {}", (50, 900), None),
    ("Maintain NPS {} above {}", (20, 60), None),
]
# Each team works for its own segment, so its key results differ from those it aligns to.
_SEGMENTS = [
    "for accountants", "in the EU", "on mobile", "for agencies", "in the partner channel",
    "for new workspaces", "among trial users", "in North America", "for retailers",
    "for enterprise accounts", "in the UK", "for nonprofits", "on the free plan",
    "for restaurants", "in Germany", "for clinics", "in the self-serve funnel", "for schools",
    "for freelancers", "in Australia", "for logistics firms", "on the team plan",
    "for law firms", "in Latin America",
]  # fmt: skip


# Teams of different segments mostly track different measures, as real teams do.
_WINDOWS = {
    segment: [_MEASURES[(i * 5 + j) % len(_MEASURES)] for j in range(5)]
    for i, segment in enumerate(_SEGMENTS)
}


def generate_plan_text(
    objectives: int,
    key_results_per_objective: int = 4,
    teams: int | None = None,
    seed: int = 0,
    period: str = "2026-Q3",
) -> str:
    """A valid OKR file with this many objectives (at most five per team), as YAML text."""
    if objectives < 0 or key_results_per_objective < 0:
        raise ValueError("objectives and key_results_per_objective must not be negative")
    team_count = teams if teams is not None else max(1, ceil(objectives / 4))
    if team_count < 1 or objectives > MAX_PER_TEAM * team_count:
        raise ValueError(f"{objectives} objectives need at least {ceil(objectives / 5)} teams")
    rng = random.Random(seed)
    lines = [
        "version: 1",
        "organization: Generated Analytics",
        f"period: {period}",
        *_strategy(),
        *_teams(team_count, rng),
        *_kpis(),
        "objectives:",
    ]
    owners = _spread(objectives, team_count)
    by_team: dict[int, list[tuple[str, list[str]]]] = {}
    for index, team in enumerate(owners):
        objective_id = f"o{index:05d}"
        targets = _targets(team, by_team, rng)
        titles = _objective(lines, objective_id, team, targets, key_results_per_objective, rng)
        by_team.setdefault(team, []).append((objective_id, titles))
    return "\n".join(lines) + "\n"


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _strategy() -> list[str]:
    lines = [
        "strategy:",
        "  vision: Every team decides with live data.",
        "  mission: Make analytics self-serve for small businesses.",
        "  levers:",
    ]
    for lever_id, title in _LEVERS:
        lines += [f"    - id: {lever_id}", f"      title: {_q(title)}"]
    return lines


def _parent(index: int) -> int:
    """Teams form a tree four wide: team i reports to team (i - 1) // 4."""
    return (index - 1) // 4


def _segment(team: int) -> str:
    """The segment a team works for: never the same as any team above it in the tree."""
    depth, node = 0, team
    while node:
        node, depth = _parent(node), depth + 1
    return _SEGMENTS[(depth * 4 + team % 4) % len(_SEGMENTS)]


def _teams(count: int, rng: random.Random) -> list[str]:
    lines = ["teams:", "  - id: t0000", "    name: Company"]
    for i in range(1, count):
        word = _TEAM_WORDS[i % len(_TEAM_WORDS)]
        lines += [f"  - id: t{i:04d}", f"    name: {_q(f'{word} {i}')}"]
        lines.append(f"    parent: t{_parent(i):04d}")
        if rng.random() < 0.02:
            lines.append("    phase: exploratory")
    return lines


def _kpis() -> list[str]:
    lines = ["kpis:"]
    for kpi_id, title, unit, direction, healthy, current in _KPIS:
        lines += [f"  - id: {kpi_id}", f"    title: {_q(title)}"]
        if unit:
            lines.append(f"    unit: {_q(unit)}")
        lines += [
            f"    direction: {direction}",
            f"    healthy: {_q(healthy)}",
            f"    current: {current}",
        ]
    return lines


def _spread(objectives: int, team_count: int) -> list[int]:
    """The team of each objective, in file order: parents' objectives before their children's."""
    base, extra = divmod(objectives, team_count)
    owners: list[int] = []
    for team in range(team_count):
        owners += [team] * (base + (1 if team < extra else 0))
    return owners


def _targets(
    team: int, by_team: dict[int, list[tuple[str, list[str]]]], rng: random.Random
) -> list[tuple[str, list[str]]]:
    """One objective of the parent team to align to, sometimes a second from the company."""
    if team == 0:
        return []
    found: list[tuple[str, list[str]]] = []
    parent = by_team.get(_parent(team))
    if parent:
        found.append(rng.choice(parent))
    company = by_team.get(0)
    if company and rng.random() < 0.2 and _parent(team) != 0:
        found.append(rng.choice(company))
    return found


def _objective(
    lines: list[str],
    objective_id: str,
    team: int,
    targets: list[tuple[str, list[str]]],
    kr_count: int,
    rng: random.Random,
) -> list[str]:
    """Append one objective; return its key-result titles (for copies further down)."""
    business = rng.random() < 0.15
    title = rng.choice(_BUSINESS_TITLES) if business else f"{rng.choice(_WHO)} {rng.choice(_WHAT)}"
    lines += [f"  - id: {objective_id}", f"    team: t{team:04d}", f"    title: {_q(title)}"]
    if rng.random() < 0.5:
        lines.append(f"    focus: {'business' if business else 'customer'}")
    levers = rng.sample([lever_id for lever_id, *_ in _LEVERS], rng.choice((1, 1, 2)))
    lines.append(f"    levers: [{', '.join(levers)}]")
    if targets:
        lines.append(f"    aligns_to: [{', '.join(t for t, _ in targets)}]")
    if rng.random() < 0.25:
        lines.append(f"    guardrails: [{rng.choice(_KPIS)[0]}]")
    segment = _segment(team)
    titles: list[str] = []
    if kr_count:
        lines.append("    key_results:")
    for k in range(kr_count):
        titles.append(_key_result(lines, k, targets, segment, rng))
    if titles:
        lines += ["    initiatives:", f"      - title: {_q(_output_title(segment, rng))}"]
    return titles


def _key_result(
    lines: list[str],
    k: int,
    targets: list[tuple[str, list[str]]],
    segment: str,
    rng: random.Random,
) -> str:
    """Append one key result of a varied kind; return its title."""
    roll = rng.random()
    ident = (
        [f"      - id: kr{k + 1}", "        title: "] if rng.random() < 0.5 else ["      - title: "]
    )
    if roll < 0.02 and targets and targets[0][1]:
        return _metric(lines, ident, segment, rng, copy_of=rng.choice(targets[0][1]))
    if roll < 0.12:
        title = _output_title(segment, rng)
        _start(lines, ident, title)
        lines += ["        type: milestone", f"        done: {'true' if roll < 0.05 else 'false'}"]
        return title
    if roll < 0.18:
        template, (low, high), unit = rng.choice(_KEEPS)
        target = (
            round(rng.uniform(low, high), 2) if isinstance(low, float) else rng.randint(low, high)
        )
        title = template.format(segment, target)
        _start(lines, ident, title)
        lines.append(f"        target: {target}")
        if unit:
            lines.append(f"        unit: {_q(unit)}")
        return title
    return _metric(lines, ident, segment, rng)


def _start(lines: list[str], ident: list[str], title: str) -> None:
    lines.extend(ident[:-1])
    lines.append(ident[-1] + _q(title))


def _metric(
    lines: list[str],
    ident: list[str],
    segment: str,
    rng: random.Random,
    copy_of: str | None = None,
) -> str:
    """A metric key result moving a measure from A to B (or a copy of another's title)."""
    direction, measure, unit, low, high = rng.choice(_WINDOWS[segment])
    start = rng.randint(low, (low + high) // 2)
    end = rng.randint(start + 1, high) if start < high else high + 1
    if direction == "down":
        start, end = end, start
    verb = rng.choice(_UP if direction == "up" else _DOWN)
    change = f"from {_amount(start, unit)} to {_amount(end, unit)}"
    title = copy_of or f"{verb} {measure} {segment} {change}"
    _start(lines, ident, title)
    lines += [f"        baseline: {start}", f"        target: {end}"]
    if rng.random() < 0.6:
        lines.append(f"        current: {rng.randint(min(start, end), max(start, end))}")
    if unit.strip():
        lines.append(f"        unit: {_q(unit.strip())}")
    return title


def _amount(value: int, unit: str) -> str:
    if unit == "$":
        return f"${value:,}"
    if unit == "%":
        return f"{value}%"
    return f"{value:,}{unit}"


def _output_title(segment: str, rng: random.Random) -> str:
    return rng.choice(_OUTPUTS).format(rng.choice(_THINGS)) + " " + segment
