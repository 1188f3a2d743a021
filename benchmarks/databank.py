"""Latency of the data bank's search over 50,000 learnings, on SQLite and on PostgreSQL.

For each database (SQLite in a fresh data directory, PostgreSQL in a fresh
`constellation_bench_databank`) a child process migrates, builds an organisation of 8 teams
over 8 quarters with levers, objectives and key results, bulk-inserts its learnings and
initiative results (the full-text index is filled by the database as rows arrive) and another
organisation's learnings, then times `reviews.databank.search` (rows and snippets loaded, as
the page and the API use it) for realistic queries, with and without filters.

Run:  .venv/bin/python benchmarks/databank.py [--databases sqlite postgres] [--learnings 50000]
                                              [--others 20000] [--rounds 30] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import write_figures  # a sibling module: the docs section writer

POSTGRES_DB = "constellation_bench_databank"
POSTGRES_URL = f"postgres://postgres@127.0.0.1:5432/{POSTGRES_DB}"
SECTION = "## The data bank: full-text search"
FIGURES_START = "<!-- figures of benchmarks/databank.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of data bank figures -->"
BATCH = 2000

SUBJECTS = [
    "onboarding emails", "the pricing page", "a longer free trial", "in-app tours",
    "sales calls", "webinars", "the setup checklist", "usage-based pricing", "annual plans",
    "the referral programme", "customer success check-ins", "release notes", "the help centre",
    "live chat", "dashboard templates", "the mobile app", "SSO for enterprise", "data imports",
    "the API documentation", "partner integrations", "discount codes", "case studies",
    "product-qualified leads", "cold outreach", "the community forum", "price localisation",
]  # fmt: skip
EFFECTS = [
    "doubled week-1 activation", "cut logo churn", "did not move retention",
    "raised expansion revenue", "lowered support tickets", "shortened time to value",
    "confused new admins", "slowed the sales cycle", "lifted trial conversion",
    "hurt net promoter score", "brought more qualified leads", "made renewals easier",
    "helped only larger accounts", "had no measurable effect", "increased seat growth",
]  # fmt: skip
AUDIENCES = [
    "for small teams", "for enterprise accounts", "in Germany", "for agencies",
    "for self-serve sign-ups", "for non-profits", "in the first month", "after a price change",
    "for returning customers", "for developers",
]  # fmt: skip
REASONS = [
    "because admins skipped the invite step", "since the value was shown too late",
    "as long as a person followed up", "when the copy named a concrete outcome",
    "but only with a named owner", "once the checklist was shorter",
    "unless the champion left", "while the sales team was short-staffed",
]  # fmt: skip
TAGS = ["onboarding", "pricing", "sales", "retention", "activation", "support", "growth", "ux"]
QUERIES = [
    ("onboarding emails", {}),
    ("pricing page churn", {}),
    ('"free trial" conversion', {}),
    ("sales calls enterprise accounts slowed", {}),
    ("champion left", {}),
    ("onboarding activation", {"team": 0}),
    ("pricing", {"period": 0}),
    ("churn retention", {"lever": 0}),
    ("support tickets", {"tag": "support"}),
    ("referral programme", {"outcome": "worked"}),
    ("dashboard templates small teams", {"team": 1, "period": 1}),
    ("", {"team": 2}),
]


def _sentence(rng: random.Random, number: int) -> str:
    subject, effect = rng.choice(SUBJECTS), rng.choice(EFFECTS)
    return (
        f"{subject.capitalize()} {effect} {rng.choice(AUDIENCES)} {rng.choice(REASONS)}"
        f" (note {number})."
    )


# ------------------------------------------------------------------ inside the child process


def _plan(org: Any, teams: int, periods: int) -> dict[str, list[Any]]:
    """Teams, quarters, levers, objectives and key results of one organisation."""
    from constellation.core.periods import parse_period
    from constellation.server.okrs.models import KeyResult, Objective, Period
    from constellation.server.orgs.models import Team
    from constellation.server.strategy.models import Lever

    made_teams = Team.objects.bulk_create(
        Team(organization=org, slug=f"team-{n}", name=f"Team {n}") for n in range(teams)
    )
    keys = [f"{2025 + n // 4}-Q{n % 4 + 1}" for n in range(periods)]
    made_periods = Period.objects.bulk_create(
        Period(organization=org, key=k, start=parse_period(k).start, end=parse_period(k).end)
        for k in keys
    )
    levers = Lever.objects.bulk_create(
        Lever(organization=org, slug=f"lever-{n}", title=f"Lever {n}") for n in range(4)
    )
    objectives = Objective.objects.bulk_create(
        Objective(organization=org, team=t, period=p, slug=f"o-{t.slug}-{p.key}-{n}", title="x")
        for t in made_teams
        for p in made_periods
        for n in range(3)
    )
    for number, objective in enumerate(objectives):
        objective.levers.add(levers[number % len(levers)])
    krs = KeyResult.objects.bulk_create(
        KeyResult(objective=o, slug=f"kr-{n}", title=f"Key result {n}")
        for o in objectives
        for n in range(2)
    )
    return {"teams": made_teams, "periods": made_periods, "levers": levers, "krs": krs}


def _fill(org: Any, plan: dict[str, list[Any]], count: int, results: int, progress: Any) -> None:
    """Bulk-insert `count` learnings and `results` initiative results, a batch at a time."""
    from constellation.server.okrs.models import Initiative
    from constellation.server.quarterly.models import InitiativeResult, Learning

    rng = random.Random(f"{org.slug}-{count}")
    krs = plan["krs"]
    task = progress.add_task(f"{org.slug}: learnings", total=count)
    for start in range(0, count, BATCH):
        rows = []
        for number in range(start, min(count, start + BATCH)):
            kr = rng.choice(krs)
            rows.append(
                Learning(
                    organization=org,
                    team_id=kr.objective.team_id,
                    period_id=kr.objective.period_id,
                    text=_sentence(rng, number),
                    tags=rng.sample(TAGS, rng.randint(0, 2)),
                    objective_id=kr.objective_id if number % 3 else None,
                    key_result=kr if number % 5 == 0 else None,
                )
            )
        Learning.objects.bulk_create(rows)
        progress.advance(task, len(rows))
    if not results:
        return
    initiatives = Initiative.objects.bulk_create(
        Initiative(objective=kr.objective, slug=f"i-{n}", title=rng.choice(SUBJECTS).capitalize())
        for n, kr in enumerate(krs[::2])
    )
    task = progress.add_task(f"{org.slug}: initiative results", total=results)
    outcomes = [choice for choice, _ in InitiativeResult.Outcome.choices]
    for start in range(0, results, BATCH):
        rows = []
        for _ in range(start, min(results, start + BATCH)):
            initiative = rng.choice(initiatives)
            rows.append(
                InitiativeResult(
                    organization=org,
                    team_id=initiative.objective.team_id,
                    period_id=initiative.objective.period_id,
                    initiative=initiative,
                    initiative_title=initiative.title,
                    expected_effect=f"Expected it {rng.choice(EFFECTS)}",
                    observed_effect=f"It {rng.choice(EFFECTS)} {rng.choice(AUDIENCES)}",
                    outcome=rng.choice(outcomes),
                )
            )
        InitiativeResult.objects.bulk_create(rows)
        progress.advance(task, len(rows))


def _build(learnings: int, others: int) -> tuple[Any, dict[str, list[Any]], dict[str, float]]:
    """Both organisations, filled; the Access of the measured one and how long it took."""
    from django.contrib.auth.models import User
    from rich.console import Console
    from rich.progress import Progress

    from constellation.server.orgs.access import Access
    from constellation.server.orgs.models import Membership, Organization

    started = time.perf_counter()
    user = User.objects.create_user("bench")
    org = Organization.objects.create(slug="bench", name="Bench")
    other = Organization.objects.create(slug="other", name="Other")
    membership = Membership.objects.create(organization=org, user=user, role="member")
    plan = _plan(org, teams=8, periods=8)
    other_plan = _plan(other, teams=4, periods=4)
    with Progress(console=Console(stderr=True), transient=False) as progress:
        _fill(org, plan, learnings, results=learnings // 10, progress=progress)
        _fill(other, other_plan, others, results=0, progress=progress)
    facts = {"build_seconds": round(time.perf_counter() - started, 1)}
    return Access(org, membership), plan, facts


def _filters(plan: dict[str, list[Any]], chosen: dict[str, Any]) -> Any:
    from constellation.server.quarterly.databank import Filters

    return Filters(
        team=plan["teams"][chosen["team"]] if "team" in chosen else None,
        period=plan["periods"][chosen["period"]] if "period" in chosen else None,
        lever=plan["levers"][chosen["lever"]] if "lever" in chosen else None,
        outcome=chosen.get("outcome", ""),
        tag=chosen.get("tag", ""),
    )


def inner(learnings: int, others: int, rounds: int) -> dict[str, Any]:
    """Build the data and time every query `rounds` times after a warm-up."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.db import connection

    from constellation.server.quarterly.databank import search

    access, plan, facts = _build(learnings, others)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    rows = []
    for query, chosen in QUERIES:
        filters = _filters(plan, chosen)
        for _ in range(3):
            page = search(access, query, filters)
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            page = search(access, query, filters)
            [(hit.team.slug, hit.period.key, hit.objective) for hit in page.hits]
            samples.append((time.perf_counter() - started) * 1000)
        rows.append({"query": query, "filters": chosen, "count": page.count, "ms": samples})
    return {"facts": facts, "rows": rows}


