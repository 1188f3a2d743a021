"""The email outbox: queued in the caller's transaction, sent after commit, retried, never lost."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.test import override_settings

from constellation.server.accounts.models import Profile
from constellation.server.notifications.actions import do_notify, do_queue_email
from constellation.server.notifications.models import Notification, OutgoingEmail
from constellation.server.notifications.outbox import due_email_ids, retry_delay, send_emails
from constellation.server.notifications.tasks import retry_emails_job
from constellation.server.worker.jobs import _due
from tests.server.factories import World

AT = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)
FAILING = "tests.server.test_email_outbox.FailingBackend"


class FailingBackend(BaseEmailBackend):
    """An email backend whose server is down."""

    def send_messages(self, email_messages: Any) -> int:
        raise ConnectionRefusedError("smtp.example.com refused the connection")


pytestmark = pytest.mark.django_db


def queue(django_capture_on_commit_callbacks: Any) -> OutgoingEmail:
    with django_capture_on_commit_callbacks(execute=True):
        do_queue_email(["ada@example.com"], "Welcome", "Hello Ada")
    return OutgoingEmail.objects.get()


def test_an_email_is_stored_and_sent_once_after_commit(
    django_capture_on_commit_callbacks: Any,
) -> None:
    email = queue(django_capture_on_commit_callbacks)
    assert [(m.to, m.subject, m.body) for m in mail.outbox] == [
        (["ada@example.com"], "Welcome", "Hello Ada")
    ]
    assert email.state == "sent" and email.attempts == 1
    assert send_emails([email.pk]) == 0  # a second run sends nothing twice
    assert len(mail.outbox) == 1


def test_a_rolled_back_transaction_queues_and_sends_nothing(
    django_capture_on_commit_callbacks: Any,
) -> None:
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        do_queue_email(["ada@example.com"], "Welcome", "Hello Ada")
        raise RuntimeError("the action failed later")
    assert callbacks == []
    assert not OutgoingEmail.objects.exists()
    assert mail.outbox == []


def test_the_delay_doubles_from_one_minute_and_is_capped() -> None:
    delays = [retry_delay(n) for n in (1, 2, 3, 4, 7, 30)]
    assert delays == [timedelta(minutes=m) for m in (1, 2, 4, 8, 60, 60)]


@override_settings(EMAIL_BACKEND=FAILING, EMAIL_MAX_ATTEMPTS=3)
def test_a_failing_send_is_logged_retried_with_backoff_then_failed(
    django_capture_on_commit_callbacks: Any, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="constellation.server.notifications.outbox"):
        email = queue(django_capture_on_commit_callbacks)
        email.refresh_from_db()
        assert email.state == "waiting" and email.attempts == 1
        assert "ConnectionRefusedError: smtp.example.com refused" in email.last_error
        assert f"email {email.pk} failed (attempt 1" in caplog.text
        first_retry = email.next_attempt_at
        assert due_email_ids(first_retry - timedelta(seconds=1)) == []
        assert due_email_ids(first_retry) == [email.pk]

        assert send_emails([email.pk], first_retry) == 0
        email.refresh_from_db()
        assert email.next_attempt_at == first_retry + timedelta(minutes=2)
        assert send_emails([email.pk], email.next_attempt_at) == 0
        email.refresh_from_db()
    assert email.state == "failed" and email.attempts == 3
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert [
        f"email {email.pk} to ada@example.com failed for good" in r.getMessage() for r in errors
    ] == [True]
    assert due_email_ids(AT + timedelta(days=365)) == []
    assert mail.outbox == []


def test_a_later_success_sends_once(django_capture_on_commit_callbacks: Any) -> None:
    with override_settings(EMAIL_BACKEND=FAILING):
        email = queue(django_capture_on_commit_callbacks)
    email.refresh_from_db()
    OutgoingEmail.objects.filter(pk=email.pk).update(next_attempt_at=AT)
    assert retry_emails_job.call() == 1
    assert retry_emails_job.call() == 0
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert email.state == "sent" and email.attempts == 2


def test_the_schedule_sweeps_due_retries_only_when_some_are_due() -> None:
    assert not [key for key, _, _ in _due(AT) if key.startswith("email-retry")]
    OutgoingEmail.objects.create(to=["ada@example.com"], subject="Hi", next_attempt_at=AT)
    keys = [key for key, job, _ in _due(AT) if job is retry_emails_job]
    assert keys == ["email-retry:2026-11-16T09:00Z"]


def test_notification_emails_skip_people_who_turned_them_off(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    Profile.objects.create(user=world.leader, email_notifications=False)
    Profile.objects.create(user=world.admin, email_digests=False)
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(world.org, [world.leader, world.admin], Notification.Kind.OTHER, "Hi", email=True)
    assert Notification.objects.count() == 2  # still told in the app
    assert [m.to for m in mail.outbox] == [["admin@example.com"]]
    with django_capture_on_commit_callbacks(execute=True):
        do_notify(
            world.org,
            [world.leader, world.admin],
            Notification.Kind.OTHER,
            "Digest",
            email=True,
            email_preference="email_digests",
        )
    assert [m.to for m in mail.outbox] == [["admin@example.com"], ["leader@example.com"]]
