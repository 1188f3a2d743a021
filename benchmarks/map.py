"""The constellation map at 25 and 2,000 objectives, over real HTTP against `okr serve`.

For each database (SQLite; PostgreSQL with `--databases postgres` when 127.0.0.1:5432 answers)
and size, this copies the generated organisation of benchmarks/scale_data.py (one period of N
objectives, about five per team, levers, alignments to the parent team's objectives, scores
stored by `okr rescore`), starts one `okr serve --workers 1 --no-worker` process on 127.0.0.1
and times sequential requests, after a warm-up, to:
  map API   GET /api/v1/orgs/<org>/map?period=<key>   (Bearer token)
  map page  GET /o/<org>/map/?period=<key>            (signed in)
and, with Debian's chromium driven by Playwright, the browser's time to the first picture: from
the start of the page's navigation to the moment the map has drawn (`firstPicture`, set by
map.js once Cytoscape has laid out and painted the first view), over `--visits` fresh visits.
Beside them, the raw-SQL floor: one SQL statement (sqlite3 / psycopg, no Django) reading the
same rows (the period's objectives with their team, owner and stored scores, the levers they
model, and every alignment touching them with both ends' slugs and periods), as many times. And
the server's least request (GET /healthz: no session, no table) in the same run.

PostgreSQL runs on a database of its own (`constellation_map_run_<N>`, copied from the cached
template), never the test database.

Run:  .venv/bin/python benchmarks/map.py [--sizes 25 2000] [--databases sqlite postgres]
          [--requests 50] [--warm-up 5] [--visits 5] [--write-docs]
"""

from __future__ import annotations

import argparse
import json
import socket
import sys
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale  # sibling modules, not a package
import scale_data
from figures import write_figures

SECTION = "## The constellation map"
FIGURES_START = "<!-- figures of benchmarks/map.py: replaced by --write-docs -->"
FIGURES_END = "<!-- end of figures of benchmarks/map.py -->"
TARGET_MS = 300
CHROMIUM = Path("/usr/bin/chromium")
READY = "() => window.constellationMap && window.constellationMap.firstPicture"


@dataclass
class Row:
    """One address at one size on one database, in milliseconds."""

    database: str
    objectives: int
    page: str
    samples: list[float]
    floor: list[float]
    size: int


@dataclass
class Run:
    """One database at one size."""

    database: str
    objectives: int
    facts: dict[str, Any]
    rows: list[Row] = field(default_factory=list)
    least: list[float] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    nodes: int = 0
    edges: int = 0
    first_picture: list[float] = field(default_factory=list)
    drawn: int = 0


def first_pictures(port: int, page_path: str, cookie: str, visits: int) -> tuple[list[float], int]:
    """Milliseconds from navigation start to the map's first picture, one fresh tab a visit."""
    from playwright.sync_api import sync_playwright

    name, value = cookie.split(";")[0].split("=", 1)
    times: list[float] = []
    drawn = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        context = browser.new_context(viewport={"width": 1440, "height": 1000})
        context.add_cookies([{"name": name, "value": value, "url": f"http://127.0.0.1:{port}"}])
        for _ in range(visits + 1):  # the first visit warms the browser's cache; not counted
            page = context.new_page()
            page.goto(f"http://127.0.0.1:{port}{page_path}")
            page.wait_for_function(READY, timeout=60_000)
            times.append(page.evaluate("window.constellationMap.firstPicture"))
            drawn = page.evaluate("window.constellationMap.drawn().length")
            page.close()
        browser.close()
    return times[1:], drawn


def floor_sql(facts: dict[str, Any]) -> str:
    """One statement reading what the map shows: objectives, their levers, their links."""
    o, team = facts["tables"]["objective"], facts["tables"]["team"]
    return (
        "SELECT 'o', o.id, o.slug, o.title, t.slug, t.name, o.focus, o.status, o.status_reason, "
        "o.progress, u.first_name || ' ' || u.last_name, u.username, o.state "
        f"FROM {o} o JOIN {team} t ON t.id = o.team_id "
        "LEFT JOIN auth_user u ON u.id = o.owner_id "
        "WHERE o.organization_id = %(org)s AND o.period_id = %(period)s "
        "UNION ALL "
        "SELECT 'l', ol.objective_id, l.slug, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, "
        f"NULL, NULL FROM okrs_objective_levers ol JOIN {o} o ON o.id = ol.objective_id "
        "JOIN strategy_lever l ON l.id = ol.lever_id WHERE o.period_id = %(period)s "
        "UNION ALL "
        "SELECT 'a', a.id, s.slug, g.slug, s.title, g.title, NULL, NULL, NULL, NULL, NULL, NULL, "
        f"NULL FROM okrs_alignment a JOIN {o} s ON s.id = a.source_id "
        f"JOIN {o} g ON g.id = a.target_id "
        "WHERE s.period_id = %(period)s OR g.period_id = %(period)s"
    )


