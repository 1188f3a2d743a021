"""Latency of the dashboard and the objectives API, over real HTTP against `okr serve`.

For each database (SQLite in a fresh data directory, PostgreSQL in `constellation_bench`) this
builds the demo organisation, imports a generated organisation of 2,000 objectives, starts
`okr serve` as a subprocess, and times sequential requests (after a warm-up) to:
  GET /o/<org>/                       the dashboard (signed in with a session)
  GET /api/v1/orgs/<org>/objectives   the objectives list (Bearer token), its first page
Both run again "after a write" (as many requests): a check-in is posted through the API (not
timed) before each request, so every timed request finds the period's cached view out of date.

Run:     .venv/bin/python benchmarks/server.py [--databases sqlite postgres] [--requests 50]
                                               [--objectives 2000] [--write-docs]
Profile: .venv/bin/python benchmarks/server.py --profile   (where a dashboard's time goes)
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from figures import write_figures
from scale import session_cookie  # a sibling script: the login both benchmarks use

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
OKR = ROOT / ".venv" / "bin" / "okr"
POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/constellation_bench"
SECTION = "## The server: dashboard and objectives API latency"
BENCH_ORG = "bench"
BENCH_USER = "bench"
BENCH_PASSWORD = "bench-password"
TOKEN_NAME = "benchmark"


@dataclass
class Timing:
    """Latencies of one URL, in milliseconds."""

    database: str
    org: str
    objectives: int
    endpoint: str
    samples: list[float]
    size: int

    def percentile(self, share: float) -> float:
        """Nearest-rank percentile of the samples."""
        ordered = sorted(self.samples)
        rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
        return ordered[rank - 1]


# ---------------------------------------------------------------- inside the prepared process


def prepare(objectives: int) -> dict[str, object]:
    """Build the demo, import the generated organisation, and give the bench user access."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.contrib.auth.models import User
    from django.utils import timezone

    from constellation.core.generate import generate_plan_text
    from constellation.core.okrfile import load_text
    from constellation.core.periods import period_containing
    from constellation.server.demo import build_demo
    from constellation.server.okrs.models import Objective
    from constellation.server.orgs.models import Membership
    from constellation.server.plans.transfer import import_plan
    from constellation.server.tokens.actions import do_create_token, do_revoke_token
    from constellation.server.tokens.models import ApiToken

    today = timezone.localdate()
    started = time.perf_counter()
    demo = build_demo(today).organization
    demo_seconds = time.perf_counter() - started
    text = generate_plan_text(objectives, period=period_containing(today).key)
    plan = load_text(text, path=f"generated-{objectives}.yaml")
    started = time.perf_counter()
    report = import_plan(plan, BENCH_ORG)
    import_seconds = time.perf_counter() - started
    from constellation.server.orgs.models import Organization

    bench = Organization.objects.get(slug=BENCH_ORG)
    user, _ = User.objects.get_or_create(username=BENCH_USER)
    user.set_password(BENCH_PASSWORD)
    user.save()
    tokens = {}
    for org in (demo, bench):
        Membership.objects.get_or_create(organization=org, user=user, defaults={"role": "admin"})
        for old in ApiToken.objects.filter(user=user, organization=org, revoked=False):
            do_revoke_token(old, actor=user)
        tokens[org.slug] = do_create_token(user, org, TOKEN_NAME)[1]
    return {
        "demo_seconds": round(demo_seconds, 2),
        "import_seconds": round(import_seconds, 2),
        "import_changes": len(report.changes),
        "tokens": tokens,
        "objectives": {
            org.slug: Objective.objects.filter(organization=org, period__start__lte=today)
            .filter(period__end__gte=today)
            .count()
            for org in (demo, bench)
        },
    }


def _clock(phases: dict[str, list[float]], name: str, action: Any, *args: Any, **kw: Any) -> Any:
    """Call `action(*args, **kw)`, adding its milliseconds to `phases[name]`."""
    started = time.perf_counter()
    value = action(*args, **kw)
    phases.setdefault(name, []).append((time.perf_counter() - started) * 1000)
    return value


