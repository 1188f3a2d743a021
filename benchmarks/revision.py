"""Cost of reading an organisation's revision as its audit history grows, and of counting writes.

For each database (SQLite in a fresh data directory, PostgreSQL in a fresh
`constellation_bench_audit`) a child process migrates, writes N audit events for one
organisation (in batches, counted like any other write), then times, in milliseconds (median
of the rounds):
  - the former revision query: COUNT and MAX(id) over the organisation's audit events;
  - `okrs.scores.revision`: the sum and maximum of the organisation's few counter rows;
  - `okrs.incremental`'s read of the events after a known revision (one new event);
  - `audit.actions.record` (insert and count, in a transaction) against the bare insert.

Run:  .venv/bin/python benchmarks/revision.py [--events 500000] [--rounds 30]
                                               [--databases sqlite postgres]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_DATABASE = "constellation_bench_audit"
BATCH = 5000


def _median_ms(rounds: int, work: Any) -> float:
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 3)


def _fill(organization: Any, events: int) -> float:
    """Write the history in batches; seconds taken."""
    from constellation.server.audit.models import AuditEvent

    started = time.perf_counter()
    for first in range(0, events, BATCH):
        AuditEvent.objects.bulk_create(
            AuditEvent(
                organization=organization,
                action="check_in",
                object_type="keyresult",
                object_id=number % 8000,
                object_repr=f"key result {number % 8000}",
                after={"current": number % 100},
            )
            for number in range(first, min(events, first + BATCH))
        )
    return time.perf_counter() - started


def inner(events: int, rounds: int) -> dict[str, Any]:
    """Inside the child process: the figures as a dict."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.db import connection, models, transaction
    from django.db.models import Count, Max

    from constellation.server.audit.actions import record
    from constellation.server.audit.models import AuditEvent
    from constellation.server.orgs.models import Organization
    from constellation.server.plans.incremental import _events_since
    from constellation.server.plans.scores import revision

    organization = Organization.objects.create(slug="bench-audit", name="Bench audit")
    Organization.objects.create(slug="bench-quiet", name="Quiet")
    fill_seconds = _fill(organization, events)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # as autovacuum would have done by now
            cursor.execute("VACUUM ANALYZE audit_auditevent")
    else:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    events_of = AuditEvent.objects.filter(organization_id=organization.pk)

    def former() -> Any:
        return events_of.aggregate(count=Count("id"), last=Max("id"))

    assert revision(organization) == (former()["count"], former()["last"])
    since = revision(organization)
    record(organization.pk, None, "check_in", organization)

    def bare_insert() -> None:
        with transaction.atomic():
            models.Model.save(AuditEvent(organization=organization, action="bench"))

    def counted_insert() -> None:
        with transaction.atomic():
            record(organization.pk, None, "bench", organization)

    return {
        "database": connection.vendor,
        "events": events,
        "fill_seconds": round(fill_seconds, 1),
        "former": _median_ms(rounds, former),
        "revision": _median_ms(rounds, lambda: revision(organization)),
        "since": _median_ms(rounds, lambda: _events_since(organization, since)),
        "bare_insert": _median_ms(rounds, bare_insert),
        "record": _median_ms(rounds, counted_insert),
    }


def _environment(database: str, data_dir: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    env["OKR_DATA_DIR"] = data_dir
    if database == "postgres":
        query = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc"]
        subprocess.run([*query, f"drop database if exists {POSTGRES_DATABASE}"], check=True)
        subprocess.run([*query, f"create database {POSTGRES_DATABASE}"], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{POSTGRES_DATABASE}"
    return env


def main() -> None:
    """Run the benchmark on each database and print a Markdown table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=500_000)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(inner(args.events, args.rounds)))
        return
    print(
        "| database | audit events of the organisation | COUNT + MAX (former) ms "
        "| `revision()` ms | events since a revision ms | bare insert ms | `record()` ms |"
    )
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for database in args.databases:
        with tempfile.TemporaryDirectory() as data_dir:
            command = [sys.executable, __file__, "--inner", "--events", str(args.events)]
            done = subprocess.run(
                [*command, "--rounds", str(args.rounds)],
                env=_environment(database, data_dir),
                cwd=ROOT,
                check=True,
                capture_output=True,
                text=True,
            )
        f = json.loads(done.stdout.strip().splitlines()[-1])
        print(
            f"| {database} | {f['events']:,} (written in {f['fill_seconds']} s) | {f['former']} "
            f"| {f['revision']} | {f['since']} | {f['bare_insert']} | {f['record']} |"
        )


if __name__ == "__main__":
    main()
