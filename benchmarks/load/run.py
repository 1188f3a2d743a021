"""Load: two app and two worker processes on PostgreSQL under Locust, then every write checked.

On a fresh copy of the scale organisation (benchmarks/scale_data.py, cached; 10,000 objectives
by default) this starts two `okr serve` app processes (`--no-worker`, each on its own port of
127.0.0.1) and two `okr worker` processes, then runs Locust headless (benchmarks/load/
locustfile.py): 50 users spawned 10 a second for 5 minutes, half on each app, 90 % reads
(dashboard, objectives API, objective page, team page, My week) and 10 % writes (check-ins
through the API and the web form, objective and key result edits with their version,
alignments, KPI readings, new draft objectives). Every write acknowledged with a 2xx is
recorded; after the run each one is looked for in the database.

Run:  .venv/bin/python benchmarks/load/run.py [--objectives 10000] [--minutes 5] [--users 50]
          [--spawn-rate 10] [--app-workers 1] [--wait 0.5 1.5] [--write-docs]
Dev:  .venv/bin/python benchmarks/load/run.py --minutes 1 --objectives 2000
"""

from __future__ import annotations

import argparse
import csv
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import scale  # the sibling benchmark: starting and stopping `okr serve`
import scale_data  # the cached organisations
from figures import write_figures

HERE = Path(__file__).resolve().parent

ROOT = scale_data.ROOT
LOCUST = ROOT / ".venv" / "bin" / "locust"
SECTION = "## Load: two app and two worker processes under Locust"
FIGURES_START = "<!-- figures of benchmarks/load/run.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of figures of benchmarks/load/run.py -->"
DATABASE = "constellation_scale_load"


# ---------------------------------------------------------------- inside the prepared database


def prepare_people(count: int) -> dict[str, Any]:
    """The first `count` team leads become admins with a session and a write token each."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.models import User
    from django.contrib.sessions.backends.db import SessionStore

    from constellation.server.kpis.models import Kpi
    from constellation.server.okrs.models import Objective, Period
    from constellation.server.orgs.models import Membership, Organization, Team
    from constellation.server.tokens.actions import do_create_token

    org = Organization.objects.get(slug=scale_data.ORG)
    people = []
    for index in range(count):
        user = User.objects.get(username=f"p{index:05d}")
        Membership.objects.filter(organization=org, user=user).update(role="admin")
        # A signed-in session made directly: no password hashing in the measured minutes.
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        token = do_create_token(user, org, "load test")[1]
        people.append({"index": index, "username": user.username, "session": session.session_key,
                       "token": token})  # fmt: skip
    period = Period.objects.filter(organization=org).order_by("-start").first()
    assert period is not None
    return {
        "org": org.slug,
        "period": period.key,
        "objectives": Objective.objects.filter(organization=org, period=period).count(),
        "teams": Team.objects.filter(organization=org).count(),
        "kpis": list(Kpi.objects.filter(organization=org).values_list("slug", flat=True)),
        "people": people,
    }


def verify(path: Path) -> dict[str, Any]:
    """Look for every acknowledged write in the database: found and missing, by kind."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from constellation.server.kpis.models import KpiReading
    from constellation.server.okrs.models import Alignment, KeyResult, Objective
    from constellation.server.tracking.models import CheckIn

    org = scale_data.ORG
    writes = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    last_title: dict[tuple[str, str], str] = {}
    result: dict[str, dict[str, Any]] = {}

    def note(kind: str, ok: bool, what: dict[str, Any]) -> None:
        entry = result.setdefault(kind, {"acknowledged": 0, "found": 0, "missing": []})
        entry["acknowledged"] += 1
        entry["found"] += ok
        if not ok and len(entry["missing"]) < 10:
            entry["missing"].append(what)

    for w in writes:
        kind = w["kind"]
        if kind == "check_in":
            objective, kr = w["kr"].split("/")
            found = CheckIn.objects.filter(
                key_result__objective__organization__slug=org,
                key_result__objective__slug=objective,
                key_result__slug=kr,
                note=w["note"],
                value=w["value"],
            )
            if "id" in w:
                found = found.filter(pk=w["id"])
            note(kind, found.exists(), w)
        elif kind == "alignment":
            ok = Alignment.objects.filter(
                source__organization__slug=org, source__slug=w["source"], target__slug=w["target"]
            ).exists()
            note(kind, ok, w)
        elif kind == "kpi_reading":
            ok = KpiReading.objects.filter(
                kpi__organization__slug=org,
                kpi__slug=w["kpi"],
                taken_on=w["date"],
                value=w["value"],
            ).exists()
            note(kind, ok, w)
        elif kind == "objective_created":
            ok = Objective.objects.filter(
                organization__slug=org, slug=w["objective"], title=w["title"]
            ).exists()
            note(kind, ok, w)
        elif kind in {"objective_title", "key_result_title"}:
            # Only one simulated user edits a row, one request at a time: the last title it
            # was told was saved is the one the row holds.
            last_title[(kind, w.get("objective") or w["kr"])] = w["title"]
    for (kind, key), title in last_title.items():
        if kind == "objective_title":
            ok = Objective.objects.filter(organization__slug=org, slug=key, title=title).exists()
        else:
            objective, kr = key.split("/")
            ok = KeyResult.objects.filter(
                objective__organization__slug=org, objective__slug=objective, slug=kr, title=title
            ).exists()
        note(f"{kind} (the last of each row)", ok, {"row": key, "title": title})
    for kind in ("objective_title", "key_result_title"):
        edits = sum(1 for w in writes if w["kind"] == kind)
        if edits:
            result[f"{kind} (the last of each row)"]["edits"] = edits
    return result