class Floor:
    """The map's rows read with one raw SQL statement on a direct connection."""

    def __init__(self, facts: dict[str, Any]) -> None:
        self.connection = scale_data.connect(facts)
        self.postgres = facts["database"].startswith("postgres://")
        self.cursor = self.connection.cursor()
        self.params = {"org": self._one("org", facts), "period": 0}
        self.params["period"] = self._one("period", facts)
        self.sql = floor_sql(facts)
        if not self.postgres:
            self.sql = self.sql.replace("%(org)s", ":org").replace("%(period)s", ":period")

    def _one(self, what: str, facts: dict[str, Any]) -> int:
        if what == "org":
            sql, params = "SELECT id FROM orgs_organization WHERE slug = %s", (facts["org"],)
        else:
            sql = "SELECT id FROM okrs_period WHERE organization_id = %s AND key = %s"
            params = (self.params["org"], facts["period"])
        if not self.postgres:
            sql = sql.replace("%s", "?")
        self.cursor.execute(sql, params)
        return int(self.cursor.fetchone()[0])

    def time(self, warm: int, count: int) -> list[float]:
        samples = []
        for number in range(warm + count):
            started = time.perf_counter()
            self.cursor.execute(self.sql, self.params)
            self.cursor.fetchall()
            if number >= warm:
                samples.append((time.perf_counter() - started) * 1000)
        return samples

    def close(self) -> None:
        self.connection.close()


def postgres_answers() -> bool:
    """Whether something listens on 127.0.0.1:5432."""
    try:
        with socket.create_connection(("127.0.0.1", 5432), timeout=2):
            return True
    except OSError:
        return False


def run_one(database: str, objectives: int, args: argparse.Namespace) -> Run:
    """Copy the cached organisation, serve it, time the map and its floor."""
    print(f"# {database}, {objectives:,} objectives", file=sys.stderr)
    env, facts = scale_data.fresh_copy(
        database, objectives, name=f"constellation_map_run_{objectives}"
    )
    run = Run(database, objectives, facts)
    port = scale._free_port()
    log = Path(env["OKR_DATA_DIR"]) / "serve.log"
    server = scale.start_server(env, port, log, "--workers", "1", "--no-worker")
    floor = Floor(facts)
    try:
        client = scale.Client(port)
        org, query = facts["org"], urllib.parse.urlencode({"period": facts["period"]})
        api = f"/api/v1/orgs/{org}/map?{query}"
        token = {"Authorization": f"Bearer {scale_data.TOKEN}"}
        status, body, _ = client.request("GET", api, token)
        assert status == 200, (status, body[:300])
        answer = json.loads(body)
        run.nodes, run.edges = len(answer["nodes"]), len(answer["edges"])
        sql = floor.time(args.warm_up, args.requests)
        samples, size = scale.time_page(client, api, token, args.warm_up, args.requests, None)
        run.rows.append(Row(database, objectives, "map API", samples, sql, size))
        page = f"/o/{org}/map/?{query}"
        cookie = {"Cookie": scale.session_cookie(port, scale_data.USER, scale_data.PASSWORD)}
        status, _, _ = client.request("GET", page, cookie)
        assert status == 200, status
        samples, size = scale.time_page(client, page, cookie, args.warm_up, args.requests, None)
        run.rows.append(Row(database, objectives, "map page", samples, sql, size))
        if args.visits and CHROMIUM.exists():
            run.first_picture, run.drawn = first_pictures(port, page, cookie["Cookie"], args.visits)
        elif args.visits:
            run.notes.append(f"{CHROMIUM} is missing: the browser was not timed")
        run.least, _ = scale.time_page(client, "/healthz", {}, args.warm_up, args.requests, None)
    finally:
        floor.close()
        scale.stop(server)
    if database == "sqlite":
        Path(facts["database"]).unlink(missing_ok=True)
    return run


