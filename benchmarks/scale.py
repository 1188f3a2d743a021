"""Pages at scale against the raw-SQL floor, over real HTTP against `okr serve`.

For each database (SQLite, PostgreSQL) and size (objectives in one period; four key results and
twelve check-ins each, about five objectives per team: benchmarks/scale_data.py makes and caches
them, then `okr rescore` stores their scores), this starts one `okr serve` app process
(`--workers 1 --no-worker`) on 127.0.0.1 and times sequential requests, after a warm-up, to:
  dashboard       GET /o/<org>/?period=<key>                        (signed in, session cookie)
  API objectives  GET /api/v1/orgs/<org>/objectives?period=<key>    (Bearer token, first page)
  objective page  GET /o/<org>/objectives/<slug>/
  team page       GET /o/<org>/teams/<team>/?period=<key>
each "repeated" (the same request again and again) and "after an edit": before each timed
request, untimed, an edit through the API of the objective shown (alternately a PATCH of its
title with its version, and a check-in on its first key result).

Beside each page, its floor: the same rows read with raw SQL (sqlite3 / psycopg, no Django) on
the same database in the same run, as many times: the dashboard's GROUP BY per team of counts,
average progress and statuses plus the findings per team; the API's 100 objectives of page 1
with their key results, levers and alignments; the objective with its key results, check-ins and
history; the team with its objectives, key results and findings. And the app process's peak RSS
(VmHWM of the gunicorn worker) after all the requests.

Run:  .venv/bin/python benchmarks/scale.py [--sizes 2000 10000 25000]
          [--databases sqlite postgres] [--requests 50] [--warm-up 5] [--write-docs]
          [--refresh scores|all]   (run `okr rescore` again on the cached data / regenerate it)
"""

from __future__ import annotations

import argparse
import http.client
import json
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # a sibling module, not a package
from figures import write_figures

ROOT = scale_data.ROOT
SECTION = "## Scale: pages against the raw-SQL floor"
FIGURES_START = "<!-- figures of benchmarks/scale.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of figures of benchmarks/scale.py -->"
# The objective and team the pages show: team 1 reports to the company and four teams align to
# its objectives; its first objective is on the API's first page.
OBJECTIVE = "o00005"
TEAM = "t00001"
AUDIT_ROWS = 11  # the history rows the objective page reads: 10 shown, 1 to know of more
PAGE = 100  # the API's default page size


