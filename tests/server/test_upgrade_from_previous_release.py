"""A database made by the previous release upgrades to this one with `okr migrate`, its data
intact, on SQLite and on PostgreSQL.

There is no release tag yet, so "the previous release" is the schema as it stood at commit
10603cb (2 December 2026), before the idempotency keys, data sources, outbound webhooks,
initiative links and check-in versions: `PREVIOUS_RELEASE` is each app's last migration then.
A fresh database is migrated to exactly that state, filled through the historical models of
that state (the rows that release's code wrote), then `okr migrate` brings it to this
release; every row must still be there with its values. When a release is tagged, its
migration state replaces the one below (docs/operations.md, "Releases").

Run as a script (`python this_file.py seed|read`) inside a subprocess pointed at the
database by DATABASE_URL: the seeding needs Django set up on that database, not the test's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from tests.fresh_postgresql import fresh_database

ROOT = Path(__file__).resolve().parents[2]
OKR = Path(sys.executable).with_name("okr")

# (app label, last migration) of the previous release; apps it did not have are absent.
PREVIOUS_RELEASE = {
    "accounts": "0002_sso_identities",
    "audit": "0005_drop_the_cached_views_index",
    "kpis": "0002_kpi_team_version_one_reading_per_day",
    "notifications": "0002_outbox",
    "okrs": "0007_findings_in_plain_words",
    "orgs": "0006_organization_plan_ahead_days",
    "people": "0001_invitations",
    "reviews": "0004_review_reopenings",
    "sharing": "0002_objectives_launch_days",
    "strategy": "0002_strategy_per_year_lever_focus_and_retirement",
    "api": "0002_token_scope_and_expiry",
    "tracking": "0002_reminders_digests_kpi_alerts_and_scheduled_jobs",
}
# What the seed writes and the upgraded database must read back.
EXPECTED = {
    "organization": ["acme", "Acme Corp"],
    "teams": [["growth", "Growth"], ["platform", "Platform"]],
    "memberships": [["ana", "owner", ["growth"]], ["ben", "member", ["platform"]]],
    "objectives": [["grow-revenue", "Grow revenue", "launched", "growth", "ana"]],
    "key_results": [["arr", "ARR from 1M to 2M", 1000000.0, 2000000.0, "USD"]],
    "check_ins": [
        ["arr", "2026-10-05", 1200000.0, 7, "First month"],
        ["arr", "2026-11-02", 1500000.0, 8, "Two big deals"],
    ],
    "kpis": [["uptime", "Uptime", 99.5, 100.0]],
    "readings": [["uptime", "2026-10-05", 99.9], ["uptime", "2026-11-02", 99.7]],
    "learnings": [["Pricing pages convert better with a calculator"]],
    "tokens": [["ana", "ci", "read"]],
}


def _seed() -> None:
    """Migrate to the previous release and write its rows through its historical models."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    graph = executor.loader.graph
    ours = list(PREVIOUS_RELEASE.items())
    theirs = [node for node in graph.leaf_nodes() if node[0] not in _our_labels()]
    executor.migrate(ours + theirs)
    apps = MigrationExecutor(connection).loader.project_state(ours + theirs).apps
    _write_rows(apps)


def _our_labels() -> set[str]:
    from django.apps import apps

    return {
        config.label for config in apps.get_app_configs() if config.name.startswith("constellation")
    }


def _write_rows(apps) -> None:
    model = apps.get_model
    users = {
        name: model("auth", "User").objects.create(username=name, email=f"{name}@acme.test")
        for name in ("ana", "ben")
    }
    org = model("orgs", "Organization").objects.create(slug="acme", name="Acme Corp")
    teams = {
        slug: model("orgs", "Team").objects.create(organization=org, slug=slug, name=name)
        for slug, name in EXPECTED["teams"]
    }
    for username, role, team_slugs in EXPECTED["memberships"]:
        membership = model("orgs", "Membership").objects.create(
            organization=org, user=users[username], role=role
        )
        membership.teams.set([teams[slug] for slug in team_slugs])
    period = model("okrs", "Period").objects.create(
        organization=org, key="2026-Q4", start=date(2026, 10, 1), end=date(2026, 12, 31)
    )
    slug, title, state, team, owner = EXPECTED["objectives"][0]
    objective = model("okrs", "Objective").objects.create(
        organization=org, slug=slug, team=teams[team], period=period, title=title,
        owner=users[owner], state=state,
    )  # fmt: skip
    kr_slug, kr_title, baseline, target, unit = EXPECTED["key_results"][0]
    key_result = model("okrs", "KeyResult").objects.create(
        objective=objective, slug=kr_slug, title=kr_title, baseline=baseline, target=target,
        unit=unit,
    )  # fmt: skip
    for _, day, value, confidence, note in EXPECTED["check_ins"]:
        model("tracking", "CheckIn").objects.create(
            key_result=key_result, value=value, confidence=confidence, note=note,
            author=users["ana"], checked_on=date.fromisoformat(day),
        )  # fmt: skip
    kpi_slug, kpi_title, low, high = EXPECTED["kpis"][0]
    kpi = model("kpis", "Kpi").objects.create(
        organization=org, team=teams["platform"], slug=kpi_slug, title=kpi_title,
        healthy_low=low, healthy_high=high,
    )  # fmt: skip
    for _, day, value in EXPECTED["readings"]:
        model("kpis", "KpiReading").objects.create(
            kpi=kpi, value=value, taken_on=date.fromisoformat(day), author=users["ben"]
        )
    model("reviews", "Learning").objects.create(
        organization=org, team=teams["growth"], period=period, objective=objective,
        text=EXPECTED["learnings"][0][0], author=users["ana"],
    )  # fmt: skip
    model("api", "ApiToken").objects.create(
        user=users["ana"], organization=org, name="ci", token_hash="0" * 64, hint="okr_0000"
    )


