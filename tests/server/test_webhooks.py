"""Outbound webhooks end to end: a real receiver on 127.0.0.1, signed Standard Webhooks
deliveries made from the write's own transaction, retried with backoff, logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from standardwebhooks import Webhook as Verifier

from constellation.server.integrations.models import Attempt, Delivery, Webhook
from constellation.server.integrations.outbox import deliver_all, due_delivery_ids
from constellation.server.kpis.alerts import check_kpi
from constellation.server.okrs.models import Objective
from constellation.server.orgs.access import access_org
from constellation.server.sealed import unseal
from constellation.server.tracking.actions import CheckInInput, do_check_in
from constellation.server.worker.jobs import schedule_due
from tests.server.api_helpers import client_for
from tests.server.factories import World
from tests.server.receivers import receiver, run_queued

pytestmark = pytest.mark.django_db

CHECK_IN = "/orgs/acme/key-results/activation/week1-activation/check-ins"


def _subscribe(world: World, url: str, events: list[str] | None = None) -> dict[str, Any]:
    body: dict[str, Any] = {"url": url}
    if events is not None:
        body["events"] = events
    response = client_for(world.admin, world.org).post("/orgs/acme/webhooks", body)
    assert response.status_code == 201, response.data
    return response.data


def _check_in(world: World, capture: Any, value: float = 46) -> None:
    with capture(execute=True):
        response = client_for(world.member, world.org).post(
            CHECK_IN, {"value": value, "confidence": 7, "note": "Guided setup is live"}
        )
    assert response.status_code == 201


def test_a_check_in_reaches_the_receiver_signed_with_the_subscriptions_secret(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as hooks:
        made = _subscribe(world, hooks.url)
        _check_in(world, django_capture_on_commit_callbacks)
        assert hooks.received == []  # nothing is sent in the request: the worker sends it
        assert run_queued("deliver_job") == [1]
    [got] = hooks.received
    Verifier(made["secret"]).verify(got.body, got.headers)
    body = got.json
    assert body["type"] == "checkin.recorded"
    assert set(body) == {"type", "timestamp", "data"}
    data = body["data"]
    assert data["organization"]["slug"] == "acme"
    assert data["key_result"]["id"] == "activation/week1-activation"
    assert data["key_result"]["value"] == 46
    assert data["note"] == "Guided setup is live"
    assert data["by"] == "member"
    assert data["objective"]["url"] == "http://localhost:8000/o/acme/objectives/activation/"
    assert data["key_result"]["url"].endswith("/o/acme/objectives/activation/#kr-week1-activation")
    assert got.headers["webhook-id"].startswith("msg_")
    delivery = Delivery.objects.get()
    assert delivery.state == "delivered"
    assert [(a.number, a.status_code, a.ok) for a in delivery.tries.all()] == [(1, 200, True)]


def test_a_receiver_failing_twice_gets_one_delivery_after_two_retries(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver(answers=[500, 500, 200]) as hooks:
        _subscribe(world, hooks.url, ["checkin.recorded"])
        _check_in(world, django_capture_on_commit_callbacks)
        run_queued("deliver_job")
        delivery = Delivery.objects.get()
        first = delivery.next_attempt_at
        # Not due yet: the sweep enqueues no retry.
        with django_capture_on_commit_callbacks(execute=True):
            keys = schedule_due(first - timedelta(seconds=5))
        assert not [key for key in keys if key.startswith("webhook-retry")]
        for moment in (first, first + timedelta(minutes=2)):
            with django_capture_on_commit_callbacks(execute=True):
                keys = schedule_due(moment)
            assert [key for key in keys if key.startswith("webhook-retry")]
            run_queued("retry_deliveries_job")
    delivery.refresh_from_db()
    assert delivery.state == "delivered"
    assert len(hooks.received) == 3
    assert len({got.headers["webhook-id"] for got in hooks.received}) == 1
    attempts = list(Attempt.objects.filter(delivery=delivery).values_list("number", "status_code"))
    assert attempts == [(1, 500), (2, 500), (3, 200)]
    # The waits grow: one minute after the first failure, two after the second.
    tries = list(delivery.tries.all())
    assert tries[1].at - tries[0].at >= timedelta(minutes=1) - timedelta(seconds=1)
    assert tries[2].at - tries[1].at == timedelta(minutes=2)


@override_settings(WEBHOOK_MAX_ATTEMPTS=2)
def test_a_delivery_failing_past_the_last_attempt_is_kept_as_failed_and_shown(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver(answers=[503]) as hooks:
        made = _subscribe(world, hooks.url)
        _check_in(world, django_capture_on_commit_callbacks)
        run_queued("deliver_job")
        later = timezone.now() + timedelta(minutes=5)
        deliver_all(due_delivery_ids(later), later)
        assert due_delivery_ids(later + timedelta(days=1)) == []
    delivery = Delivery.objects.get()
    assert delivery.state == "failed"
    assert delivery.attempts == 2
    log = client_for(world.admin, world.org).get(f"/orgs/acme/webhooks/{made['id']}/deliveries")
    [shown] = log.data
    assert shown["state"] == "failed"
    assert [a["status_code"] for a in shown["attempts"]] == [503, 503]
    assert "HTTP 503" in shown["attempts"][-1]["error"]


def test_a_rolled_back_write_sends_nothing(world: World) -> None:
    with receiver() as hooks:
        _subscribe(world, hooks.url)
        access = access_org(world.member, "acme")
        with pytest.raises(RuntimeError), transaction.atomic():
            do_check_in(access, world.key_result, CheckInInput(value=48), world.member)
            assert Delivery.objects.count() == 1  # written with the check-in…
            raise RuntimeError("the write fails after the check-in")
        assert Delivery.objects.count() == 0  # …and gone with it
        assert run_queued("deliver_job") == []
    assert hooks.received == []


def test_a_redirect_is_never_followed(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with receiver() as elsewhere, receiver(answers=[302], redirect_to="") as moved:
        moved.redirect_to = elsewhere.url
        _subscribe(world, moved.url)
        _check_in(world, django_capture_on_commit_callbacks)
        run_queued("deliver_job")
    assert elsewhere.received == []
    attempt = Attempt.objects.get()
    assert attempt.status_code == 302 and not attempt.ok
    assert "not followed" in attempt.error


def test_an_unanswered_address_is_an_attempt_with_its_error(world: World) -> None:
    with receiver() as gone:
        url = gone.url
    _subscribe(world, url)
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(value=47), world.member)
    deliver_all(due_delivery_ids())
    attempt = Attempt.objects.get()
    assert attempt.status_code is None and "ConnectionError" in attempt.error


def test_only_the_events_asked_for_are_delivered_and_a_disabled_one_waits(world: World) -> None:
    _subscribe(world, "https://example.com/launches", ["objective.launched"])
    disabled = _subscribe(world, "https://example.com/off")
    Webhook.objects.filter(pk=disabled["id"]).update(enabled=False)
    access = access_org(world.member, "acme")
    do_check_in(access, world.key_result, CheckInInput(value=47), world.member)
    assert Delivery.objects.count() == 0


def test_a_queued_delivery_waits_while_its_subscription_is_disabled(world: World) -> None:
    with receiver() as hooks:
        made = _subscribe(world, hooks.url)
        access = access_org(world.member, "acme")
        do_check_in(access, world.key_result, CheckInInput(value=47), world.member)
        Webhook.objects.filter(pk=made["id"]).update(enabled=False)
        assert due_delivery_ids() == [] and deliver_all([Delivery.objects.get().pk]) == 0
        assert Attempt.objects.count() == 0
        Webhook.objects.filter(pk=made["id"]).update(enabled=True)
        assert deliver_all(due_delivery_ids()) == 1
    assert len(hooks.received) == 1


def test_the_secret_is_sealed_at_rest(world: World) -> None:
    made = _subscribe(world, "https://example.com/hooks")
    hook = Webhook.objects.get(pk=made["id"])
    assert made["secret"].startswith("whsec_")
    assert made["secret"] not in hook.sealed_secret
    assert unseal(hook.sealed_secret) == made["secret"]


def test_a_launched_objectives_status_change_is_delivered(world: World) -> None:
    Objective.objects.filter(pk=world.objective.pk).update(state="launched")
    objective = Objective.objects.get(pk=world.objective.pk)
    objective.save()  # scored as launched
    from constellation.server.audit import changes

    changes.flush()
    before = Objective.objects.get(pk=objective.pk).status
    _subscribe(world, "https://example.com/status", ["objective.status_changed"])
    access = access_org(world.member, "acme")
    # Far below the baseline: whatever the status was, it is not on track now.
    do_check_in(access, world.key_result, CheckInInput(value=0, confidence=1), world.member)
    after = Objective.objects.get(pk=objective.pk).status
    assert before != after
    delivery = Delivery.objects.get(event_type="objective.status_changed")
    data = delivery.payload["data"]
    assert data["status"] == {"before": before, "after": after}
    assert data["objective"]["id"] == "activation"


def test_a_kpi_leaving_its_healthy_range_is_delivered(world: World) -> None:
    _subscribe(world, "https://example.com/kpis", ["kpi.unhealthy"])
    world.kpi.current = 3.4
    world.kpi.save()
    assert check_kpi(world.kpi.pk, timezone.now()) == "opened"
    delivery = Delivery.objects.get()
    kpi = delivery.payload["data"]["kpi"]
    assert (kpi["id"], kpi["value"]) == ("logo-churn", 3.4)
    assert kpi["url"] == "http://localhost:8000/o/acme/kpis/logo-churn/"


def test_a_weeks_check_ins_are_described_in_a_fixed_number_of_queries(
    world: World, django_assert_num_queries: Any
) -> None:
    from constellation.server.audit.models import AuditEvent
    from constellation.server.integrations.events import queue_deliveries
    from constellation.server.tracking.actions import do_check_ins

    _subscribe(world, "https://example.com/week")
    access = access_org(world.member, "acme")
    entries = [
        (world.key_result, CheckInInput(value=45)),
        (world.second_key_result, CheckInInput(value=2)),
    ]
    do_check_ins(access, entries, world.member)
    assert Delivery.objects.filter(event_type="checkin.recorded").count() == 2
    events = list(AuditEvent.objects.filter(action="check_in"))
    # The subscriptions, the actors, the key results, the insert: whatever the batch's size.
    with django_assert_num_queries(4):
        queue_deliveries(events)
    assert Delivery.objects.count() == 4
