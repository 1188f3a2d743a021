"""Jobs that finish: a worker killed half-way through a reminder slot, a mail server that does
not answer, titles that would break an email header.

Real parts: `okr worker` processes on the test run's own database (a SQLite file, or
PostgreSQL when DATABASE_URL is set) and an SMTP server (aiosmtpd) on 127.0.0.1 that counts
what it accepts. Heartbeats and the reaper run on short timeouts set in the environment.
"""

from __future__ import annotations

import asyncio
import email
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from email.message import Message
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.contrib.auth.models import User
from django.core import mail
from django.test import override_settings
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from constellation.server.kpis.alerts import check_kpi
from constellation.server.kpis.models import Kpi
from constellation.server.notifications.models import OutgoingEmail
from constellation.server.notifications.outbox import due_email_ids, message_id, send_emails
from constellation.server.okrs.models import Objective
from constellation.server.orgs.models import Membership, Organization
from constellation.server.tracking.liveness import (
    latest_heartbeat,
    reap_silent_jobs,
    requeue_interrupted,
)
from constellation.server.tracking.models import SentReminder, WorkerHeartbeat
from constellation.server.tracking.reminders import send_reminders
from constellation.server.tracking.tasks import reminders_job
from tests.cli.test_worker_command import NOW, SLOT, _database_url
from tests.server.factories import World, make_key_result, make_user, make_world

REMINDER = "Check-in reminder"
FAILING_BACKEND = "tests.server.test_email_outbox.FailingBackend"


class Mailbox:
    """An SMTP server's handler that keeps every message it accepted; slow when asked."""

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.messages: list[Message] = []
        self.answering = 0  # recipients the server is taking its time over right now

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: Any
    ) -> str:
        self.answering += 1
        try:
            await asyncio.sleep(self.delay)  # a slow server: each message takes measurable time
        finally:
            self.answering -= 1
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 Message accepted for delivery"

    def reminders_to(self) -> Counter[str]:
        """How many reminders each address received."""
        return Counter(m["To"] for m in self.messages if REMINDER in str(m["Subject"]))