def _read() -> dict[str, object]:
    """The same rows read back through this release's models, in EXPECTED's shape."""
    from constellation.server.kpis.models import Kpi, KpiReading
    from constellation.server.okrs.models import KeyResult, Objective
    from constellation.server.orgs.models import Membership, Organization, Team
    from constellation.server.quarterly.models import Learning
    from constellation.server.tokens.models import ApiToken
    from constellation.server.tracking.models import CheckIn

    org = Organization.objects.get(slug="acme")
    return {
        "organization": [org.slug, org.name],
        "teams": [[t.slug, t.name] for t in Team.objects.filter(organization=org).order_by("slug")],
        "memberships": [
            [m.user.username, m.role, [t.slug for t in m.teams.order_by("slug")]]
            for m in Membership.objects.filter(organization=org).order_by("user__username")
        ],
        "objectives": [
            [o.slug, o.title, o.state, o.team.slug, o.owner.username if o.owner else None]
            for o in Objective.objects.filter(organization=org)
        ],
        "key_results": [
            [k.slug, k.title, k.baseline, k.target, k.unit]
            for k in KeyResult.objects.filter(objective__organization=org)
        ],
        "check_ins": [
            [c.key_result.slug, c.checked_on.isoformat(), c.value, c.confidence, c.note]
            for c in CheckIn.objects.order_by("checked_on")
        ],
        "kpis": [[k.slug, k.title, k.healthy_low, k.healthy_high] for k in Kpi.objects.all()],
        "readings": [
            [r.kpi.slug, r.taken_on.isoformat(), r.value]
            for r in KpiReading.objects.order_by("taken_on")
        ],
        "learnings": [[learning.text] for learning in Learning.objects.all()],
        "tokens": [[t.user.username, t.name, t.scope] for t in ApiToken.objects.all()],
    }


def _environment(tmp_path: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    pythonpath = [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
    return env | {
        "OKR_DATA_DIR": str(tmp_path / "data"),
        "DATABASE_URL": database_url,
        "PYTHONPATH": os.pathsep.join(pythonpath),
    }


def _run(command: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    return done.stdout


def _upgrade_and_compare(tmp_path: Path, database_url: str) -> None:
    env = _environment(tmp_path, database_url)
    _run([sys.executable, __file__, "seed"], env)
    migrated = _run([str(OKR), "migrate"], env)
    assert "Applied" in migrated
    # Nothing of this release was there before: the upgrade applied its new migrations.
    assert "okrs.0008_initiative_owner_version_and_links" in migrated
    read = json.loads(_run([sys.executable, __file__, "read"], env).splitlines()[-1])
    assert read == json.loads(json.dumps(EXPECTED))


def test_a_previous_release_sqlite_database_upgrades_with_its_data(tmp_path: Path) -> None:
    _upgrade_and_compare(tmp_path, f"sqlite:///{tmp_path / 'previous.sqlite3'}")


@pytest.fixture
def fresh_postgresql() -> Iterator[str]:
    """A new, empty PostgreSQL database of its own, dropped at the end."""
    yield from fresh_database()


def test_a_previous_release_postgresql_database_upgrades_with_its_data(
    tmp_path: Path, fresh_postgresql: str
) -> None:
    _upgrade_and_compare(tmp_path, fresh_postgresql)


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "constellation.server.settings")
    import django

    django.setup()
    if sys.argv[1] == "seed":
        _seed()
    else:
        print(json.dumps(_read()))
