"""`okr worker`: real worker processes on one database, against a seeded clock.

The database is the test run's own (a SQLite file, or PostgreSQL when DATABASE_URL is set);
the rows are committed (transactional tests) so the worker processes see them, and emails are
written by Django's file-based backend where the test reads them back.
"""

from __future__ import annotations

import email
import os
import subprocess
import time
from datetime import UTC, datetime
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from typer.testing import CliRunner

from constellation.cli import demo_commands, worker_command
from constellation.cli.main import app
from constellation.server.kpis.models import Kpi
from constellation.server.kpis.tasks import kpi_check_job
from constellation.server.notifications.models import Notification
from constellation.server.okrs.models import KeyResult, Objective
from constellation.server.orgs.models import Membership
from constellation.server.tracking.models import KpiAlert, ScheduledJob, SentDigest, SentReminder
from constellation.server.tracking.tasks import reminders_job
from constellation.server.worker.jobs import digests_job
from tests.server.factories import World, make_world

ROOT = Path(__file__).resolve().parents[2]
OKR = ROOT / ".venv" / "bin" / "okr"
SLOT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)  # Monday 09:00 UTC, Acme's cadence
NOW = "2026-11-16T09:03:00+00:00"
runner = CliRunner()


def _database_url() -> str:
    """The test database, as a URL another process can open."""
    found = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite://{Path(found['NAME']).resolve()}"
    password = f":{found['PASSWORD']}" if found["PASSWORD"] else ""
    host = found["HOST"] or "127.0.0.1"
    return f"postgres://{found['USER']}{password}@{host}:{found['PORT'] or 5432}/{found['NAME']}"


def _environment(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OKR_DEBUG"}
    env |= {
        "DATABASE_URL": _database_url(),
        "OKR_DATA_DIR": str(tmp_path / "data"),
        "OKR_NOW": NOW,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "mail"),
        "SITE_URL": "https://okr.example.com",
        "LOG_LEVEL": "ERROR",
    }
    return env


def _emails(folder: Path) -> list[Message]:
    """Every message the file-based backend wrote (one file per connection, several per file)."""
    messages = []
    for path in sorted(folder.glob("*.log")) if folder.exists() else []:
        for chunk in path.read_text().split("\n" + "-" * 79 + "\n"):
            if chunk.strip():
                messages.append(email.message_from_string(chunk))
    return messages


def _text(message: Message) -> str:
    payload = message.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return payload.decode(message.get_content_charset() or "utf-8")


def _seed() -> World:
    """Two owners of due key results, a team with members, a KPI out of its range."""
    world = make_world()
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    KeyResult.objects.filter(pk=world.second_key_result.pk).update(owner=world.leader)
    Membership.objects.get(organization=world.org, user=world.member).teams.add(world.team)
    Kpi.objects.filter(pk=world.kpi.pk).update(current=3.4)
    return world


def _run_two_workers(tmp_path: Path) -> list[str]:
    env = _environment(tmp_path)
    command = [str(OKR), "worker", "--once", "--interval", "0.1"]
    processes = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = []
    for process in processes:
        output, _ = process.communicate(timeout=120)
        outputs.append(output.decode())
        assert process.returncode == 0, output.decode()
    return outputs


@pytest.mark.django_db(transaction=True)
def test_two_workers_send_exactly_one_reminder_per_person_and_slot(tmp_path: Path) -> None:
    world = _seed()
    # Jobs already queued for the same slot and KPI: three of each kind race in two workers.
    for _ in range(2):
        reminders_job.enqueue(world.org.pk, SLOT.isoformat())
        digests_job.enqueue(world.org.pk, SLOT.isoformat())
        kpi_check_job.enqueue(world.kpi.pk)
    outputs = _run_two_workers(tmp_path)
    assert all("Traceback" not in output and "failed" not in output for output in outputs)
    assert ScheduledJob.objects.filter(key__startswith="reminders:").count() == 2  # two orgs

    sent = SentReminder.objects.order_by("person__username")
    assert [(r.person.username, r.slot, r.key_results) for r in sent] == [
        ("leader", SLOT, 1),
        ("member", SLOT, 1),
    ]
    assert Notification.objects.filter(kind="reminder").count() == 2
    messages = _emails(tmp_path / "mail")
    reminders = [m for m in messages if "Check-in reminder" in m["Subject"]]
    assert sorted(m["To"] for m in reminders) == ["leader@example.com", "member@example.com"]
    to_member = next(m for m in reminders if m["To"] == "member@example.com")
    assert to_member["Subject"] == (
        "[Constellation] Check-in reminder: 1 key result at Acme Analytics"
    )
    body = _text(to_member)
    assert "Hello member," in body
    assert "since Monday 9 November" in body
    assert "- Raise week-1 activation from 34% to 50%" in body
    assert "https://okr.example.com/o/acme/objectives/activation/#kr-week1-activation" in body
    assert "time-to-value" not in body  # the leader's, in the leader's own reminder

    digests = [m for m in messages if "Weekly digest" in m["Subject"]]
    assert [m["To"] for m in digests] == ["member@example.com"]
    assert SentDigest.objects.count() == 1
    alerts = [m for m in messages if "KPI alert" in m["Subject"]]
    assert sorted(m["To"] for m in alerts) == [
        "admin@example.com",
        "leader@example.com",
        "member@example.com",
    ]
    assert "Monthly logo churn is now 3.4%" in _text(alerts[0])
    assert KpiAlert.objects.count() == 1

    # Run again at the same moment: everything due was sent, nothing goes twice.
    again = subprocess.run(
        [str(OKR), "worker", "--once"], env=_environment(tmp_path), capture_output=True, timeout=60
    )
    assert again.returncode == 0, again.stderr.decode()
    assert "Enqueued 0 jobs; ran 0." in again.stdout.decode()
    assert len(_emails(tmp_path / "mail")) == len(messages)


@pytest.mark.django_db(transaction=True)
def test_a_long_running_worker_schedules_and_runs_jobs_until_stopped(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _seed()
    for name, value in _environment(tmp_path).items():
        monkeypatch.setenv(name, value)
    process = worker_command.start_background_worker()
    try:
        deadline = time.monotonic() + 60
        while SentReminder.objects.count() < 2 and time.monotonic() < deadline:
            assert process.poll() is None, "the worker stopped by itself"
            time.sleep(0.2)
        assert SentReminder.objects.count() == 2
    finally:
        worker_command.stop_background_worker(process)
    assert process.returncode == 0


def test_serve_and_demo_run_a_worker_beside_the_web_server(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    children: list[subprocess.Popen[bytes]] = []
    seen: list[Any] = []

    def start() -> subprocess.Popen[bytes]:
        children.append(subprocess.Popen(["sleep", "30"]))
        return children[-1]

    def serve(host: str, port: int, *, workers: int, threads: int) -> None:
        seen.append([child.poll() for child in children])

    monkeypatch.setattr(worker_command, "start_background_worker", start)
    monkeypatch.setattr(demo_commands, "run_gunicorn", serve)
    demo_commands.serve_with_worker("127.0.0.1", 8000, workers=1, worker=True)
    assert seen == [[None]]  # the worker was running while the server served
    assert children[0].poll() is not None  # and stopped with it
    demo_commands.serve_with_worker("127.0.0.1", 8000, workers=1, worker=False)
    assert len(children) == 1  # --no-worker


def test_a_bad_interval_is_refused_with_a_message() -> None:
    result = runner.invoke(app, ["worker", "--interval", "-1"])
    assert result.exit_code == 2
    assert "--interval" in result.output
