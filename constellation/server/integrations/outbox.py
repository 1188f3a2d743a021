"""Sending deliveries: one attempt at a time, a growing delay after each failure.

Each attempt posts the delivery's body to the subscription's address with a short timeout
(`WEBHOOK_TIMEOUT`) and never follows a redirect (a receiver that moved is a failure to fix,
not a reason to post the organisation's data to another host). A 2xx answer delivers it;
anything else is logged as an attempt and retried after 1, 2, 4, … minutes (capped at an
hour); after `WEBHOOK_MAX_ATTEMPTS` attempts it is kept as failed. Signed webhooks carry the
Standard Webhooks headers (`webhook-id`, `webhook-timestamp`, `webhook-signature`); Slack and
Teams channels get their own message shapes (`formats.py`).
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from standardwebhooks import Webhook as Signer

from constellation.server.errors import ActionError
from constellation.server.integrations.formats import chat_message
from constellation.server.integrations.models import Attempt, Delivery

# Deliveries wait between attempts as emails do: 1, 2, 4, … minutes, capped at an hour.
from constellation.server.notifications.outbox import retry_delay
from constellation.server.sealed import unseal

logger = logging.getLogger(__name__)
USER_AGENT = "Constellation-Webhooks/1"


def new_message_id() -> str:
    """A fresh `webhook-id`: unique, the same for every attempt at one delivery."""
    return f"msg_{uuid.uuid4().hex}"


def waiting_deliveries() -> QuerySet[Delivery]:
    """Deliveries neither delivered nor given up on."""
    return Delivery.objects.filter(delivered_at__isnull=True, failed_at__isnull=True)


def due_delivery_ids(at: datetime | None = None, limit: int = 500) -> list[int]:
    """Ids of the waiting deliveries whose next attempt is due at `at` (default: now); a
    disabled subscription's wait (and cost the sweep nothing) until it is enabled again."""
    due = waiting_deliveries().filter(
        next_attempt_at__lte=at or timezone.now(), webhook__enabled=True
    )
    return list(due.order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])


@dataclass(frozen=True, slots=True)
class Answer:
    """What one attempt got: a status code (None when nothing answered) or an error."""

    status_code: int | None
    error: str
    duration_ms: int

    @property
    def ok(self) -> bool:
        """A 2xx answer: received."""
        return self.status_code is not None and 200 <= self.status_code < 300


def request_of(delivery: Delivery) -> tuple[str, bytes, dict[str, str]]:
    """The address, body and headers one attempt sends (signed for a webhook)."""
    hook = delivery.webhook
    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT}
    if hook.is_channel:
        body = json.dumps(chat_message(hook.kind, delivery.payload)).encode()
        return unseal(hook.sealed_url), body, headers
    text = json.dumps(delivery.payload, separators=(",", ":"))
    # Signed with the wall clock: receivers refuse a timestamp far from their own.
    moment = datetime.now(tz=UTC)
    signature = Signer(unseal(hook.sealed_secret)).sign(delivery.message_id, moment, text)
    headers |= {
        "webhook-id": delivery.message_id,
        "webhook-timestamp": str(int(moment.timestamp())),
        "webhook-signature": signature,
    }
    return hook.url, text.encode(), headers


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """Post once, without following redirects; never raises."""
    started = time.monotonic()
    try:
        response = requests.post(
            url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as failure:
        took = int((time.monotonic() - started) * 1000)
        return Answer(None, f"{type(failure).__name__}: {failure}"[:500], took)
    took = int((time.monotonic() - started) * 1000)
    error = ""
    if 300 <= response.status_code < 400:
        error = f"redirect to {response.headers.get('Location', '?')} not followed"[:500]
    elif not 200 <= response.status_code < 300:
        error = f"HTTP {response.status_code}: {response.text[:200]}"
    return Answer(response.status_code, error, took)


def deliver_all(ids: Iterable[int], at: datetime | None = None) -> int:
    """Attempt each waiting delivery of `ids` once; how many were received."""
    return sum(deliver(delivery_id, at) for delivery_id in ids)


def deliver(delivery_id: int, at: datetime | None = None) -> bool:
    """Attempt one waiting delivery; True when it was received. Failures are recorded.

    The row is locked while it is sent, so two workers never send it twice at once. A
    disabled subscription's deliveries wait: enabling it again sends them.
    """
    at = at or timezone.now()
    with transaction.atomic():
        delivery = (
            waiting_deliveries()
            .select_for_update()
            .select_related("webhook")
            .filter(pk=delivery_id, webhook__enabled=True)
            .first()
        )
        if delivery is None:
            return False
        try:
            answer = post(*request_of(delivery))
        except ActionError as error:  # a sealed secret no key opens any more
            answer = Answer(None, error.message, 0)
        _record(delivery, answer, at)
    return answer.ok


def _record(delivery: Delivery, answer: Answer, at: datetime) -> None:
    """Log the attempt; mark the delivery received, or schedule the next attempt, or give up."""
    delivery.attempts += 1
    Attempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=at,
        status_code=answer.status_code,
        duration_ms=answer.duration_ms,
        error=answer.error,
        ok=answer.ok,
    )
    if answer.ok:
        delivery.delivered_at = at
    elif delivery.attempts >= settings.WEBHOOK_MAX_ATTEMPTS:
        delivery.failed_at = at
        logger.error(
            "webhook delivery %s failed for good after %s attempts: %s",
            delivery.message_id,
            delivery.attempts,
            answer.error,
        )
    else:
        delivery.next_attempt_at = at + retry_delay(delivery.attempts)
        logger.warning(
            "webhook delivery %s failed (attempt %s, next at %s): %s",
            delivery.message_id,
            delivery.attempts,
            delivery.next_attempt_at.isoformat(),
            answer.error,
        )
    delivery.save(update_fields=["attempts", "delivered_at", "failed_at", "next_attempt_at"])
