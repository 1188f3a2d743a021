"""Big generated organisations for benchmarks/scale.py and benchmarks/load/, made fast and cached.

One organisation (`scale`) with one period (the quarter containing today) of N objectives, about
five per team in a tree of teams four wide, four key results each with twelve check-ins, levers,
KPIs with readings, a few guardrails and initiatives, alignments from a team's objectives to its
parent team's (so there are no loops), and the audit events the write path would have recorded
(a `create` per objective and key result, a `check_in` per check-in). Rows are inserted in bulk
with raw SQL into the models' own tables (columns read from the models, defaults filled in),
then `okr rescore --org scale` stores the scores and the coach's findings, as the write path would.

Generated databases are cached, keyed by the migrations (as syntax trees) and GENERATOR_VERSION,
both as generated (`r`, `sqlite-<N>-<key>`) and once rescored (`t`, `...-scored`):
  SQLite:      $OKR_SCALE_CACHE/sqlite-<N>-<key>-scored/ (a data directory), copied for each run
  PostgreSQL:  database constellation_scale_t<N>_<key>, each run gets CREATE DATABASE ... TEMPLATE
$OKR_SCALE_CACHE defaults to ~/.cache/constellation-scale. The scores are not part of the key:
after a change to the scoring code, `--refresh scores` runs `okr rescore` on the cached data again.

Fill the cache ahead:  .venv/bin/python benchmarks/scale_data.py prepare --objectives 2000 10000

Inside a prepared environment (OKR_DATA_DIR, DATABASE_URL):
  .venv/bin/python benchmarks/scale_data.py generate --objectives 2000   (prints facts as JSON)
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from math import ceil
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
PYTHON = ROOT / ".venv" / "bin" / "python"
OKR = ROOT / ".venv" / "bin" / "okr"
CACHE = Path(os.environ.get("OKR_SCALE_CACHE", str(Path.home() / ".cache/constellation-scale")))
POSTGRES = "postgres://postgres@127.0.0.1:5432/"
ORG = "scale"
USER = "scale"
PASSWORD = "scale-password"
# A fixed token, so a cached database keeps working; stored hashed like every token.
TOKEN = "okr_scale-benchmark-token-0123456789abcdefghijklmnopqrstu"
PER_TEAM = 5
KEY_RESULTS = 4
CHECK_INS = 12
BATCH = 20_000
# A cached database is stale when the schema changes (the migrations, compared as syntax
# trees so a reformatting does not count) or when the generated data change: bump this then.
GENERATOR_VERSION = 1
MIGRATIONS = "constellation/server/*/migrations/*.py"


# ---------------------------------------------------------------- the generating process


@dataclass
class Inserter:
    """Bulk inserts into one database through Django's connection, without the ORM."""

    connection: Any

    @property
    def postgres(self) -> bool:
        return self.connection.vendor == "postgresql"

    def next_id(self, model: Any) -> int:
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {model._meta.db_table}")
            return int(cursor.fetchone()[0]) + 1

    def prep(self, field: Any, value: Any) -> Any:
        """A Python value as this backend takes it in a raw insert."""
        if value is None:
            return None
        if field.get_internal_type() == "JSONField":
            return json.dumps(value)
        if isinstance(value, bool) and not self.postgres:
            return int(value)
        if isinstance(value, date | datetime):
            return field.get_db_prep_save(value, self.connection)
        return value

    def insert(self, model: Any, names: Sequence[str], rows: Iterable[Sequence[Any]]) -> int:
        """Insert the rows (values in the order of `names`; `id` may be one of them).

        Every other concrete column gets its model default, so new columns with defaults need
        no change here. Returns the number of rows.
        """
        fields = [model._meta.get_field(name) for name in names]
        given = {f.column for f in fields}
        extra = [
            f for f in model._meta.concrete_fields if f.column not in given and not f.primary_key
        ]
        tail = tuple(self.prep(f, f.get_default()) for f in extra)
        columns = [f.column for f in fields] + [f.column for f in extra]
        table = model._meta.db_table
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row((*row, *tail))
                        count += 1
                return count
            marks = ", ".join("?" * len(columns))
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
            raw = cursor.cursor
            for chunk in _chunks(rows, BATCH):
                raw.executemany(sql, [(*row, *tail) for row in chunk])
                count += len(chunk)
        return count


