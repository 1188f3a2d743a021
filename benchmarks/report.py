"""Time to build the quarterly review report of a generated organisation, as data, Markdown, PDF.

A child process migrates a fresh SQLite data directory, imports a generated organisation
(`constellation.core.generate.generate_plan_text(N)`, 4 key results per objective, in the
current quarter), gives every key result three check-ins, then times `reviews.report.gather`
(queries and scoring, nothing cached), `to_markdown` and `to_pdf` for the whole organisation
and for one team. Best of the rounds, in seconds.

Run:  .venv/bin/python benchmarks/report.py [--objectives 2000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ORG = "bench-report"


def _prepare(objectives: int) -> Any:
    """Import the generated organisation and check in on every key result three times."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.utils import timezone

    from constellation.core.generate import generate_plan_text
    from constellation.core.okrfile import load_text
    from constellation.core.periods import period_containing
    from constellation.server.okrs.models import KeyResult, Period
    from constellation.server.plans.transfer import import_plan
    from constellation.server.tracking.models import CheckIn

    today = timezone.localdate()
    key = period_containing(today).key
    import_plan(load_text(generate_plan_text(objectives, period=key), path="bench.yaml"), ORG)
    period = Period.objects.get(organization__slug=ORG, key=key)
    rows = KeyResult.objects.filter(objective__period=period).values_list("id", "baseline")
    CheckIn.objects.bulk_create(
        CheckIn(key_result_id=pk, value=(baseline or 0) + step, checked_on=day)
        for pk, baseline in rows
        for step, day in enumerate(
            (period.start, period.start + timedelta(days=20), min(today, period.end)), start=1
        )
    )
    return period


def _best(rounds: int, work: Any) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(rounds):
        started = time.perf_counter()
        result = work()
        best = min(best, time.perf_counter() - started)
    return best, result


def inner(objectives: int, rounds: int) -> dict[str, Any]:
    """Inside the child process: the figures as a dict."""
    period = _prepare(objectives)
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from constellation.server.orgs.access import Access
    from constellation.server.orgs.models import Membership, Organization, Team
    from constellation.server.plans.scores import views
    from constellation.server.quarterly.report import gather
    from constellation.server.quarterly.report_markdown import to_markdown
    from constellation.server.quarterly.report_pdf import to_pdf

    org = Organization.objects.get(slug=ORG)
    user, _ = User.objects.get_or_create(username="bench-report")
    membership, _ = Membership.objects.get_or_create(organization=org, user=user, role="viewer")
    access = Access(org, membership)
    figures: dict[str, Any] = {"objectives": objectives}
    for scope, team in (
        ("organisation", None),
        ("one team", Team.objects.filter(organization=org).first()),
    ):

        def fresh(team: Any = team) -> Any:
            views.clear()
            return gather(access, period, team)

        with CaptureQueriesContext(connection) as queries:
            fresh()
        seconds, report = _best(rounds, fresh)
        md_seconds, _ = _best(rounds, lambda report=report: to_markdown(report))
        pdf_seconds, pdf = _best(rounds, lambda report=report: to_pdf(report))
        figures[scope] = {
            "objectives": sum(len(t.objectives) for t in report.teams),
            "queries": len(queries),
            "gather": round(seconds, 3),
            "markdown": round(md_seconds, 3),
            "pdf": round(pdf_seconds, 2),
            "pdf_kib": round(len(pdf) / 1024),
        }
    return figures


def main() -> None:
    """Run the benchmark in a fresh data directory and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.objectives, args.rounds)))
        return
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
        env["OKR_DATA_DIR"] = data_dir
        command = [sys.executable, __file__, "--inner", "--objectives", str(args.objectives)]
        done = subprocess.run(
            [*command, "--rounds", str(args.rounds)],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print("| scope | objectives | queries | gather (s) | Markdown (s) | PDF (s) | PDF size |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for scope in ("organisation", "one team"):
        f = figures[scope]
        print(
            f"| {scope} | {f['objectives']:,} | {f['queries']} | {f['gather']} | {f['markdown']} "
            f"| {f['pdf']} | {f['pdf_kib']:,} KiB |"
        )


if __name__ == "__main__":
    main()