# ---------------------------------------------------------------- the driving process


def _inside(env: dict[str, str], *args: str) -> Any:
    done = subprocess.run(
        [str(scale_data.PYTHON), __file__, *args],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _stats(prefix: Path) -> list[dict[str, str]]:
    with open(f"{prefix}_stats.csv", encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def run(args: argparse.Namespace) -> tuple[str, dict[str, Any]]:
    """Prepare, start the processes, run Locust, stop everything, verify; the figures."""
    env, facts = scale_data.fresh_copy("postgres", args.objectives, name=DATABASE)
    work = Path(tempfile.mkdtemp(prefix="okr-load-"))
    print(f"# load test in {work}", file=sys.stderr)
    people = _inside(env, "--prepare-people", str(args.users))
    (work / "people.json").write_text(json.dumps(people))
    records = work / "writes.jsonl"
    records.touch()
    ports = [scale._free_port() for _ in range(2)]
    processes: list[subprocess.Popen] = []
    rss: dict[str, int] = {}
    try:
        for number, port in enumerate(ports):
            log = work / f"app{number + 1}.log"
            workers = str(args.app_workers)
            processes.append(
                scale.start_server(env, port, log, "--workers", workers, "--no-worker")
            )
        for number in range(2):
            log = (work / f"worker{number + 1}.log").open("ab")
            worker = subprocess.Popen(
                [str(scale_data.OKR), "worker"], env=env, stdout=log, stderr=subprocess.STDOUT
            )
            processes.append(worker)
        hosts = [f"http://127.0.0.1:{port}" for port in ports]
        locust_env = {
            **env,
            "LOAD_HOSTS": ",".join(hosts),
            "LOAD_PEOPLE": str(work / "people.json"),
            "LOAD_RECORDS": str(records),
            "LOAD_WAIT": f"{args.wait[0]},{args.wait[-1]}",
        }
        command = [
            str(LOCUST),
            "-f",
            str(HERE / "locustfile.py"),
            "--headless",
            "--users",
            str(args.users),
            "--spawn-rate",
            str(args.spawn_rate),
            "--run-time",
            f"{round(args.minutes * 60)}s",
            "--host",
            hosts[0],
            "--csv",
            str(work / "locust"),
            "--only-summary",
            "--stop-timeout",
            "10",
        ]
        started = time.perf_counter()
        with (work / "locust.log").open("wb") as log:
            subprocess.run(command, env=locust_env, stdout=log, stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
        for number, process in enumerate(processes[:2]):
            for name, kib in scale.peak_rss(process.pid).items():
                rss[f"app {number + 1} {name}"] = kib
    finally:
        for process in processes:
            scale.stop(process)
    checked = _inside(env, "--verify", str(records))
    stats = _stats(work / "locust")
    return report(args, stats, checked, rss, facts, seconds), {"work": str(work)}


def report(
    args: argparse.Namespace,
    stats: list[dict[str, str]],
    checked: dict[str, Any],
    rss: dict[str, int],
    facts: dict[str, Any],
    seconds: float,
) -> str:
    """The figures as Markdown: the latency table, the verification, the setting."""
    lines = [
        "| request | count | failures | p50 ms | p95 ms | p99 ms | max ms | req/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in sorted(stats, key=lambda r: (r["Name"] == "Aggregated", r["Name"])):
        name = "**all requests**" if row["Name"] == "Aggregated" else row["Name"]
        lines.append(
            f"| {name} | {row['Request Count']} | {row['Failure Count']} | {row['50%']} "
            f"| {row['95%']} | {row['99%']} | {float(row['Max Response Time']):.0f} "
            f"| {float(row['Requests/s']):.1f} |"
        )
    lines += ["", "| acknowledged writes | acknowledged | found in the database |"]
    lines.append("| --- | ---: | ---: |")
    missing = 0
    for kind, entry in sorted(checked.items()):
        extra = f" (of {entry['edits']} edits)" if "edits" in entry else ""
        lines.append(f"| {kind} | {entry['acknowledged']}{extra} | {entry['found']} |")
        missing += entry["acknowledged"] - entry["found"]
    verdict = "every acknowledged write is in the database" if not missing else (
        f"{missing} acknowledged writes are MISSING: "
        + json.dumps({k: v["missing"] for k, v in checked.items() if v["missing"]})
    )  # fmt: skip
    peak = ", ".join(f"{name} {kib / 1024:.0f} MiB" for name, kib in rss.items())
    lines += [
        "",
        f"- Verification: {verdict}.",
        f"- PostgreSQL, {facts['objectives']:,} objectives ({facts['teams']:,} teams, "
        f"{facts['check_ins']:,} check-ins); two `okr serve --workers {args.app_workers} "
        f"--no-worker` and two `okr worker`; {args.users} users at {args.spawn_rate}/s for "
        f"{args.minutes} min ({seconds:.0f} s with the ramp and the stop), half on each app; "
        f"each user waits {args.wait[0]:g}–{args.wait[-1]:g} s between requests.",
        f"- Peak RSS (VmHWM): {peak}.",
    ]
    return "\n".join(lines)


INTRO = (
    "Two `okr serve` app processes and two `okr worker` processes on PostgreSQL with the scale "
    "organisation (`benchmarks/scale_data.py`); Locust, headless, sends half its users to each "
    "app: 90 % reads (dashboard, objectives API pages, objective pages, team pages, My week), "
    "10 % writes (check-ins through the API and the web form, objective and key result title "
    "edits with their version, alignments, KPI readings, new draft objectives). Each simulated "
    "user writes only to its own teams' objectives, so a 409 would be a real error. Every write "
    "acknowledged with a 2xx is recorded, and looked for in the database after the run. "
    "Targets: p95 under 300 ms, no errors, every acknowledged write present."
)


def write_docs(command: str, body: str) -> None:
    """Replace this benchmark's figures in docs/benchmarks.md (the section is added once)."""
    write_figures(SECTION, FIGURES_START, FIGURES_END, f"`{command}`", body, INTRO)


def main() -> None:
    """Parse the arguments; run the load test (or one of its in-database steps)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objectives", type=int, default=10000)
    parser.add_argument("--minutes", type=float, default=5)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--spawn-rate", type=float, default=10)
    parser.add_argument("--app-workers", type=int, default=1, help="gunicorn workers per app")
    parser.add_argument(
        "--wait",
        type=float,
        nargs=2,
        default=[0.5, 1.5],
        metavar=("MIN", "MAX"),
        help="seconds a user waits between two requests",
    )
    parser.add_argument("--write-docs", action="store_true")
    parser.add_argument("--prepare-people", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--verify", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare_people:
        print(json.dumps(prepare_people(args.prepare_people)))
        return
    if args.verify:
        print(json.dumps(verify(Path(args.verify))))
        return
    body, where = run(args)
    print(body)
    print(f"(logs, Locust's CSV and the recorded writes: {where['work']})", file=sys.stderr)
    if args.write_docs:
        argv = [a for a in sys.argv[1:] if a != "--write-docs"]
        write_docs(" ".join([".venv/bin/python benchmarks/load/run.py", *argv]), body)


if __name__ == "__main__":
    main()
