"""Observability: JSON logs with request ids and an access log, Prometheus metrics behind a
token, and the health checks (/healthz liveness, /readyz readiness)."""

from __future__ import annotations

import io
import json
import logging
import logging.config
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
import structlog
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.http import HttpRequest, HttpResponse
from django.test import Client, RequestFactory, override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from constellation.server.logs import RequestLogMiddleware, logging_config
from constellation.server.notifications.models import OutgoingEmail
from constellation.server.tracking import liveness
from constellation.server.tracking.tasks import reminders_job
from tests.server.factories import World, make_world


def _capture(log_format: str) -> Iterator[io.StringIO]:
    """The server's log lines in `log_format`, written to a buffer instead of standard error."""
    logging.config.dictConfig(logging_config(log_format, "WARNING", True))
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    handler.setStream(buffer)
    try:
        yield buffer
    finally:
        logging.config.dictConfig(settings.LOGGING)


@pytest.fixture
def json_log() -> Iterator[io.StringIO]:
    """The log as JSON lines."""
    yield from _capture("json")


@pytest.fixture
def console_log() -> Iterator[io.StringIO]:
    """The log as a terminal shows it."""
    yield from _capture("console")


def _lines(buffer: io.StringIO) -> list[dict[str, Any]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


def test_each_request_writes_one_json_access_line_with_its_id_organisation_and_person(
    world: World, json_log: io.StringIO
) -> None:
    client = Client()
    client.force_login(world.member)

    response = client.get("/o/acme/", headers={"X-Request-ID": "edge-7f3a.1"})

    assert response.status_code == 200 and response["X-Request-ID"] == "edge-7f3a.1"
    [line] = [line for line in _lines(json_log) if line["logger"] == "constellation.access"]
    assert line["event"] == "request" and line["level"] == "info"
    assert datetime.fromisoformat(line["time"]).tzinfo is not None
    assert (line["method"], line["path"], line["status"]) == ("GET", "/o/acme/", 200)
    assert line["bytes"] == len(response.content) and line["duration_ms"] > 0
    assert (line["request_id"], line["organisation"], line["user_id"]) == (
        "edge-7f3a.1",
        "acme",
        world.member.pk,
    )


def test_a_request_id_that_is_not_an_id_is_replaced(db: None, json_log: io.StringIO) -> None:
    response = Client().get("/accounts/login/", headers={"X-Request-ID": "x\u2028<script>"})

    given = response["X-Request-ID"]
    assert len(given) == 32 and int(given, 16) >= 0
    [line] = [line for line in _lines(json_log) if line["logger"] == "constellation.access"]
    assert line["request_id"] == given and "user_id" not in line


def _logging_view(request: HttpRequest) -> HttpResponse:
    logging.getLogger("constellation.somewhere").warning("mail to %s refused", "ana@example.com")
    structlog.get_logger("constellation.elsewhere").error("job failed", job="digest")
    return HttpResponse("ok")


def test_standard_library_and_structlog_lines_carry_the_request_id(json_log: io.StringIO) -> None:
    request = RequestFactory().get("/somewhere", headers={"X-Request-ID": "abc"})

    RequestLogMiddleware(_logging_view)(request)

    stdlib, native, access = _lines(json_log)
    assert stdlib["event"] == "mail to ana@example.com refused" and stdlib["level"] == "warning"
    assert (native["event"], native["job"], native["level"]) == ("job failed", "digest", "error")
    assert (
        stdlib["logger"] == "constellation.somewhere"
        and native["logger"] == "constellation.elsewhere"
    )
    assert {line["request_id"] for line in (stdlib, native, access)} == {"abc"}
    assert all("time" in line for line in (stdlib, native, access))


def test_outside_a_request_lines_have_no_request_id(json_log: io.StringIO) -> None:
    logging.getLogger("constellation.worker").warning("slot skipped")

    [line] = _lines(json_log)
    assert line["event"] == "slot skipped" and "request_id" not in line


def test_on_a_terminal_lines_are_readable_text(db: None, console_log: io.StringIO) -> None:
    Client().get("/accounts/login/")

    text = console_log.getvalue()
    assert "request" in text and "status=200" in text and "path=/accounts/login/" in text
    assert not text.lstrip().startswith("{")


def _scrape(url: str, token: str | None) -> tuple[int, str]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=10) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