def free_port() -> int:
    """A port nothing listens on (yet)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_port() -> int:
    return free_port()


def start_smtp(port: int, mailbox: Mailbox) -> Controller:
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller


def environment(tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "OKR_DEBUG"}
    return env | {
        "DATABASE_URL": _database_url(),
        "OKR_DATA_DIR": str(tmp_path / "data"),
        "OKR_NOW": NOW,
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(port),
        "EMAIL_TIMEOUT": "5",
        "WORKER_HEARTBEAT_SECONDS": "1",
        "WORKER_SILENT_SECONDS": "2",
        "SITE_URL": "https://okr.example.com",
        "LOG_LEVEL": "ERROR",
    }


def worker(env: dict[str, str], *arguments: str) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "constellation.cli.main", "worker", *arguments]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def seed(people: int) -> World:
    """The standard world with a launched objective and `people` more owners of due results."""
    world = make_world()
    Objective.objects.filter(pk=world.objective.pk).update(state=Objective.State.LAUNCHED)
    for n in range(people):
        person = make_user(f"owner{n:02}")
        Membership.objects.create(organization=world.org, user=person, role="member")
        make_key_result(
            world.objective, f"kr-{n}", f"Result {n}", baseline=0, target=10, owner=person
        )
    return world


def everyone_due(world: World) -> list[str]:
    owners = User.objects.filter(username__startswith="owner").values_list("email", flat=True)
    return sorted([world.member.email, *owners])


@pytest.fixture
def running() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        if process.poll() is None:
            process.kill()
        process.wait()


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_slot_leaves_the_rest_to_another_each_person_once(
    tmp_path: Path, smtp_port: int, running: list[subprocess.Popen[bytes]]
) -> None:
    world = seed(people=10)
    due = everyone_due(world)
    mailbox = Mailbox(delay=0.2)
    controller = start_smtp(smtp_port, mailbox)
    try:
        env = environment(tmp_path, smtp_port)
        reminders_job.enqueue(world.org.pk, SLOT.isoformat())
        first = worker(env, "--interval", "0.1")
        running.append(first)
        # Killed while it waits for the server in the middle of a message, after three went
        # out. (A kill in the instant between the server accepting a message and the outbox
        # recording it would send that one message again: SMTP has no two-phase commit.)
        wait_for(lambda: sum(mailbox.reminders_to().values()) >= 3 and mailbox.answering > 0)
        first.send_signal(signal.SIGKILL)
        first.wait()
        # Killed in the middle: the job is left running and only part of the slot went out.
        job = DBTaskResult.objects.get(task_path__endswith="reminders_job", status="RUNNING")
        assert SentReminder.objects.count() < len(due)
        dead_worker = job.worker_ids[-1]
        assert WorkerHeartbeat.objects.filter(worker_id=dead_worker).exists()

        second = worker(env, "--interval", "0.1")
        running.append(second)
        wait_for(lambda: sum(mailbox.reminders_to().values()) >= len(due))
        job.refresh_from_db()
        wait_for(lambda: DBTaskResult.objects.filter(pk=job.pk, status="SUCCESSFUL").exists())
        time.sleep(1.0)  # anything sent twice would arrive now
        second.send_signal(signal.SIGTERM)
        assert second.wait(timeout=20) == 0
    finally:
        controller.stop()
    assert mailbox.reminders_to() == Counter(due)  # every person exactly once
    assert SentReminder.objects.filter(slot=SLOT).count() == len(due)
    reminders = OutgoingEmail.objects.filter(subject__contains=REMINDER)
    assert reminders.count() == len(due) and not reminders.filter(sent_at__isnull=True).exists()
    # The job ran twice: claimed by the killed worker, then by the one that finished it.
    assert len(DBTaskResult.objects.get(pk=job.pk).worker_ids) == 2
    # The second stopped cleanly and removed its row; the killed one's row just went silent.
    assert list(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [dead_worker]


@pytest.mark.django_db(transaction=True)
def test_with_the_mail_server_down_nothing_is_recorded_delivered_until_it_answers(
    tmp_path: Path, smtp_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    world = seed(people=5)
    due = everyone_due(world)
    reminders_job.enqueue(world.org.pk, SLOT.isoformat())
    run = subprocess.run(
        [sys.executable, "-m", "constellation.cli.main", "worker", "--once"],
        env=environment(tmp_path, smtp_port),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # Nothing listens on the port: the run says so and fails, and nothing claims delivery.
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"{len(due)} of {len(due)} emails not delivered" in " ".join(run.stderr.split())
    emails = OutgoingEmail.objects.filter(subject__contains=REMINDER)
    assert emails.count() == len(due)
    assert all(e.sent_at is None and e.attempts == 1 for e in emails)
    assert all("ConnectionRefusedError" in e.last_error for e in emails)

    smtp = {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": smtp_port,
        "EMAIL_TIMEOUT": 5,
    }
    later = timezone.now() + timedelta(minutes=2)
    with override_settings(**smtp), caplog.at_level(logging.WARNING):
        assert send_emails(due_email_ids(later), later) == 0  # the retry, still refused
    assert "attempt 2, next at" in caplog.text and "ConnectionRefusedError" in caplog.text

    mailbox = Mailbox()
    controller = start_smtp(smtp_port, mailbox)
    try:
        with override_settings(**smtp):
            later += timedelta(minutes=5)
            assert send_emails(due_email_ids(later), later) == len(due)
            assert send_emails(due_email_ids(later + timedelta(hours=2))) == 0
    finally:
        controller.stop()
    assert mailbox.reminders_to() == Counter(due)  # each delivered once, once it answered
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.django_db(transaction=True)
def test_the_reaper_requeues_only_the_jobs_of_silent_workers(tmp_path: Path) -> None:
    world = seed(people=0)
    alive, dead = (reminders_job.enqueue(world.org.pk, SLOT.isoformat()) for _ in range(2))
    long_ago = timezone.now() - timedelta(minutes=10)
    WorkerHeartbeat.objects.create(worker_id="alive", beat_at=timezone.now())
    WorkerHeartbeat.objects.create(worker_id="dead", beat_at=long_ago)
    for result, worker_id in ((alive, "alive"), (dead, "dead")):
        DBTaskResult.objects.filter(pk=result.id).update(
            status="RUNNING", started_at=long_ago, worker_ids=[worker_id]
        )
    assert reap_silent_jobs() == [str(dead.id)]
    assert DBTaskResult.objects.get(pk=dead.id).status == "READY"
    assert DBTaskResult.objects.get(pk=alive.id).status == "RUNNING"
    assert latest_heartbeat() == WorkerHeartbeat.objects.get(worker_id="alive").beat_at
    # A job whose workers keep dying is given up on, with the reason, not handed on for ever.
    DBTaskResult.objects.filter(pk=dead.id).update(
        status="RUNNING", started_at=long_ago, worker_ids=["dead"] * 5
    )
    assert reap_silent_jobs() == [str(dead.id)]
    given_up = DBTaskResult.objects.get(pk=dead.id)
    assert given_up.status == "FAILED" and "went silent 5 times" in given_up.traceback


@pytest.mark.django_db
def test_titles_with_newlines_build_valid_emails(django_capture_on_commit_callbacks: Any) -> None:
    world = seed(people=0)
    Organization.objects.filter(pk=world.org.pk).update(name="Acme\r\nBcc: victim@example.com")
    Kpi.objects.filter(pk=world.kpi.pk).update(title="Churn\nX-Evil: 1\x0b\u2028", current=3.4)
    Objective.objects.filter(pk=world.objective.pk).update(title="Grow\nfast")
    org = Organization.objects.get(pk=world.org.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders(org, SLOT) == 1
        assert check_kpi(world.kpi.pk, timezone.now()) == "opened"
    assert not OutgoingEmail.objects.filter(sent_at__isnull=True).exists()
    subjects = sorted(m.subject for m in mail.outbox)
    assert (
        subjects[0]
        == "[Constellation] Check-in reminder: 2 key results at Acme Bcc: victim@example.com"
    )
    assert subjects[-1] == "[Constellation] KPI alert: Churn X-Evil: 1 left its healthy range"
    for message in mail.outbox:
        built = message.message()
        assert built["Bcc"] is None and built["X-Evil"] is None
        assert built["Subject"].count("\n") == 0 or all(
            line.startswith(" ") for line in str(built["Subject"]).splitlines()[1:]
        )
        assert email.message_from_bytes(built.as_bytes())["Subject"] is not None


@pytest.mark.django_db
def test_an_operator_sees_a_failed_email_with_its_error_and_retries_it_now(
    client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    failed = OutgoingEmail.objects.create(
        to=["ada@example.com"],
        subject="Weekly digest of Growth",
        body="What moved",
        attempts=8,
        failed_at=timezone.now(),
        last_error="ConnectionRefusedError: [Errno 111] Connection refused",
    )
    sent = OutgoingEmail.objects.create(
        to=["bob@example.com"], subject="Your invitation", attempts=1, sent_at=timezone.now()
    )
    client.force_login(User.objects.create_superuser("operator", "operator@example.com", "x"))
    page = client.get("/admin/notifications/outgoingemail/?state=failed").content.decode()
    assert "Weekly digest of Growth" in page and "Connection refused" in page
    assert "Your invitation" not in page
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            "/admin/notifications/outgoingemail/",
            {"action": "retry_now", "_selected_action": [failed.pk, sent.pk]},
            follow=True,
        )
    assert "Emails retried: 1." in answer.content.decode()
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["ada@example.com"], "Weekly digest of Growth")
    ]
    failed.refresh_from_db()
    assert failed.state == "sent" and failed.attempts == 1


@pytest.mark.django_db
def test_every_attempt_at_an_email_carries_the_same_message_id(
    django_capture_on_commit_callbacks: Any,
) -> None:
    email_row = OutgoingEmail.objects.create(to=["ada@example.com"], subject="Hello")
    with override_settings(EMAIL_BACKEND=FAILING_BACKEND):
        assert send_emails([email_row.pk]) == 0
    assert send_emails(due_email_ids(timezone.now() + timedelta(hours=1))) == 1
    [message] = mail.outbox
    assert message.message()["Message-ID"] == message_id(OutgoingEmail.objects.get())
    assert message_id(email_row).startswith(f"<outbox.{email_row.pk}.")


@pytest.mark.django_db(transaction=True)
def test_a_job_stopped_by_force_by_its_own_worker_goes_back_to_the_queue() -> None:
    world = seed(people=0)
    stopped, broken = (reminders_job.enqueue(world.org.pk, SLOT.isoformat()) for _ in range(2))
    for result, error in ((stopped, "builtins.SystemExit"), (broken, "builtins.ValueError")):
        DBTaskResult.objects.filter(pk=result.id).update(
            status="FAILED", finished_at=timezone.now(), exception_class_path=error
        )
    assert requeue_interrupted(stopped.id) and not requeue_interrupted(broken.id)
    assert DBTaskResult.objects.get(pk=stopped.id).status == "READY"
    assert DBTaskResult.objects.get(pk=broken.id).status == "FAILED"  # a real error stays