def profile(org: str, rounds: int) -> None:
    """Where a dashboard request's time goes: the phases of period_view, then the top functions."""
    import cProfile
    import pstats

    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from constellation.core import coach, scoring
    from constellation.server.orgs.models import Organization
    from constellation.server.plans.plan import read_plan
    from constellation.server.plans.scores import current_period, views

    organization = Organization.objects.get(slug=org)
    period = current_period(organization)
    today = timezone.localdate()
    phases: dict[str, list[float]] = {}
    rows: Any = None
    for _ in range(rounds):
        rows = _clock(
            phases,
            "read_plan (values queries into dataclasses)",
            read_plan,
            organization,
            period,
            with_check_ins=True,
        )
        _clock(phases, "core scoring.score_plan", scoring.score_plan, rows.plan, today)
        _clock(phases, "core coach.lint", coach.lint, rows.plan)
    client = Client()
    client.force_login(User.objects.get(username=BENCH_USER))
    url = f"/o/{org}/"
    response = client.get(url)
    api = f"/api/v1/orgs/{org}/objectives"
    queries: dict[str, int] = {}
    for _ in range(rounds):
        for name, path in (("the whole dashboard", url), ("the whole objectives API", api)):
            for cached in (False, True):
                if not cached:
                    views.clear()
                label = f"{name} ({'cached' if cached else 'computed'})"
                with CaptureQueriesContext(connection) as captured:
                    response = _clock(phases, label, client.get, path)
                assert response.status_code == 200, (path, response.status_code)
                queries[label] = len(captured)
    print(f"\n{org}: {len(rows.records):,} objectives; queries {queries}")
    for name, values in phases.items():
        print(f"  {name:<50} median {statistics.median(values):8.1f} ms")
    profiler = cProfile.Profile()
    views.clear()
    profiler.enable()
    client.get(url)
    profiler.disable()
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(30)


# ---------------------------------------------------------------- the driving process


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _environment(database: str, data_dir: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "OKR_DEBUG"}}
    env["OKR_DATA_DIR"] = str(data_dir)
    if database == "postgres":
        env["DATABASE_URL"] = POSTGRES_URL
    return env


def _ensure_postgres_database() -> None:
    name = urllib.parse.urlparse(POSTGRES_URL).path.lstrip("/")
    query = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-tAc"]
    exists = subprocess.run(
        [*query, f"select 1 from pg_database where datname = '{name}'"],
        capture_output=True,
        text=True,
        check=True,
    )
    if exists.stdout.strip() != "1":
        subprocess.run([*query, f"create database {name}"], check=True, capture_output=True)


def _wait_healthy(port: int, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"okr serve exited with {process.returncode}")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise SystemExit("okr serve did not answer /healthz in time")


def _time(
    port: int, path: str, headers: dict[str, str], warm: int, count: int
) -> tuple[list[float], int]:
    """Sequential requests on one kept-alive connection: milliseconds each, and the body size."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    samples: list[float] = []
    size = 0
    for i in range(warm + count):
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}: {body[:300]!r}")
        if i >= warm:
            samples.append(elapsed)
        size = len(body)
    connection.close()
    return samples, size


def _first_key_result(port: int, org: str, token: str) -> str:
    """`objective/kr` of the organisation's first listed key result, to check in on."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}"}
    connection.request("GET", f"/api/v1/orgs/{org}/objectives?limit=1", headers=headers)
    listed = json.loads(connection.getresponse().read())
    connection.close()
    return next(kr["id"] for o in listed["objectives"] for kr in o["key_results"])


def _time_after_writes(
    port: int, path: str, headers: dict[str, str], write: tuple[str, str], count: int
) -> tuple[list[float], int]:
    """Like `_time`, with a check-in posted (untimed) before each request."""
    write_path, token = write
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    auth = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    samples: list[float] = []
    size = 0
    for number in range(count):
        body = json.dumps({"value": 40 + number % 7, "confidence": 7, "note": "benchmark"})
        connection.request("POST", write_path, body=body, headers=auth)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 201:
            raise SystemExit(f"POST {write_path} answered {answer.status}")
        started = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        body_bytes = response.read()
        samples.append((time.perf_counter() - started) * 1000)
        if response.status != 200:
            raise SystemExit(f"GET {path} answered {response.status}: {body_bytes[:300]!r}")
        size = len(body_bytes)
    connection.close()
    return samples, size