def percentile(samples: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


@dataclass
class Row:
    """One page at one size on one database: its latencies and its floor's, in milliseconds."""

    database: str
    objectives: int
    page: str
    repeated: list[float]
    after_edit: list[float]
    floor: list[float]
    size: int

    def cells(self, samples: list[float]) -> tuple[float, float]:
        return percentile(samples, 0.5), percentile(samples, 0.95)


@dataclass
class Run:
    """The results of one database at one size."""

    database: str
    objectives: int
    facts: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    rss_kib: dict[str, int] = field(default_factory=dict)
    # The server's least request (GET /healthz: no session, no table): what any page costs.
    least: list[float] = field(default_factory=list)


# ---------------------------------------------------------------- HTTP


class Client:
    """Sequential requests on one kept-alive connection to the app."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)

    def request(
        self, method: str, path: str, headers: dict[str, str], body: Any = None
    ) -> tuple[int, bytes, float]:
        data = json.dumps(body) if body is not None else None
        started = time.perf_counter()
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()  # the server closed a kept-alive connection: once more
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        content = response.read()
        return response.status, content, (time.perf_counter() - started) * 1000


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_healthy(port: int, process: subprocess.Popen[bytes], seconds: float = 120) -> None:
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


def session_cookie(port: int, username: str, password: str) -> str:
    """Log in through the login form; the Cookie header of the signed-in session."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/accounts/login/")
    response = connection.getresponse()
    response.read()
    csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie") or "")
    assert csrf, "the login page set no CSRF cookie"
    body = urllib.parse.urlencode(
        {"username": username, "password": password, "csrfmiddlewaretoken": csrf[1]}
    )
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": f"csrftoken={csrf[1]}",
        "Referer": f"http://127.0.0.1:{port}/accounts/login/",
    }
    connection.request("POST", "/accounts/login/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    session = re.search(r"sessionid=([^;]+)", response.getheader("Set-Cookie") or "")
    assert response.status == 302 and session, f"login failed ({response.status})"
    return f"sessionid={session[1]}; csrftoken={csrf[1]}"


def start_server(env: dict[str, str], port: int, log: Path, *extra: str) -> subprocess.Popen:
    """`okr serve` on 127.0.0.1:port as a subprocess, once it answers /healthz."""
    server = subprocess.Popen(
        [str(scale_data.OKR), "serve", "--host", "127.0.0.1", "--port", str(port), *extra],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )
    _wait_healthy(port, server)
    return server


def stop(process: subprocess.Popen) -> None:
    """Ctrl-C the process (and so its gunicorn workers) and wait for it."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _children(pid: int) -> list[int]:
    found: list[int] = []
    try:
        for task in Path(f"/proc/{pid}/task").iterdir():
            found += [int(c) for c in (task / "children").read_text().split()]
    except OSError:
        return found
    return found + [g for c in found for g in _children(c)]


def peak_rss(pid: int) -> dict[str, int]:
    """VmHWM (KiB) of `okr serve` (the gunicorn master) and of each of its worker processes."""
    found = {}
    for number in [pid, *_children(pid)]:
        try:
            status = Path(f"/proc/{number}/status").read_text()
        except OSError:
            continue
        peak = re.search(r"VmHWM:\s+(\d+) kB", status)
        if peak:
            found["master" if number == pid else f"worker {number}"] = int(peak[1])
    return found


# ---------------------------------------------------------------- the pages and their edits


class Editor:
    """Edits of the shown objective through the API, alternately a title and a check-in."""

    def __init__(self, client: Client, org: str, token: str) -> None:
        self.client = client
        self.org = org
        self.headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        self.count = 0
        self.version = self._version()

    def _version(self) -> int:
        status, body, _ = self.client.request(
            "GET", f"/api/v1/orgs/{self.org}/objectives/{OBJECTIVE}", self.headers
        )
        assert status == 200, (status, body[:300])
        return int(json.loads(body)["version"])

    def edit(self) -> None:
        self.count += 1
        if self.count % 2:
            self._patch_title()
        else:
            self._check_in()

    def _patch_title(self) -> None:
        for _ in range(3):
            body = {
                "version": self.version,
                "title": f"New teams get to value in their first week (edit {self.count})",
                "reason": "scale benchmark",
            }
            path = f"/api/v1/orgs/{self.org}/objectives/{OBJECTIVE}"
            status, answer, _ = self.client.request("PATCH", path, self.headers, body)
            if status == 200:
                self.version = int(json.loads(answer)["version"])
                return
            if status != 409:
                raise SystemExit(f"PATCH {path} answered {status}: {answer[:300]!r}")
            self.version = self._version()
        raise SystemExit("PATCH kept answering 409")

    def _check_in(self) -> None:
        path = f"/api/v1/orgs/{self.org}/key-results/{OBJECTIVE}/kr1/check-ins"
        body = {"value": 40 + self.count % 7, "confidence": 7, "note": "scale benchmark"}
        status, answer, _ = self.client.request("POST", path, self.headers, body)
        if status != 201:
            raise SystemExit(f"POST {path} answered {status}: {answer[:300]!r}")


def pages(org: str, period: str, cookie: str, token: str) -> list[tuple[str, str, dict]]:
    """(name, path, headers) of the four pages."""
    web = {"Cookie": cookie}
    api = {"Authorization": f"Bearer {token}"}
    query = urllib.parse.urlencode({"period": period})
    return [
        ("dashboard", f"/o/{org}/?{query}", web),
        ("API objectives", f"/api/v1/orgs/{org}/objectives?{query}", api),
        ("objective page", f"/o/{org}/objectives/{OBJECTIVE}/", web),
        ("team page", f"/o/{org}/teams/{TEAM}/?{query}", web),
    ]


def _get(client: Client, path: str, headers: dict) -> tuple[float, int]:
    status, body, elapsed = client.request("GET", path, headers)
    if status != 200:
        raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
    return elapsed, len(body)


def time_page(
    client: Client, path: str, headers: dict, warm: int, count: int, before: Callable | None
) -> tuple[list[float], int]:
    """Milliseconds of `count` requests after `warm` untimed ones; `before` runs untimed first."""
    samples, size = [], 0
    for number in range(warm + count):
        if before is not None and number >= warm:
            before()
        elapsed, size = _get(client, path, headers)
        if number >= warm:
            samples.append(elapsed)
    return samples, size


# ---------------------------------------------------------------- the raw-SQL floor


class Floor:
    """The rows each page shows, read with raw SQL on a direct connection."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.connection = scale_data.connect(facts)
        self.postgres = facts["database"].startswith("postgres://")
        self.cursor = self.connection.cursor()
        t = facts["tables"]
        self.t = t
        self.filed = bool(facts.get("audit_objective_column"))
        self.org = self.one("SELECT id FROM orgs_organization WHERE slug = %s", facts["org"])
        self.period = self.one(
            "SELECT id FROM okrs_period WHERE organization_id = %s AND key = %s",
            self.org,
            facts["period"],
        )

    def rows(self, sql: str, *params: Any) -> list[tuple]:
        if not self.postgres:
            sql = sql.replace("%s", "?")
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def one(self, sql: str, *params: Any) -> Any:
        return self.rows(sql, *params)[0][0]

    def _in(self, ids: list[int]) -> str:
        return ", ".join(str(int(i)) for i in ids) or "NULL"

    def dashboard(self) -> None:
        o, team, finding = self.t["objective"], self.t["team"], self.t["finding"]
        self.rows(
            "SELECT t.id, t.slug, t.name, a.n, a.average, a.on_track, a.at_risk, a.off_track "
            "FROM (SELECT team_id, COUNT(*) AS n, AVG(progress) AS average, "
            "SUM(CASE WHEN status = 'on_track' THEN 1 ELSE 0 END) AS on_track, "
            "SUM(CASE WHEN status = 'at_risk' THEN 1 ELSE 0 END) AS at_risk, "
            "SUM(CASE WHEN status = 'off_track' THEN 1 ELSE 0 END) AS off_track "
            f"FROM {o} WHERE period_id = %s GROUP BY team_id) a "
            f"JOIN {team} t ON t.id = a.team_id ORDER BY t.name",
            self.period,
        )
        self.rows(
            f"SELECT team_id, COUNT(*) FROM {finding} WHERE period_id = %s GROUP BY team_id",
            self.period,
        )

    def api_page(self) -> None:
        o, kr = self.t["objective"], self.t["keyresult"]
        found = self.rows(
            "SELECT o.id, o.slug, o.title, o.state, o.commitment, o.focus, o.progress, "
            "o.expected, o.status, o.grade, o.version, t.slug, t.name, u.username "
            f"FROM (SELECT * FROM {o} WHERE organization_id = %s AND period_id = %s "
            f"ORDER BY position, id LIMIT {PAGE}) o "
            f"JOIN {self.t['team']} t ON t.id = o.team_id "
            "LEFT JOIN auth_user u ON u.id = o.owner_id ORDER BY o.position, o.id",
            self.org,
            self.period,
        )
        ids = self._in([row[0] for row in found])
        self.rows(f"SELECT * FROM {kr} WHERE objective_id IN ({ids}) ORDER BY position, id")
        self.rows(
            "SELECT ol.objective_id, l.slug FROM okrs_objective_levers ol "
            f"JOIN strategy_lever l ON l.id = ol.lever_id WHERE ol.objective_id IN ({ids})"
        )
        ends = (
            f"FROM okrs_alignment a JOIN {o} s ON s.id = a.source_id "
            f"JOIN {o} g ON g.id = a.target_id"
        )
        self.rows(
            f"SELECT a.id, a.source_id, a.target_id, s.slug, g.slug {ends} "
            f"WHERE a.source_id IN ({ids}) UNION "
            f"SELECT a.id, a.source_id, a.target_id, s.slug, g.slug {ends} "
            f"WHERE a.target_id IN ({ids}) ORDER BY 1"
        )

    def objective_page(self) -> None:
        o, kr = self.t["objective"], self.t["keyresult"]
        objective = self.rows(
            f"SELECT o.*, t.slug, t.name FROM {o} o JOIN {self.t['team']} t ON t.id = o.team_id "
            "WHERE o.organization_id = %s AND o.slug = %s",
            self.org,
            OBJECTIVE,
        )[0]
        krs = self._in([row[0] for row in self.rows(f"SELECT * FROM {kr} WHERE objective_id = %s "
                        "ORDER BY position, id", objective[0])])  # fmt: skip
        self.rows(
            f"SELECT * FROM {self.t['checkin']} WHERE key_result_id IN ({krs}) "
            "ORDER BY checked_on DESC, id DESC"
        )
        if self.filed:  # the events carry their objective (an indexed column)
            where = "objective_id = %s"
        else:
            where = (
                "((object_type = 'objective' AND object_id = %s) OR "
                f"(object_type = 'keyresult' AND object_id IN ({krs})))"
            )
        self.rows(
            f"SELECT * FROM {self.t['audit']} WHERE organization_id = %s AND {where} "
            f"ORDER BY created_at DESC, id DESC LIMIT {AUDIT_ROWS}",
            self.org,
            objective[0],
        )

    def team_page(self) -> None:
        o, kr = self.t["objective"], self.t["keyresult"]
        team = self.one(
            f"SELECT id FROM {self.t['team']} WHERE organization_id = %s AND slug = %s",
            self.org,
            TEAM,
        )
        found = self.rows(
            f"SELECT * FROM {o} WHERE team_id = %s AND period_id = %s ORDER BY position, id",
            team,
            self.period,
        )
        ids = self._in([row[0] for row in found])
        self.rows(f"SELECT * FROM {kr} WHERE objective_id IN ({ids}) ORDER BY position, id")
        self.rows(
            f"SELECT * FROM {self.t['finding']} WHERE period_id = %s AND team_id = %s",
            self.period,
            team,
        )

    def time(self, name: str, warm: int, count: int) -> list[float]:
        read = {
            "dashboard": self.dashboard,
            "API objectives": self.api_page,
            "objective page": self.objective_page,
            "team page": self.team_page,
        }[name]
        samples = []
        for number in range(warm + count):
            started = time.perf_counter()
            read()
            if number >= warm:
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    def close(self) -> None:
        self.connection.close()


# ---------------------------------------------------------------- one run


def run_one(database: str, objectives: int, args: argparse.Namespace) -> Run:
    """Copy the cached organisation, serve it, time the pages and their floors."""
    print(f"# {database}, {objectives:,} objectives", file=sys.stderr)
    env, facts = scale_data.fresh_copy(database, objectives, refresh=args.refresh)
    run = Run(database, objectives, facts)
    port = _free_port()
    log = Path(env["OKR_DATA_DIR"]) / "serve.log"
    server = start_server(env, port, log, "--workers", "1", "--no-worker")
    floor = Floor(facts)
    try:
        client = Client(port)
        cookie = session_cookie(port, scale_data.USER, scale_data.PASSWORD)
        editor = Editor(Client(port), facts["org"], scale_data.TOKEN)
        for name, path, headers in pages(facts["org"], facts["period"], cookie, scale_data.TOKEN):
            started = time.perf_counter()
            repeated, size = time_page(client, path, headers, args.warm_up, args.requests, None)
            after, _ = time_page(client, path, headers, 1, args.requests, editor.edit)
            sql = floor.time(name, args.warm_up, args.requests)
            run.rows.append(Row(database, objectives, name, repeated, after, sql, size))
            print(f"  {name}: {time.perf_counter() - started:.0f} s", file=sys.stderr)
        run.least, _ = time_page(client, "/healthz", {}, args.warm_up, args.requests, None)
        run.rss_kib = peak_rss(server.pid)
    finally:
        floor.close()
        stop(server)
    if database == "sqlite":  # a copy of a cached file: hundreds of MB at 25,000 objectives
        Path(facts["database"]).unlink(missing_ok=True)
    return run


# ---------------------------------------------------------------- the report


def table(runs: list[Run]) -> str:
    """The figures as a Markdown table."""
    lines = [
        "| database | objectives | page | repeated p50 / p95 ms | after an edit p50 / p95 ms "
        "| raw-SQL floor p50 / p95 ms | p50 ÷ floor (repeated / after an edit) | body KiB |",
        "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for run in runs:
        for r in run.rows:
            rp50, rp95 = r.cells(r.repeated)
            ep50, ep95 = r.cells(r.after_edit)
            fp50, fp95 = r.cells(r.floor)
            lines.append(
                f"| {r.database} | {r.objectives:,} | {r.page} | {rp50:.1f} / {rp95:.1f} "
                f"| {ep50:.1f} / {ep95:.1f} | {fp50:.2f} / {fp95:.2f} "
                f"| {rp50 / fp50:.1f}× / {ep50 / fp50:.1f}× | {r.size / 1024:,.0f} |"
            )
    return "\n".join(lines)


def notes(runs: list[Run]) -> str:
    """Peak memory and the data's making, one line per run."""
    lines = []
    for run in runs:
        f = run.facts
        worker = max(
            (kib for name, kib in run.rss_kib.items() if name != "master"),
            default=0,
        )
        rescore = f.get("rescore_seconds")
        rescored = f"{rescore} s" if rescore is not None else "not run (no `okr rescore` yet)"
        if f.get("scores_copied_from_postgres"):
            rescored = (
                "failed on SQLite, so the scores and findings it stored on PostgreSQL (same "
                f"data, same ids) were copied: {f['scores_copied_from_postgres']}"
            )
        lines.append(
            f"- {run.database}, {run.objectives:,} objectives ({f['teams']:,} teams, "
            f"{f['key_results']:,} key results, {f['check_ins']:,} check-ins, "
            f"{f['alignments']:,} alignments, {f['audit_events']:,} audit events): peak RSS "
            f"of the app process {worker / 1024:.0f} MiB (VmHWM by process: "
            + ", ".join(f"{name} {kib / 1024:.0f} MiB" for name, kib in run.rss_kib.items())
            + "); the server's least request (GET /healthz, no session, no table) p50 "
            + f"{percentile(run.least, 0.5):.1f} ms; generated in {f['generate_seconds']} s, "
            + f"`okr rescore` {rescored}."
        )
    return "\n".join(lines)


INTRO = (
    "One organisation with one period of N objectives (four key results and twelve check-ins "
    "each, about five objectives per team, levers, KPIs, alignments, and the audit events the "
    "write path leaves), made by bulk inserts (`benchmarks/scale_data.py`, cached) and scored "
    "by `okr rescore`. One `okr serve --workers 1 --no-worker` process on 127.0.0.1, sequential "
    'requests after a warm-up. "After an edit": before each timed request, an untimed edit of '
    "the shown objective through the API (alternately a PATCH of its title with its version and "
    "a check-in on its first key result). The floor is the same rows read with raw SQL (sqlite3 "
    "or psycopg, no Django) on the same database in the same run, as many times. Targets: every "
    "p50 at most 3× its floor, every p95 under 250 ms and the app's peak RSS under 200 MB at "
    "25,000 objectives."
)


def write_docs(command: str, body: str) -> None:
    """Replace this benchmark's figures in docs/benchmarks.md (the section is added once)."""
    write_figures(SECTION, FIGURES_START, FIGURES_END, f"`{command}`", body, INTRO)


def main() -> None:
    """Parse the arguments, run every database and size, print (and write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000, 25000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument(
        "--refresh",
        choices=["", "scores", "all"],
        default="",
        help="scores: run okr rescore again on the cached data; all: generate them again",
    )
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    runs = []
    for database in args.databases:
        for size in args.sizes:
            runs.append(run_one(database, size, args))
            print(table(runs[-1:]), file=sys.stderr)
    result = table(runs) + "\n\n" + notes(runs)
    print(result)
    if args.write_docs:
        argv = [a for a in sys.argv[1:] if a != "--write-docs"]
        write_docs(" ".join([".venv/bin/python benchmarks/scale.py", *argv]), result)


if __name__ == "__main__":
    main()