# ------------------------------------------------------------------ the parent process


def _percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    return ordered[max(1, min(len(ordered), round(share * len(ordered) + 0.5))) - 1]


def _fresh_postgres() -> None:
    base = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qtAc"]
    subprocess.run([*base, f"DROP DATABASE IF EXISTS {POSTGRES_DB}"], check=True)
    subprocess.run([*base, f"CREATE DATABASE {POSTGRES_DB}"], check=True)


def run_database(database: str, args: argparse.Namespace) -> dict[str, Any]:
    """Run the child process for one database and read its figures."""
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    with tempfile.TemporaryDirectory(prefix="okr-bank-") as data_dir:
        env["OKR_DATA_DIR"] = data_dir
        if database == "postgres":
            _fresh_postgres()
            env["DATABASE_URL"] = POSTGRES_URL
        command = [sys.executable, __file__, "--inner", "--learnings", str(args.learnings)]
        command += ["--others", str(args.others), "--rounds", str(args.rounds)]
        done = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def table(figures: dict[str, dict[str, Any]]) -> str:
    """The figures as a Markdown table, one row per query and database."""
    lines = [
        "| database | query | filters | matches | p50 ms | p95 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for database, found in figures.items():
        for row in found["rows"]:
            chosen = ", ".join(f"{k}={v}" for k, v in row["filters"].items()) or "none"
            ms = row["ms"]
            lines.append(
                f"| {database} | `{row['query'] or '(empty)'}` | {chosen} | {row['count']:,} "
                f"| {_percentile(ms, 0.5):.1f} | {_percentile(ms, 0.95):.1f} | {max(ms):.1f} |"
            )
        every = [ms for row in found["rows"] for ms in row["ms"]]
        lines.append(
            f"| {database} | **all queries** | | | {statistics.median(every):.1f} "
            f"| {_percentile(every, 0.95):.1f} | {max(every):.1f} |"
        )
    return "\n".join(lines)


def write_docs(command: str, body: str) -> None:
    """Replace this benchmark's figures in docs/benchmarks.md (the section is added once)."""
    write_figures(SECTION, FIGURES_START, FIGURES_END, f"`{command}`", body)


def main() -> None:
    """Parse the arguments, run each database's child process and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--learnings", type=int, default=50_000)
    parser.add_argument("--others", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.learnings, args.others, args.rounds)))
        return
    figures = {database: run_database(database, args) for database in args.databases}
    notes = [
        f"- {database}: {args.learnings:,} learnings and {args.learnings // 10:,} initiative "
        f"results of the organisation searched, {args.others:,} learnings of another, "
        f"built in {found['facts']['build_seconds']} s."
        for database, found in figures.items()
    ]
    body = table(figures) + "\n\n" + "\n".join(notes)
    print(body)
    if args.write_docs:
        flags = " ".join(sys.argv[1:]).replace("--write-docs", "").strip()
        write_docs(f".venv/bin/python benchmarks/databank.py {flags}".strip(), body)


if __name__ == "__main__":
    main()
