"""Idempotent POSTs: the first request with a key is processed and its answer kept for a day;
the same request with the same key is given that answer again and writes nothing.

The claim is a row inserted before the request is processed, under a unique constraint, so
two copies of a request sent at once cannot both be processed: the second sees the first's
claim in progress. A request that fails on the server's side (5xx) or is turned away before
being processed (429) releases its claim, so the client may retry it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from constellation.server.tokens.models import IdempotentRequest

# How long an answer is kept and replayed.
KEPT_FOR = timedelta(hours=24)
KEY_LENGTH = 255


def fingerprint(method: str, path: str, query: str, body: bytes) -> str:
    """What makes two requests the same request: method, address, query and body."""
    digest = hashlib.sha256()
    for part in (method.encode(), path.encode(), query.encode()):
        digest.update(part + b"\0")
    digest.update(body)
    return digest.hexdigest()


def principal_of_bearer(authorization: str) -> str:
    """The caller of a request with an Authorization header, without keeping the secret."""
    return "bearer:" + hashlib.sha256(authorization.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Claim:
    """The outcome of claiming a key: "new" (process the request; `claim_id` is the row),
    "replay" (answer with `status`, `content_type` and `body`), "mismatch" (the key was used
    for another request) or "in_progress" (the first request is still being processed)."""

    outcome: str
    claim_id: int | None = None
    status: int | None = None
    content_type: str = ""
    body: bytes = b""


def do_claim_key(principal: str, key: str, print_: str, now: datetime) -> Claim:
    """Claim `key` for this caller's request, or say what was answered with it before."""
    IdempotentRequest.objects.filter(created_at__lt=now - KEPT_FOR).delete()
    try:
        with transaction.atomic():
            row = IdempotentRequest.objects.create(
                principal=principal, key=key, fingerprint=print_, created_at=now
            )
        return Claim("new", claim_id=row.pk)
    except IntegrityError:
        pass
    found = (
        IdempotentRequest.objects.filter(principal=principal, key=key)
        .values_list("fingerprint", "status", "content_type", "body")
        .first()
    )
    if found is None:  # released between the insert and this read: process it now
        return do_claim_key(principal, key, print_, now)
    stored_print, status, content_type, body = found
    if stored_print != print_:
        return Claim("mismatch")
    if status is None:
        return Claim("in_progress")
    return Claim("replay", status=status, content_type=content_type, body=bytes(body))


def do_keep_answer(claim_id: int, status: int, content_type: str, body: bytes) -> None:
    """Keep the first answer to a claimed request, to give it again."""
    IdempotentRequest.objects.filter(pk=claim_id).update(
        status=status, content_type=content_type[:100], body=body
    )


def do_release_key(claim_id: int) -> None:
    """Forget a claim whose request was not processed, so that it may be sent again."""
    IdempotentRequest.objects.filter(pk=claim_id).delete()