def _prepared(database: str, objectives: int) -> tuple[dict[str, str], dict]:
    """A data directory (and database) holding the demo and the generated organisation."""
    data_dir = Path(tempfile.mkdtemp(prefix=f"okr-bench-{database}-"))
    if database == "postgres":
        _ensure_postgres_database()
    env = _environment(database, data_dir)
    prepared = subprocess.run(
        [str(PYTHON), __file__, "--prepare", "--objectives", str(objectives)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if prepared.returncode != 0:
        raise SystemExit(f"preparing {database} failed:\n{prepared.stderr}")
    return env, json.loads(prepared.stdout.strip().splitlines()[-1])


def run_profile(database: str, objectives: int) -> None:
    """Profile the dashboard of both organisations in a prepared database."""
    env, _ = _prepared(database, objectives)
    print(f"# {database}")
    for org in ("demo", BENCH_ORG):
        subprocess.run([str(PYTHON), __file__, "--profile-inner", org], env=env, check=True)


def run_database(
    database: str, objectives: int, count: int, warm: int
) -> tuple[list[Timing], dict]:
    """Prepare, serve and time one database."""
    env, facts = _prepared(database, objectives)
    port = _free_port()
    server = subprocess.Popen(
        [str(OKR), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    timings: list[Timing] = []
    # As many as the repeated views: with 20, the p95 was simply the slowest request.
    after_writes = count
    try:
        _wait_healthy(port, server)
        cookie = session_cookie(port, BENCH_USER, BENCH_PASSWORD)
        for org in ("demo", BENCH_ORG):
            token = facts["tokens"][org]
            targets = [
                ("dashboard", f"/o/{org}/", {"Cookie": cookie}),
                (
                    "API objectives",
                    f"/api/v1/orgs/{org}/objectives",
                    {"Authorization": f"Bearer {token}"},
                ),
            ]
            kr = _first_key_result(port, org, token)
            write = (f"/api/v1/orgs/{org}/key-results/{kr}/check-ins", token)
            for endpoint, path, headers in targets:
                samples, size = _time(port, path, headers, warm, count)
                timings.append(
                    Timing(database, org, facts["objectives"][org], endpoint, samples, size)
                )
            for endpoint, path, headers in targets:
                samples, size = _time_after_writes(port, path, headers, write, after_writes)
                timings.append(
                    Timing(
                        database,
                        org,
                        facts["objectives"][org],
                        f"{endpoint} after a write",
                        samples,
                        size,
                    )
                )
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)
    return timings, facts


def table(timings: list[Timing]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| database | organisation (objectives in the period) | request "
        "| p50 ms | p95 ms | max ms | body KiB |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for t in timings:
        lines.append(
            f"| {t.database} | {t.org} ({t.objectives:,}) | {t.endpoint} | {t.percentile(0.5):.0f} "
            f"| {t.percentile(0.95):.0f} | {max(t.samples):.0f} | {t.size / 1024:,.0f} |"
        )
    return "\n".join(lines)


FIGURES_START = "<!-- figures of benchmarks/server.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of figures -->"


def write_docs(command: str, body: str) -> None:
    """Replace this benchmark's figures in docs/benchmarks.md (the section is added once)."""
    write_figures(SECTION, FIGURES_START, FIGURES_END, f"`{command}`", body)


def main() -> None:
    """Parse the arguments and run the benchmark (or one of its in-process steps)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=10)
    parser.add_argument("--objectives", type=int, default=2000)
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="where a dashboard's time goes")
    parser.add_argument("--profile-inner", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare(args.objectives)))
        return
    if args.profile_inner:
        profile(args.profile_inner, rounds=5)
        return
    if args.profile:
        for database in args.databases:
            run_profile(database, args.objectives)
        return
    timings: list[Timing] = []
    notes = []
    for database in args.databases:
        found, facts = run_database(database, args.objectives, args.requests, args.warm_up)
        timings.extend(found)
        notes.append(
            f"- {database}: demo built in {facts['demo_seconds']} s; the "
            f"{args.objectives:,}-objective import took {facts['import_seconds']} s "
            f"({facts['import_changes']:,} changes)."
        )
    result = table(timings) + "\n\n" + "\n".join(notes)
    print(result)
    if args.write_docs:
        command = ".venv/bin/python benchmarks/server.py " + " ".join(sys.argv[1:])
        write_docs(command.replace(" --write-docs", ""), result)


if __name__ == "__main__":
    main()