def table(runs: list[Run]) -> str:
    """The figures as a Markdown table, then one line of facts per run."""
    p = scale.percentile
    lines = [
        "| database | objectives | address | p50 / p95 ms | raw-SQL floor p50 / p95 ms "
        f"| p50 ÷ floor | under {TARGET_MS} ms at p95 | body KiB |",
        "| --- | ---: | --- | ---: | ---: | ---: | --- | ---: |",
    ]
    for run in runs:
        for r in run.rows:
            p50, p95 = p(r.samples, 0.5), p(r.samples, 0.95)
            f50, f95 = p(r.floor, 0.5), p(r.floor, 0.95)
            lines.append(
                f"| {r.database} | {r.objectives:,} | {r.page} | {p50:.1f} / {p95:.1f} "
                f"| {f50:.2f} / {f95:.2f} | {p50 / f50:.1f}× | "
                f"{'yes' if p95 < TARGET_MS else 'no'} | {r.size / 1024:,.0f} |"
            )
    pictured = [run for run in runs if run.first_picture]
    if pictured:
        lines += [
            "",
            "| database | objectives | browser's time to first picture, median / slowest ms "
            "| stars drawn one by one at first |",
            "| --- | ---: | ---: | ---: |",
        ]
        for run in pictured:
            lines.append(
                f"| {run.database} | {run.objectives:,} | {p(run.first_picture, 0.5):.0f} / "
                f"{max(run.first_picture):.0f} | {run.drawn:,} of {run.nodes:,} |"
            )
    lines.append("")
    for run in runs:
        extra = "; ".join(run.notes)
        lines.append(
            f"- {run.database}, {run.objectives:,} objectives: the map drew {run.nodes:,} "
            f"stars and {run.edges:,} links ({run.facts['teams']:,} teams); the server's least "
            f"request (GET /healthz) p50 {p(run.least, 0.5):.1f} ms"
            + (f"; {extra}" if extra else "")
            + "."
        )
    return "\n".join(lines)


INTRO = (
    "The constellation map of one period (`GET /api/v1/orgs/<org>/map`, and the page "
    "`/o/<org>/map/`) on the organisation benchmarks/scale_data.py generates and `okr rescore` "
    "scores, at 25 and 2,000 objectives. One `okr serve --workers 1 --no-worker` process on "
    "127.0.0.1, sequential requests after a warm-up, timed by the client (so the figures "
    "include HTTP on the loopback). The floor is one SQL statement (sqlite3 or psycopg, no "
    "Django) reading the same rows: the period's objectives with team, owner and stored scores, "
    "the levers they model and every alignment touching them. Target: under 300 ms at 2,000 "
    "objectives, with a constant number of queries (tests/server/test_map.py and "
    "tests/server/test_api_map.py check the count at 25 and 500 objectives). The browser's "
    "time to first picture is Debian's chromium driven by Playwright at 1440 × 1000 px: from the "
    "start of the navigation to the moment map.js has laid out and drawn the first view "
    "(median and slowest of five fresh visits after one warm-up visit; above 300 objectives the "
    "first picture groups them by lever and team, and a group opens on demand)."
)


def main() -> None:
    """Parse the arguments, run every database and size, print (and write) the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[25, 2000])
    parser.add_argument("--databases", nargs="+", default=["sqlite"])
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--warm-up", type=int, default=5)
    parser.add_argument("--visits", type=int, default=5, help="browser visits a size (0: none)")
    parser.add_argument("--write-docs", action="store_true")
    args = parser.parse_args()
    databases = list(args.databases)
    if "postgres" in databases and not postgres_answers():
        print("# nothing answers on 127.0.0.1:5432: PostgreSQL skipped", file=sys.stderr)
        databases.remove("postgres")
    runs = []
    for database in databases:
        for size in args.sizes:
            runs.append(run_one(database, size, args))
            print(table(runs[-1:]), file=sys.stderr)
    result = table(runs)
    print(result)
    if args.write_docs:
        argv = [a for a in sys.argv[1:] if a != "--write-docs"]
        command = " ".join([".venv/bin/python benchmarks/map.py", *argv])
        write_figures(SECTION, FIGURES_START, FIGURES_END, f"`{command}`", result, INTRO)


if __name__ == "__main__":
    main()