@pytest.mark.django_db(transaction=True)
def test_metrics_are_scraped_over_http_with_the_token(live_server: Any) -> None:
    world = make_world()
    reminders_job.enqueue(world.org.pk, "2026-11-16T09:00")
    OutgoingEmail.objects.create(to=["a@example.com"], subject="sent", sent_at=timezone.now())
    OutgoingEmail.objects.create(to=["b@example.com"], subject="lost", failed_at=timezone.now())
    Client().get("/accounts/login/")

    with override_settings(METRICS_TOKEN="scrape-me"):
        status, text = _scrape(f"{live_server.url}/metrics", "scrape-me")

    assert status == 200
    families = {family.name: family for family in text_string_to_metric_families(text)}
    jobs = {s.labels["status"]: s.value for s in families["constellation_jobs"].samples}
    emails = {s.labels["state"]: s.value for s in families["constellation_emails"].samples}
    assert (jobs["ready"], jobs["running"], jobs["failed"]) == (1, 0, 0)
    assert (emails["sent"], emails["failed"], emails["waiting"]) == (1, 1, 0)
    # Counted since the process started (earlier tests' requests too): at least this one.
    login_pages = [
        sample.value
        for sample in families["constellation_http_requests"].samples
        if sample.labels == {"method": "GET", "view": "login", "status": "200"}
    ]
    assert login_pages and login_pages[0] >= 1
    assert "constellation_http_request_duration_seconds" in families
    assert families["constellation_db_queries"].samples[0].value > 0


@pytest.mark.django_db(transaction=True)
def test_metrics_are_off_by_default_and_refused_without_the_token(live_server: Any) -> None:
    assert _scrape(f"{live_server.url}/metrics", "anything")[0] == 404

    with override_settings(METRICS_TOKEN="scrape-me"):
        assert _scrape(f"{live_server.url}/metrics", None)[0] == 401
        assert _scrape(f"{live_server.url}/metrics", "scrape-mf")[0] == 401


def test_healthz_is_cheap(db: None, django_assert_max_num_queries: Any) -> None:
    with django_assert_max_num_queries(1):
        response = Client().get("/healthz")

    assert response.status_code == 200 and response.json() == {"status": "ok", "database": "ok"}


class Heartbeat:
    """Sets the worker heartbeat /readyz sees, as a running `okr worker` records it."""

    def __setitem__(self, index: int, at: datetime) -> None:
        liveness.beat("test-worker", at)


@pytest.fixture
def heartbeat() -> Iterator[Heartbeat]:
    """The worker heartbeat /readyz sees, set by the test."""
    with override_settings(WORKER_STALE_SECONDS=120):
        yield Heartbeat()


def test_readyz_is_ok_with_a_fresh_worker_heartbeat(
    db: None, heartbeat: Heartbeat, django_assert_max_num_queries: Any
) -> None:
    heartbeat[0] = timezone.now() - timedelta(seconds=30)

    with django_assert_max_num_queries(3):
        response = Client().get("/readyz")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"] == {"status": "ok"}
    assert body["checks"]["migrations"] == {"status": "ok", "pending": []}
    assert body["checks"]["worker"]["status"] == "ok"
    assert 29 <= body["checks"]["worker"]["age_seconds"] <= 40


def test_readyz_is_degraded_but_ready_with_a_stale_or_missing_worker(
    db: None, heartbeat: Heartbeat
) -> None:
    missing = Client().get("/readyz")
    heartbeat[0] = timezone.now() - timedelta(minutes=10)
    stale = Client().get("/readyz")

    assert (missing.status_code, stale.status_code) == (200, 200)
    assert missing.json()["status"] == stale.json()["status"] == "degraded"
    assert missing.json()["checks"]["worker"] == {"status": "unknown", "last_heartbeat": None}
    assert stale.json()["checks"]["worker"]["status"] == "stale"


def test_readyz_is_not_ready_while_a_migration_is_pending(db: None, heartbeat: Heartbeat) -> None:
    heartbeat[0] = timezone.now()
    recorder = MigrationRecorder(connection)
    # The last applied migration is a leaf: nothing applied depends on it.
    last = recorder.migration_qs.order_by("-id").first()
    assert last is not None
    last.delete()

    response = Client().get("/readyz")

    assert response.status_code == 503
    assert response.json()["status"] == "error"
    assert response.json()["checks"]["migrations"] == {
        "status": "pending",
        "pending": [f"{last.app}.{last.name}"],
    }
