"""Data sources: key results and KPIs that update themselves through the worker's jobs."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.db import connection
from django_tasks_db.models import DBTaskResult

from constellation.server.audit.models import AuditEvent
from constellation.server.errors import ActionError, NotAllowed, ReadOnly
from constellation.server.kpis.models import Kpi, KpiReading
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import KeyResult
from constellation.server.orgs.access import access_org
from constellation.server.sources.actions import (
    SourceInput,
    do_remove_source,
    do_set_source,
    do_sync_source,
)
from constellation.server.sources.actions import (
    test_source as try_source,
)
from constellation.server.sources.models import DataSource
from constellation.server.sources.problems import SourceError
from constellation.server.tracking.models import CheckIn
from constellation.server.worker.jobs import schedule_due
from tests.server.factories import World
from tests.server.source_servers import Answer, Endpoint, prometheus_vector, serve

AT = datetime(2026, 11, 16, 10, 0, tzinfo=UTC)
SECRET = "Bearer s3cret-token-that-never-shows"


@pytest.fixture
def endpoint() -> Iterator[Endpoint]:
    """A JSON server on 127.0.0.1."""
    with serve() as running:
        yield running


@pytest.fixture
def sqlite_file(tmp_path: Path, settings: Any) -> Path:
    """A SQLite file of signups in a folder SQL sources may read."""
    settings.SOURCES_SQLITE_DIRS = [str(tmp_path)]
    path = tmp_path / "metrics.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE signups (day TEXT, activated INTEGER, total INTEGER)")
        db.execute("INSERT INTO signups VALUES ('2026-11-15', 45, 100), ('2026-11-16', 47, 100)")
    return path


def json_source(world: World, endpoint: Endpoint, path: str = "$.activation.rate") -> DataSource:
    """The week-1 activation key result fed by the loopback endpoint, set up by its owner."""
    access = access_org(world.member, "acme")
    data = SourceInput(
        kind="http_json",
        url=f"{endpoint.base}/metrics",
        query=path,
        header_name="Authorization",
        header_value=SECRET,
        timeout_seconds=2,
    )
    return do_set_source(
        access, data, key_result=world.key_result, expected_version=None, actor=world.member
    )


def sql_source(world: World, path: Path, query: str) -> DataSource:
    """The week-1 activation key result fed by a SQL query on a SQLite file."""
    access = access_org(world.member, "acme")
    data = SourceInput(kind="sql", database_url=f"sqlite:///{path}", query=query)
    return do_set_source(
        access, data, key_result=world.key_result, expected_version=None, actor=world.member
    )


def run_worker(moment: datetime, capture: Any) -> list[str]:
    """The scheduler at `moment`, then every job it enqueued, as `okr worker` runs them."""
    with capture(execute=True):
        keys = schedule_due(moment)
    outcomes = []
    for job in DBTaskResult.objects.filter(task_path__endswith="sync_source_job"):
        if job.status == "READY":
            outcomes.append(job.task.call(*job.args_kwargs["args"]))
            DBTaskResult.objects.filter(pk=job.pk).update(status="SUCCESSFUL")
    assert [key for key in keys if key.startswith("source:")] or not outcomes
    return outcomes


def test_an_http_json_source_gives_automatic_check_ins_through_the_worker(
    world: World, endpoint: Endpoint, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": "44.5"}})
    source = json_source(world, endpoint)
    assert run_worker(
        source.next_run_at + timedelta(seconds=1), django_capture_on_commit_callbacks
    ) == ["recorded"]
    check_in = CheckIn.objects.get(key_result=world.key_result)
    assert (check_in.value, check_in.automatic, check_in.author) == (44.5, True, world.member)
    assert KeyResult.objects.get(pk=world.key_result.pk).current == 44.5
    assert endpoint.asked[0]["headers"]["Authorization"] == SECRET
    event = AuditEvent.objects.filter(action="check_in").get()
    assert event.after["automatic"] is True
    source.refresh_from_db()
    assert (source.last_value, source.last_error, source.failures) == (44.5, "", 0)
    # Nothing more until the next run; then a new value is a new check-in.
    assert (
        run_worker(source.last_run_at + timedelta(minutes=5), django_capture_on_commit_callbacks)
        == []
    )
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 46}})
    later = source.next_run_at + timedelta(seconds=1)
    assert run_worker(later, django_capture_on_commit_callbacks) == ["recorded"]
    assert CheckIn.objects.filter(key_result=world.key_result).count() == 2


def test_two_schedulers_enqueue_one_sync_per_run(
    world: World, endpoint: Endpoint, django_capture_on_commit_callbacks: Any
) -> None:
    source = json_source(world, endpoint)
    moment = source.next_run_at + timedelta(seconds=1)
    with django_capture_on_commit_callbacks(execute=True):
        first = schedule_due(moment)
        second = schedule_due(moment)
    assert [k for k in first if k.startswith("source:")] == [
        f"source:{source.pk}:{source.next_run_at:%Y-%m-%dT%H:%M:%SZ}"
    ]
    assert [k for k in second if k.startswith("source:")] == []
    assert DBTaskResult.objects.filter(task_path__endswith="sync_source_job").count() == 1


def test_a_sql_source_on_a_sqlite_file_gives_automatic_check_ins(
    world: World, sqlite_file: Path, django_capture_on_commit_callbacks: Any
) -> None:
    query = "SELECT 100.0 * activated / total FROM signups ORDER BY day DESC LIMIT 1"
    source = sql_source(world, sqlite_file, query)
    assert (
        str(sqlite_file) not in DataSource.objects.values_list("sealed_database_url", flat=True)[0]
    )
    moment = source.next_run_at + timedelta(seconds=1)
    assert run_worker(moment, django_capture_on_commit_callbacks) == ["recorded"]
    check_in = CheckIn.objects.get(key_result=world.key_result)
    assert (check_in.value, check_in.automatic) == (47.0, True)


def test_a_prometheus_query_feeds_a_kpi(
    world: World, endpoint: Endpoint, django_capture_on_commit_callbacks: Any
) -> None:
    endpoint.answers["/api/v1/query"] = Answer(body=prometheus_vector("1.8"))
    data = SourceInput(kind="prometheus", url=endpoint.base, query="sum(churned) / sum(total)")
    access = access_org(world.leader, "acme")
    source = do_set_source(access, data, kpi=world.kpi, expected_version=None, actor=world.leader)
    moment = source.next_run_at + timedelta(seconds=1)
    assert run_worker(moment, django_capture_on_commit_callbacks) == ["recorded"]
    assert endpoint.asked[0]["query"] == {"query": ["sum(churned) / sum(total)"]}
    reading = KpiReading.objects.get(kpi=world.kpi)
    assert (reading.value, reading.author) == (1.8, world.leader)
    assert Kpi.objects.get(pk=world.kpi.pk).current == 1.8
    event = AuditEvent.objects.get(action="record_readings")
    assert event.after["source"] == "automatic"


@pytest.mark.parametrize(
    ("answer", "path", "error"),
    [
        (Answer(500, {"oops": 1}), "$.rate", "answered HTTP 500"),
        (Answer(body={"rate": 1}), "$.missing", "the JSONPath $.missing found nothing"),
        (Answer(body={"rate": [1, 2]}), "$.rate[*]", "found 2 values; it must find exactly one"),
        (
            Answer(body={"rate": "n/a"}),
            "$.rate",
            'the value at $.rate is the text "n/a", not a number',
        ),
        (Answer(body={"rate": True}), "$.rate", "the value at $.rate is true, not a number"),
        (Answer(body=b"<html>"), "$.rate", "is not JSON"),
        (Answer(body={"rate": 1}, delay=3), "$.rate", "took longer than 1 s"),
        (Answer(body={"rate": 1, "pad": "x" * 40}, drip=0.2), "$.rate", "took longer than 1 s"),
    ],
)
def test_a_failing_http_source_records_nothing_and_tells_the_owner_once(
    world: World,
    endpoint: Endpoint,
    django_capture_on_commit_callbacks: Any,
    answer: Answer,
    path: str,
    error: str,
) -> None:
    endpoint.answers["/metrics"] = answer
    source = json_source(world, endpoint, path)
    DataSource.objects.filter(pk=source.pk).update(timeout_seconds=1)
    for hour in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            assert do_sync_source(source.pk, AT + timedelta(hours=hour)) == "failed"
    assert not CheckIn.objects.exists()
    source.refresh_from_db()
    assert error in source.last_error
    assert source.failures == 3
    told = Notification.objects.filter(title__startswith="Automatic updates stopped")
    assert [n.recipient for n in told] == [world.member]
    assert error in told[0].body
    assert [m.to for m in mail.outbox] == [["member@example.com"]]
    assert SECRET not in told[0].body


def test_a_success_ends_the_streak_and_the_next_failure_tells_again(
    world: World, endpoint: Endpoint, django_capture_on_commit_callbacks: Any
) -> None:
    source = json_source(world, endpoint, "$.rate")
    endpoint.answers["/metrics"] = Answer(500)
    assert do_sync_source(source.pk, AT) == "failed"
    endpoint.answers["/metrics"] = Answer(body={"rate": 43})
    assert do_sync_source(source.pk, AT + timedelta(hours=1)) == "recorded"
    source.refresh_from_db()
    assert (source.failures, source.last_error, source.failure_notified) == (0, "", False)
    endpoint.answers["/metrics"] = Answer(500)
    assert do_sync_source(source.pk, AT + timedelta(hours=2)) == "failed"
    assert Notification.objects.filter(title__startswith="Automatic updates stopped").count() == 2


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ("SELECT activated FROM nowhere", "the query failed: no such table: nowhere"),
        ("DELETE FROM signups", "only a read-only SELECT may run"),
        ("INSERT INTO signups VALUES ('x', 1, 1)", "only a read-only SELECT may run"),
        ("ATTACH DATABASE '/tmp/other.db' AS other", "only a read-only SELECT may run"),
        ("SELECT activated FROM signups", "several rows"),
        ("SELECT activated, total FROM signups LIMIT 1", "2 columns"),
        ("SELECT 'many' ", 'the query\'s value is the text "many", not a number'),
        ("SELECT 1 WHERE 0", "no row"),
        (
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n) "
            "SELECT count(*) FROM n",
            "took longer than 1 s",
        ),
    ],
)
def test_a_failing_sql_source_records_nothing(
    world: World, sqlite_file: Path, query: str, error: str
) -> None:
    source = sql_source(world, sqlite_file, query)
    DataSource.objects.filter(pk=source.pk).update(timeout_seconds=1)
    assert do_sync_source(source.pk, AT) == "failed"
    source.refresh_from_db()
    assert error in source.last_error
    assert not CheckIn.objects.exists()
    with sqlite3.connect(sqlite_file) as db:
        assert db.execute("SELECT count(*) FROM signups").fetchone() == (2,)


def test_sqlite_files_outside_the_allowed_folders_are_refused(
    world: World, tmp_path: Path, settings: Any
) -> None:
    settings.SOURCES_SQLITE_DIRS = [str(tmp_path / "allowed")]
    with pytest.raises(ActionError) as refused:
        sql_source(world, tmp_path / "elsewhere.db", "SELECT 1")
    assert refused.value.field == "database_url"
    assert "read only from" in refused.value.message
    settings.SOURCES_SQLITE_DIRS = []
    with pytest.raises(ActionError, match="turned off"):
        sql_source(world, tmp_path / "allowed" / "x.db", "SELECT 1")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (prometheus_vector(), "no series"),
        (prometheus_vector("1", "2"), "returned 2 series"),
        ({"status": "error", "error": "parse error at char 4"}, "parse error at char 4"),
        (prometheus_vector("NaN"), "not a finite number"),
    ],
)
def test_a_failing_prometheus_query_records_no_reading(
    world: World, endpoint: Endpoint, body: Any, error: str
) -> None:
    endpoint.answers["/api/v1/query"] = Answer(body=body)
    data = SourceInput(kind="prometheus", url=endpoint.base, query="up")
    access = access_org(world.admin, "acme")
    source = do_set_source(access, data, kpi=world.kpi, expected_version=None, actor=world.admin)
    assert do_sync_source(source.pk, AT) == "failed"
    source.refresh_from_db()
    assert error in source.last_error
    assert not KpiReading.objects.exists()


def test_a_prometheus_scalar_is_read(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/api/v1/query"] = Answer(
        body={"status": "success", "data": {"resultType": "scalar", "result": [1.0, "2.25"]}}
    )
    data = SourceInput(kind="prometheus", url=endpoint.base, query="scalar(up)")
    access = access_org(world.admin, "acme")
    assert try_source(access, data, kpi=world.kpi) == 2.25


def test_secrets_are_sealed_in_the_database(
    world: World, endpoint: Endpoint, sqlite_file: Path
) -> None:
    json_source(world, endpoint)
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_header_value, header_name FROM sources_datasource")
        sealed, name = cursor.fetchone()
    assert SECRET not in sealed and "s3cret" not in sealed
    assert name == "Authorization"
    assert not AuditEvent.objects.filter(after__icontains="s3cret").exists()


def test_an_empty_secret_keeps_the_stored_one(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 40}})
    source = json_source(world, endpoint)
    access = access_org(world.member, "acme")
    data = SourceInput(
        kind="http_json",
        url=f"{endpoint.base}/metrics",
        query="$.activation.rate",
        header_name="Authorization",
        interval_minutes=60,
    )
    saved = do_set_source(
        access,
        data,
        key_result=world.key_result,
        expected_version=source.version,
        actor=world.member,
    )
    assert (saved.version, saved.interval_minutes) == (2, 60)
    assert do_sync_source(saved.pk, AT) == "recorded"
    assert endpoint.asked[-1]["headers"]["Authorization"] == SECRET


def test_test_now_reads_the_value_and_records_nothing(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 39.5}})
    access = access_org(world.member, "acme")
    data = SourceInput(kind="http_json", url=f"{endpoint.base}/metrics", query="$.activation.rate")
    assert try_source(access, data, key_result=world.key_result) == 39.5
    endpoint.answers["/metrics"] = Answer(body={"activation": {}})
    with pytest.raises(SourceError, match="found nothing"):
        try_source(access, data, key_result=world.key_result)
    assert not CheckIn.objects.exists() and not DataSource.objects.exists()
    assert not AuditEvent.objects.exists()


def test_only_who_may_check_in_manages_a_key_results_source(
    world: World, endpoint: Endpoint
) -> None:
    data = SourceInput(kind="http_json", url=f"{endpoint.base}/metrics", query="$.rate")
    with pytest.raises(ReadOnly):
        do_set_source(
            access_org(world.viewer, "acme"),
            data,
            key_result=world.key_result,
            expected_version=None,
            actor=world.viewer,
        )
    # The leader may check in on any key result; a KPI's source needs a leader too.
    do_set_source(
        access_org(world.leader, "acme"),
        data,
        key_result=world.second_key_result,
        expected_version=None,
        actor=world.leader,
    )
    with pytest.raises(NotAllowed):
        do_set_source(
            access_org(world.member, "acme"),
            SourceInput(kind="prometheus", url=endpoint.base, query="up"),
            kpi=world.kpi,
            expected_version=None,
            actor=world.member,
        )


def test_a_stale_edit_is_refused_and_removal_is_audited(world: World, endpoint: Endpoint) -> None:
    from constellation.server.errors import Conflict

    source = json_source(world, endpoint)
    access = access_org(world.member, "acme")
    data = SourceInput(kind="http_json", url=f"{endpoint.base}/other", query="$.x")
    with pytest.raises(Conflict):
        do_set_source(
            access, data, key_result=world.key_result, expected_version=None, actor=world.member
        )
    do_remove_source(access, source, expected_version=source.version, actor=world.member)
    assert not DataSource.objects.exists()
    assert AuditEvent.objects.filter(action="remove_source").exists()


def test_a_milestone_takes_no_source(world: World, endpoint: Endpoint) -> None:
    KeyResult.objects.filter(pk=world.key_result.pk).update(type="milestone")
    world.key_result.refresh_from_db()
    with pytest.raises(ActionError, match="milestone"):
        json_source(world, endpoint)


def test_a_source_whose_creator_left_fails_and_says_so(world: World, endpoint: Endpoint) -> None:
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 40}})
    source = json_source(world, endpoint)
    world.member.memberships.update(deactivated_at=AT)
    assert do_sync_source(source.pk, AT) == "failed"
    source.refresh_from_db()
    assert "no longer a member" in source.last_error


PG = "postgres://postgres@127.0.0.1:5432/constellation_sources_pg"


@pytest.fixture
def postgres_metrics() -> Iterator[str]:
    """A PostgreSQL database of signups, when PostgreSQL answers on 127.0.0.1:5432."""
    psycopg = pytest.importorskip("psycopg")
    admin_url = "postgres://postgres@127.0.0.1:5432/postgres"
    try:
        admin = psycopg.connect(admin_url, autocommit=True, connect_timeout=2)
    except psycopg.OperationalError:
        pytest.skip("PostgreSQL does not answer on 127.0.0.1:5432")
    with admin:
        admin.execute("DROP DATABASE IF EXISTS constellation_sources_pg")
        admin.execute("CREATE DATABASE constellation_sources_pg")
    with psycopg.connect(PG, autocommit=True) as db:
        db.execute("CREATE TABLE signups (day date, activated int, total int)")
        db.execute("INSERT INTO signups VALUES ('2026-11-16', 48, 100)")
    yield PG
    with psycopg.connect(admin_url, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS constellation_sources_pg WITH (FORCE)")


@pytest.mark.parametrize(
    ("query", "outcome", "error"),
    [
        ("SELECT 100.0 * activated / total FROM signups", "recorded", ""),
        ("DELETE FROM signups RETURNING 1", "failed", "only a read-only SELECT may run"),
        ("SELECT pg_sleep(3)::text || '1'", "failed", "took longer than 1 s"),
        ("SELECT nothing FROM signups", "failed", 'column "nothing" does not exist'),
    ],
)
def test_a_postgresql_source_reads_within_a_read_only_session(
    world: World, postgres_metrics: str, query: str, outcome: str, error: str
) -> None:
    access = access_org(world.member, "acme")
    data = SourceInput(kind="sql", database_url=postgres_metrics, query=query, timeout_seconds=1)
    source = do_set_source(
        access, data, key_result=world.key_result, expected_version=None, actor=world.member
    )
    assert do_sync_source(source.pk, AT) == outcome
    source.refresh_from_db()
    assert error in source.last_error
    if outcome == "recorded":
        assert CheckIn.objects.get().value == 48.0
    import psycopg

    with psycopg.connect(postgres_metrics) as db:
        assert db.execute("SELECT count(*) FROM signups").fetchone() == (1,)


def test_a_database_password_is_sealed_and_hidden(world: World) -> None:
    access = access_org(world.member, "acme")
    url = "postgres://reader:hunter2-password@127.0.0.1:1/metrics"
    data = SourceInput(kind="sql", database_url=url, query="SELECT 1")
    source = do_set_source(
        access, data, key_result=world.key_result, expected_version=None, actor=world.member
    )
    assert source.database_hint == "postgres://reader:•••@127.0.0.1:1/metrics"
    with connection.cursor() as cursor:
        cursor.execute("SELECT sealed_database_url, database_hint FROM sources_datasource")
        row = cursor.fetchone()
    assert all("hunter2" not in column for column in row)
    assert do_sync_source(source.pk, AT) == "failed"
    source.refresh_from_db()
    assert "hunter2" not in source.last_error


def test_an_hourly_source_reading_the_same_value_the_same_day_adds_no_check_in(
    world: World, endpoint: Endpoint
) -> None:
    endpoint.answers["/metrics"] = Answer(body={"activation": {"rate": 43}})
    source = json_source(world, endpoint)
    assert do_sync_source(source.pk, AT) == "recorded"
    assert do_sync_source(source.pk, AT + timedelta(hours=1)) == "unchanged"
    assert do_sync_source(source.pk, AT + timedelta(days=1)) == "recorded"
    assert CheckIn.objects.filter(automatic=True).count() == 2