def _chunks(rows: Iterable[Sequence[Any]], size: int) -> Iterator[list[Sequence[Any]]]:
    chunk: list[Sequence[Any]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


_WORDS = [
    "Growth", "Onboarding", "Billing", "Data platform", "Mobile", "Reporting", "Integrations",
    "Support", "Sales", "Marketing", "Security", "Infrastructure", "Design", "Partnerships",
]  # fmt: skip
_WHO = ["New teams", "Small businesses", "Accountants", "Owners", "Agencies", "Admins"]
_WHAT = [
    "get to value in their first week",
    "trust the numbers they see",
    "find answers without help",
    "stay with us because we pay off",
    "get integrations working in minutes",
]
_MEASURES = [
    ("Raise week-1 activation", "%", 20, 70),
    ("Grow weekly active users", "", 1000, 9000),
    ("Lift trial-to-paid conversion", "%", 3, 25),
    ("Cut the median time to first dashboard", " minutes", 90, 5),
    ("Reduce first response time in support", " hours", 30, 1),
    ("Increase net revenue retention", "%", 90, 120),
]
_LEVERS = [
    ("self-serve", "Win self-serve small businesses", "customer"),
    ("reliability", "Be the analytics tool that is never down", "customer"),
    ("partners", "Grow through accountants and agencies", "business"),
    ("enterprise", "Earn the trust of larger customers", "both"),
    ("efficiency", "Spend less to win each customer", "business"),
]
_KPIS = [
    ("logo-churn", "Monthly logo churn", "%", "decrease", None, 2.5, 2.9),
    ("uptime", "Monthly uptime", "%", "increase", 99.9, None, 99.95),
    ("nps", "Net promoter score", "", "increase", 30, 80, 42),
    ("support-backlog", "Open support tickets", "", "decrease", None, 400, 310),
    ("p95-load", "p95 dashboard load time", " ms", "decrease", None, 1500, 1200),
    ("mrr", "Monthly recurring revenue", "$", "increase", 500000, None, 640000),
]


def _small_rows(today: date, objectives: int) -> dict[str, Any]:
    """The organisation, its people, teams, period, strategy, levers and KPIs (through the ORM)."""
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import User

    from constellation.core.periods import period_containing
    from constellation.server.okrs.models import Period
    from constellation.server.orgs.models import Membership, Organization
    from constellation.server.strategy.models import Lever, Strategy
    from constellation.server.tokens.models import WRITE, ApiToken, hash_token

    org = Organization.objects.create(slug=ORG, name="Scale Analytics")
    team_count = max(1, ceil(objectives / PER_TEAM))
    unusable = make_password(None)
    people = User.objects.bulk_create(
        [User(username=f"p{i:05d}", password=unusable) for i in range(team_count)],
        batch_size=2000,
    )
    bench = User.objects.create_user(USER, password=PASSWORD)
    Membership.objects.create(organization=org, user=bench, role="admin")
    Membership.objects.bulk_create(
        [Membership(organization=org, user=p, role="member") for p in people], batch_size=2000
    )
    ApiToken.objects.create(
        user=bench,
        organization=org,
        name="scale benchmark",
        token_hash=hash_token(TOKEN),
        hint=TOKEN[-4:],
        scope=WRITE,
    )
    quarter = period_containing(today)
    period = Period.objects.create(
        organization=org, key=quarter.key, start=quarter.start, end=quarter.end
    )
    Strategy.objects.create(
        organization=org,
        year=today.year,
        vision="Every team decides with live data.",
        mission="Make analytics self-serve for small businesses.",
    )
    levers = Lever.objects.bulk_create(
        [
            Lever(organization=org, slug=s, title=t, focus=f, position=i)
            for i, (s, t, f) in enumerate(_LEVERS)
        ]
    )
    return {
        "org": org,
        "period": period,
        "people": [p.pk for p in people],
        "bench": bench,
        "team_count": team_count,
        "levers": [lever.pk for lever in levers],
    }


def _teams(ins: Inserter, org: Any, people: list[int], count: int) -> list[int]:
    """The tree of teams (team i reports to team (i - 1) // 4), each led by one person."""
    from constellation.server.orgs.models import Membership, Team

    first = ins.next_id(Team)
    ids = [first + i for i in range(count)]
    rng = random.Random(1)
    ins.insert(
        Team,
        ["id", "organization", "slug", "name", "parent", "phase", "lead"],
        (
            (
                ids[i],
                org.pk,
                f"t{i:05d}",
                "Company" if i == 0 else f"{_WORDS[i % len(_WORDS)]} {i}",
                ids[(i - 1) // 4] if i else None,
                "exploratory" if rng.random() < 0.02 else "",
                people[i],
            )
            for i in range(count)
        ),
    )
    memberships = dict(
        Membership.objects.filter(organization=org, user_id__in=people).values_list("user", "id")
    )
    through = Membership.teams.through
    ins.insert(
        through,
        ["membership", "team"],
        ((memberships[people[i]], ids[i]) for i in range(count)),
    )
    return ids


def _kpis(ins: Inserter, org: Any, teams: list[int], today: date, now: datetime) -> list[int]:
    """The KPIs, each with twelve weekly readings."""
    from constellation.server.kpis.models import Kpi, KpiReading

    first = ins.next_id(Kpi)
    ids = [first + i for i in range(len(_KPIS))]
    ins.insert(
        Kpi,
        [
            "id",
            "organization",
            "team",
            "slug",
            "title",
            "unit",
            "direction",
            "healthy_low",
            "healthy_high",
            "current",
        ],
        (
            (ids[i], org.pk, teams[(i * 7) % len(teams)], s, t, u, d, lo, hi, cur)
            for i, (s, t, u, d, lo, hi, cur) in enumerate(_KPIS)
        ),
    )
    day = KpiReading._meta.get_field("taken_on")
    at = ins.prep(KpiReading._meta.get_field("created_at"), now)
    ins.insert(
        KpiReading,
        ["kpi", "value", "taken_on", "created_at"],
        (
            (ids[i], cur * (1 + (w - 6) / 100), ins.prep(day, today - timedelta(weeks=w)), at)
            for i, (*_, cur) in enumerate(_KPIS)
            for w in range(12)
        ),
    )
    return ids


def _objective_rows(
    org: Any, period: Any, teams: list[int], people: list[int], count: int, first: int
) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(2)
    for index in range(count):
        team = index // PER_TEAM
        who, what = rng.choice(_WHO), rng.choice(_WHAT)
        yield (
            first + index,
            org.pk,
            f"o{index:05d}",
            teams[team],
            period.pk,
            f"{who} {what} ({index})",
            people[team],
            rng.choice(["customer", "customer", "business", "both"]),
            "launched",
            True,
            "aspirational" if rng.random() < 0.2 else "committed",
            index % PER_TEAM,
        )


def _key_result(
    rng: random.Random, kr_id: int, objective: int, index: int, position: int
) -> tuple[tuple[Any, ...], list[float]]:
    """One key result and the values of its check-ins, oldest first."""
    kind = "milestone" if position == 3 and index % 4 == 0 else "metric"
    title, unit, low, high = _MEASURES[(index + position) % len(_MEASURES)]
    reach = rng.uniform(0.0, 0.9)
    values = [low + (high - low) * reach * (n + 1) / CHECK_INS for n in range(CHECK_INS)]
    if kind == "milestone":
        title, unit, low, high = f"Launch the {_WORDS[index % len(_WORDS)]} wizard", "", None, None
        values = [float(n == CHECK_INS - 1 and reach > 0.5) for n in range(CHECK_INS)]
    current = values[-1] if kind == "metric" else None
    done = (values[-1] == 1.0) if kind == "milestone" else None
    row = (
        kr_id,
        objective,
        f"kr{position + 1}",
        f"{title} {'to ' + str(high) + unit if high is not None else ''}".strip(),
        kind,
        low,
        high,
        current,
        unit,
        done,
        1.0,
        rng.randint(3, 9),
        position,
    )
    return row, values


def _big_rows(ins: Inserter, small: dict[str, Any], teams: list[int], today: date) -> dict:
    """Objectives, levers and guardrails, alignments, key results, check-ins, initiatives, audit."""
    from django.utils import timezone

    from constellation.server.audit.models import AuditEvent
    from constellation.server.okrs.models import Alignment, Initiative, KeyResult, Objective
    from constellation.server.tracking.models import CheckIn

    org, period, people = small["org"], small["period"], small["people"]
    count = small["objectives"]
    now = timezone.now()
    first = ins.next_id(Objective)
    stamp = ins.prep(Objective._meta.get_field("created_at"), now)
    ins.insert(
        Objective,
        [
            "id",
            "organization",
            "slug",
            "team",
            "period",
            "title",
            "owner",
            "focus",
            "state",
            "state_given",
            "commitment",
            "position",
            "created_at",
            "updated_at",
        ],
        ((*row, stamp, stamp) for row in _objective_rows(org, period, teams, people, count, first)),
    )
    rng = random.Random(3)
    levers = small["levers"]
    ins.insert(
        Objective.levers.through,
        ["objective", "lever"],
        (
            (first + i, lever)
            for i in range(count)
            for lever in rng.sample(levers, 1 + (i % 3 == 0))
            if i % 10 != 9
        ),
    )
    ins.insert(
        Objective.guardrails.through,
        ["objective", "kpi"],
        ((first + i, small["kpis"][i % len(small["kpis"])]) for i in range(0, count, 10)),
    )
    alignments = _alignments(count, first)
    created = ins.prep(Alignment._meta.get_field("created_at"), now)
    ins.insert(
        Alignment, ["source", "target", "created_at"], ((s, t, created) for s, t in alignments)
    )
    kr_first = ins.next_id(KeyResult)
    values: list[list[float]] = []
    kinds: list[str] = []

    def key_results() -> Iterator[tuple[Any, ...]]:
        for i in range(count):
            for position in range(KEY_RESULTS):
                kr_id = kr_first + i * KEY_RESULTS + position
                row, history = _key_result(rng, kr_id, first + i, i, position)
                values.append(history)
                kinds.append(row[4])
                kpi = small["kpis"][1] if i % 200 == 0 and position == 0 else None
                yield (*row, kpi)

    ins.insert(
        KeyResult,
        [
            "id",
            "objective",
            "slug",
            "title",
            "type",
            "baseline",
            "target",
            "current",
            "unit",
            "done",
            "weight",
            "confidence",
            "position",
            "kpi",
        ],
        key_results(),
    )
    ins.insert(
        Initiative,
        ["objective", "slug", "title", "status", "position"],
        (
            (first + i, "i1", f"Ship the {_WORDS[i % len(_WORDS)]} page", "in_progress", 0)
            for i in range(0, count, 2)
        ),
    )
    days = _check_in_days(period.start, today)
    checked = [ins.prep(CheckIn._meta.get_field("checked_on"), d) for d in days]
    at = ins.prep(CheckIn._meta.get_field("created_at"), now)
    authors = [people[(k // (KEY_RESULTS * PER_TEAM))] for k in range(len(values))]
    ins.insert(
        CheckIn,
        ["key_result", "value", "done", "confidence", "note", "author", "checked_on", "created_at"],
        (
            (
                kr_first + k,
                v if kinds[k] == "metric" else None,
                (v == 1.0) if kinds[k] == "milestone" else None,
                5 + (n % 4),
                "weekly check-in" if n % 3 else "",
                authors[k],
                checked[n],
                at,
            )
            for k, history in enumerate(values)
            for n, v in enumerate(history)
        ),
    )
    events = _audit_rows(ins, org.pk, small["bench"].pk, first, count, kr_first, values, now)
    names = ["organization", "actor", "action", "object_type", "object_id", "object_repr"]
    names += ["before", "after", "reason", "created_at"]
    if filed_under_objective():
        # The column the objective page's history reads, as the write path fills it.
        names.append("objective_id")
        events = (
            (*e, e[4] if e[3] == "objective" else first + (e[4] - kr_first) // KEY_RESULTS)
            for e in events
        )
    ins.insert(AuditEvent, names, events)
    return {"alignments": len(alignments), "key_results": len(values)}


def filed_under_objective() -> bool:
    """Whether audit events have an `objective_id` column (an objective's history, indexed)."""
    from constellation.server.audit.models import AuditEvent

    return any(f.name == "objective_id" for f in AuditEvent._meta.concrete_fields)


def _check_in_days(start: date, today: date) -> list[date]:
    """Twelve days from the period's start to today (weekly when the period is far enough)."""
    span = max(CHECK_INS, (today - start).days)
    return [start + timedelta(days=(n * span) // CHECK_INS) for n in range(CHECK_INS)]


def _alignments(count: int, first: int) -> list[tuple[int, int]]:
    """Most objectives align to one of their parent team's; some also to the company's."""
    rng = random.Random(4)
    found = []
    for i in range(PER_TEAM, count):
        team = i // PER_TEAM
        parent = (team - 1) // 4
        if rng.random() < 0.6:
            target = parent * PER_TEAM + rng.randrange(PER_TEAM)
            found.append((first + i, first + min(target, count - 1)))
        if parent != 0 and rng.random() < 0.05:
            found.append((first + i, first + rng.randrange(min(PER_TEAM, count))))
    return sorted(set(found))


def _audit_rows(
    ins: Inserter,
    org: int,
    actor: int,
    first: int,
    count: int,
    kr_first: int,
    values: list[list[float]],
    now: datetime,
) -> Iterator[tuple[Any, ...]]:
    """The events the write path would have left: creations, then one per check-in."""
    from constellation.server.audit.models import AuditEvent

    created = AuditEvent._meta.get_field("created_at")
    start = now - timedelta(days=60)
    made = ins.prep(created, start)
    moments = [ins.prep(created, start + timedelta(days=n * 5)) for n in range(CHECK_INS)]
    for i in range(count):
        after = f'{{"slug": "o{i:05d}", "title": "objective {i}", "state": "launched"}}'
        yield (
            org,
            actor,
            "create",
            "objective",
            first + i,
            f"objective {i}",
            None,
            after,
            "",
            made,
        )
    for k in range(len(values)):
        after = f'{{"objective": {first + k // KEY_RESULTS}, "slug": "kr{k % KEY_RESULTS + 1}"}}'
        yield (org, actor, "create", "keyresult", kr_first + k, f"kr {k}", None, after, "", made)
    for k, history in enumerate(values):
        previous = "null"
        for n, value in enumerate(history):
            before = f'{{"current": {previous}, "done": null, "confidence": 5}}'
            after = f'{{"current": {value!r}, "done": null, "confidence": 5, "note": ""}}'
            previous = repr(value)
            yield (org, actor, "check_in", "keyresult", kr_first + k, f"kr {k}", before, after,
                   "", moments[n])  # fmt: skip


def _finish(ins: Inserter) -> None:
    """Sequences after explicit ids (PostgreSQL) and fresh planner statistics."""
    from django.apps import apps
    from django.core.management.color import no_style

    connection = ins.connection
    with connection.cursor() as cursor:
        if ins.postgres:
            for sql in connection.ops.sequence_reset_sql(no_style(), apps.get_models()):
                cursor.execute(sql)
        cursor.execute("ANALYZE")


def generate(objectives: int) -> dict[str, Any]:
    """Create the organisation in the configured database; the facts the benchmarks need."""
    from constellation.cli.server_commands import setup_django

    setup_django()
    from django.db import connection, transaction
    from django.utils import timezone

    from constellation.server.audit.models import AuditEvent
    from constellation.server.okrs.models import Finding, KeyResult, Objective
    from constellation.server.orgs.models import Organization, Team
    from constellation.server.tracking.models import CheckIn

    if Organization.objects.filter(slug=ORG).exists():
        raise SystemExit(f"organisation {ORG!r} exists already in this database")
    started = time.perf_counter()
    today = timezone.localdate()
    ins = Inserter(connection)
    with transaction.atomic():
        small = _small_rows(today, objectives)
        small["objectives"] = objectives
        now = timezone.now()
        teams = _teams(ins, small["org"], small["people"], small["team_count"])
        small["kpis"] = _kpis(ins, small["org"], teams, today, now)
        counts = _big_rows(ins, small, teams, today)
    _finish(ins)
    seconds = time.perf_counter() - started
    org, period = small["org"], small["period"]
    return {
        "org": ORG,
        "period": period.key,
        "objectives": objectives,
        "teams": small["team_count"],
        "check_ins": CheckIn.objects.filter(key_result__objective__organization=org).count(),
        "audit_events": AuditEvent.objects.filter(organization=org).count(),
        "generate_seconds": round(seconds, 1),
        "audit_objective_column": filed_under_objective(),
        "tables": {
            "objective": Objective._meta.db_table,
            "keyresult": KeyResult._meta.db_table,
            "checkin": CheckIn._meta.db_table,
            "finding": Finding._meta.db_table,
            "team": Team._meta.db_table,
            "audit": AuditEvent._meta.db_table,
        },
        **counts,
    }


# ---------------------------------------------------------------- the driving process


def cache_key() -> str:
    """What a cached database depends on: the schema (the migrations) and the generator."""
    sha = hashlib.sha256(f"generator {GENERATOR_VERSION}".encode())
    for path in sorted(ROOT.glob(MIGRATIONS)):
        sha.update(path.relative_to(ROOT).as_posix().encode())
        sha.update(ast.dump(ast.parse(path.read_text(encoding="utf-8"))).encode())
    return sha.hexdigest()[:10]


def environment(data_dir: Path, database_url: str = "") -> dict[str, str]:
    """The environment of a process using this data directory (and PostgreSQL database)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "OKR_DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    env["OKR_DATA_DIR"] = str(data_dir)
    env["API_RATE"] = "1000000/m"  # the benchmark's own token would hit the default rate
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _psql(sql: str, database: str = "postgres") -> str:
    done = subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-U",
            "postgres",
            "-d",
            database,
            "-v",
            "ON_ERROR_STOP=1",
            "-tAc",
            sql,
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"psql failed on {sql!r}: {done.stderr.strip()}")
    return done.stdout.strip()


def _pg_exists(name: str) -> bool:
    return _psql(f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"


def _pg_drop(name: str) -> None:
    _psql(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
        f"WHERE datname = '{name}' AND pid <> pg_backend_pid()"
    )
    _psql(f'DROP DATABASE IF EXISTS "{name}"')


def _run_generate(env: dict[str, str], objectives: int) -> dict[str, Any]:
    done = subprocess.run(
        [str(PYTHON), __file__, "generate", "--objectives", str(objectives)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"generating {objectives} objectives failed:\n{done.stderr[-4000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def rescore_available(env: dict[str, str]) -> bool:
    """Whether this checkout has `okr rescore` (the command that stores scores and findings)."""
    probe = subprocess.run(
        [str(OKR), "rescore", "--help"], env=env, capture_output=True, text=True, check=False
    )
    if probe.returncode != 0:
        print("  (okr rescore is not there yet: scores stay unstored)", file=sys.stderr)
    return probe.returncode == 0


def rescore(env: dict[str, str]) -> float:
    """`okr rescore --org scale`; the seconds it took."""
    started = time.perf_counter()
    done = subprocess.run(
        [str(OKR), "rescore", "--org", ORG], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"okr rescore failed ({done.returncode}):\n{done.stderr[-4000:]}")
    return round(time.perf_counter() - started, 1)


def _sqlite_file(data_dir: Path) -> Path:
    return data_dir / "constellation.sqlite3"


def _checkpoint(data_dir: Path) -> None:
    """Fresh planner statistics, and the WAL folded into the file so a copy has everything."""
    with sqlite3.connect(_sqlite_file(data_dir)) as db:
        db.execute("ANALYZE")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()


def _meta(path: Path) -> dict[str, Any] | None:
    return json.loads(path.read_text()) if path.exists() else None


def sqlite_template(objectives: int, *, refresh: str = "") -> tuple[Path, dict[str, Any]]:
    """The cached, scored SQLite data directory of this size (made when missing)."""
    raw_dir = CACHE / f"sqlite-{objectives}-{cache_key()}"
    scored_dir = CACHE / f"sqlite-{objectives}-{cache_key()}-scored"
    if refresh == "all":
        shutil.rmtree(raw_dir, ignore_errors=True)
    if refresh:
        shutil.rmtree(scored_dir, ignore_errors=True)
    facts = _meta(scored_dir / "facts.json")
    if facts is not None:
        return scored_dir, facts
    if _meta(raw_dir / "facts.json") is None:
        print(f"  generating {objectives:,} objectives on SQLite ...", file=sys.stderr)
        building = Path(tempfile.mkdtemp(prefix="building-", dir=_cache_dir()))
        facts = _run_generate(environment(building), objectives)
        _checkpoint(building)
        (building / "facts.json").write_text(json.dumps(facts))
        shutil.rmtree(raw_dir, ignore_errors=True)
        building.rename(raw_dir)
    facts = json.loads((raw_dir / "facts.json").read_text())
    if not rescore_available(environment(raw_dir)):
        return raw_dir, {**facts, "rescore_seconds": None}
    building = Path(tempfile.mkdtemp(prefix="building-", dir=_cache_dir()))
    _copy_data_dir(raw_dir, building)
    print(f"  rescoring {objectives:,} objectives on SQLite ...", file=sys.stderr)
    try:
        facts["rescore_seconds"] = rescore(environment(building))
    except SystemExit as failed:
        # Same generator, same ids: the scores `okr rescore` stored on PostgreSQL fit here.
        print(f"{failed}\n  copying the scores of PostgreSQL instead", file=sys.stderr)
        template, _ = postgres_template(objectives)
        copy_scores(POSTGRES + template, _sqlite_file(building))
        facts["rescore_seconds"] = None
        facts["scores_copied_from_postgres"] = str(failed).splitlines()[-1][:300]
    except BaseException:
        shutil.rmtree(building)
        raise
    _checkpoint(building)
    (building / "facts.json").write_text(json.dumps(facts))
    shutil.rmtree(scored_dir, ignore_errors=True)
    building.rename(scored_dir)
    return scored_dir, facts


# What `okr rescore` stores (plans/stored.py): columns of objectives and key results, findings.
STORED = {
    "okrs_objective": ["progress", "expected", "status", "grade", "findings", "scored_on"],
    "okrs_keyresult": ["value", "progress", "expected", "status", "forecast"],
}


def copy_scores(source: str, target: Path) -> None:
    """Copy the stored scores and findings of a PostgreSQL copy into the same data on SQLite."""
    import psycopg

    with psycopg.connect(source) as pg, sqlite3.connect(target) as db:
        for table in ("okrs_objective", "okrs_keyresult"):
            mine = dict(db.execute(f"SELECT id, slug FROM {table}").fetchall())
            theirs = dict(pg.execute(f"SELECT id, slug FROM {table}").fetchall())
            if mine != theirs:
                raise SystemExit(f"{table} differs between {source} and {target}")
        for table, columns in STORED.items():
            rows = pg.execute(f"SELECT {', '.join(columns)}, id FROM {table}").fetchall()
            sets = ", ".join(f"{c} = ?" for c in columns)
            db.executemany(f"UPDATE {table} SET {sets} WHERE id = ?", map(_sqlite_row, rows))
        found = pg.execute("SELECT * FROM okrs_finding")
        names = [d.name for d in found.description or []]
        db.execute("DELETE FROM okrs_finding")
        marks = ", ".join("?" * len(names))
        db.executemany(
            f"INSERT INTO okrs_finding ({', '.join(names)}) VALUES ({marks})",
            map(_sqlite_row, found.fetchall()),
        )


def _sqlite_row(row: Sequence[Any]) -> tuple[Any, ...]:
    return tuple(
        v.isoformat() if isinstance(v, date) else json.dumps(v) if isinstance(v, dict | list) else v
        for v in row
    )


def _cache_dir() -> Path:
    CACHE.mkdir(parents=True, exist_ok=True)
    return CACHE


def _copy_data_dir(source: Path, target: Path) -> None:
    target.mkdir(parents=True, exist_ok=True)
    for name in ("constellation.sqlite3", "secret_key", "facts.json"):
        if (source / name).exists():
            shutil.copyfile(source / name, target / name)


def sqlite_copy(objectives: int, *, refresh: str = "") -> tuple[dict[str, str], dict]:
    """A fresh copy of the cached SQLite database: the environment to use it, and its facts."""
    template, facts = sqlite_template(objectives, refresh=refresh)
    data_dir = Path(tempfile.mkdtemp(prefix=f"okr-scale-sqlite-{objectives}-"))
    _copy_data_dir(template, data_dir)
    facts = {**facts, "database": str(_sqlite_file(data_dir))}
    return environment(data_dir), facts


def postgres_template(objectives: int, *, refresh: str = "") -> tuple[str, dict[str, Any]]:
    """The name of the cached, scored PostgreSQL database of this size (made when missing)."""
    raw = f"constellation_scale_r{objectives}_{cache_key()}"
    scored = f"constellation_scale_t{objectives}_{cache_key()}"
    facts_dir = _cache_dir()
    if refresh == "all":
        _pg_drop(raw)
    if refresh:
        _pg_drop(scored)
    facts = _meta(facts_dir / f"{scored}.json")
    if facts is not None and _pg_exists(scored):
        return scored, facts
    data_dir = Path(tempfile.mkdtemp(prefix="okr-scale-pg-"))
    if _meta(facts_dir / f"{raw}.json") is None or not _pg_exists(raw):
        print(f"  generating {objectives:,} objectives on PostgreSQL ...", file=sys.stderr)
        _pg_drop(raw)
        _psql(f'CREATE DATABASE "{raw}"')
        facts = _run_generate(environment(data_dir, POSTGRES + raw), objectives)
        (facts_dir / f"{raw}.json").write_text(json.dumps(facts))
    facts = json.loads((facts_dir / f"{raw}.json").read_text())
    if not rescore_available(environment(data_dir)):
        return raw, {**facts, "rescore_seconds": None}
    _pg_drop(scored)
    _psql(f'CREATE DATABASE "{scored}" TEMPLATE "{raw}"')
    print(f"  rescoring {objectives:,} objectives on PostgreSQL ...", file=sys.stderr)
    facts["rescore_seconds"] = rescore(environment(data_dir, POSTGRES + scored))
    _psql("VACUUM ANALYZE", scored)
    (facts_dir / f"{scored}.json").write_text(json.dumps(facts))
    return scored, facts


def postgres_copy(objectives: int, name: str, *, refresh: str = "") -> tuple[dict[str, str], dict]:
    """Database `name`, a fresh copy of the cached one: the environment to use it, and facts."""
    template, facts = postgres_template(objectives, refresh=refresh)
    _pg_drop(name)
    _psql(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    data_dir = Path(tempfile.mkdtemp(prefix=f"okr-scale-pg-{objectives}-"))
    url = POSTGRES + name
    return environment(data_dir, url), {**facts, "database": url}


def fresh_copy(
    database: str, objectives: int, *, refresh: str = "", name: str = ""
) -> tuple[dict[str, str], dict]:
    """A fresh copy of the cached organisation of this size on `sqlite` or `postgres`."""
    if database == "sqlite":
        return sqlite_copy(objectives, refresh=refresh)
    return postgres_copy(
        objectives, name or f"constellation_scale_run_{objectives}", refresh=refresh
    )


def connect(facts: dict[str, Any]) -> Any:
    """A direct DB-API connection (sqlite3 or psycopg) to a copy made by `fresh_copy`."""
    target = facts["database"]
    if target.startswith("postgres://"):
        import psycopg

        parsed = urllib.parse.urlparse(target)
        return psycopg.connect(
            host=parsed.hostname,
            port=parsed.port or 5432,
            user=parsed.username,
            dbname=parsed.path.lstrip("/"),
            autocommit=True,
            options="-c jit=off",  # as the app's connections (constellation/server/env.py)
        )
    return sqlite3.connect(target, check_same_thread=False)


def main() -> None:
    """`generate` inside a prepared environment; `prepare` to fill the cache from outside."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("step", choices=["generate", "prepare"])
    parser.add_argument("--objectives", type=int, nargs="+", default=[2000])
    parser.add_argument("--databases", nargs="+", default=["sqlite", "postgres"])
    parser.add_argument(
        "--refresh",
        choices=["", "scores", "all"],
        default="",
        help="scores: run okr rescore again on the cached data; all: generate them again",
    )
    args = parser.parse_args()
    if args.step == "generate":
        print(json.dumps(generate(args.objectives[0])))
        return
    for database in args.databases:
        for size in args.objectives:
            started = time.perf_counter()
            if database == "sqlite":
                _, facts = sqlite_template(size, refresh=args.refresh)
            else:
                _, facts = postgres_template(size, refresh=args.refresh)
            print(f"{database} {size}: {facts} ({time.perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
