"""`Idempotency-Key` on every POST of the API: the same key and the same request within a day
get the first answer again and write nothing; the same key with another request is a 422.

A middleware, so that every POST under /api/v1 honours the header, whatever its view. The
claims live in the tokens app (`constellation.server.tokens.idempotency`)."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from constellation.server.api.errors import error_item
from constellation.server.api.problems import PREFIX
from constellation.server.tokens.idempotency import (
    KEY_LENGTH,
    do_claim_key,
    do_keep_answer,
    do_release_key,
    fingerprint,
    principal_of_bearer,
)

HEADER = "Idempotency-Key"
REPLAYED = "Idempotent-Replayed"
# Answers given before the request was processed, or a failure of the server: not kept, so
# the same request may be sent again.
NOT_KEPT = frozenset((401, 429))


def _json(status: int, document: object) -> HttpResponse:
    return HttpResponse(json.dumps(document), status=status, content_type="application/json")


def _principal(request: HttpRequest) -> str | None:
    """Who sends the request: its Authorization header, else its signed-in user."""
    authorization = request.headers.get("Authorization")
    if authorization:
        return principal_of_bearer(authorization)
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


class IdempotencyMiddleware:
    """Answers a repeated POST with its first answer (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith(PREFIX):
            return self.get_response(request)
        if not key.strip() or len(key) > KEY_LENGTH:
            where = ["header", HEADER]
            message = f"an {HEADER} has 1 to {KEY_LENGTH} characters"
            return _json(422, {"detail": [error_item(where, message)]})
        principal = _principal(request)
        if principal is None:  # the view answers 401; nothing to keep
            return self.get_response(request)
        query = request.META.get("QUERY_STRING", "")
        try:
            body = request.body
        except RequestDataTooBig:
            limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
            detail = f"the request body is over {limit // 1024} KiB"
            return _json(413, {"detail": detail})
        claim = do_claim_key(
            principal, key, fingerprint("POST", request.path, query, body), timezone.now()
        )
        if claim.outcome == "replay":
            assert claim.status is not None
            response = HttpResponse(claim.body, status=claim.status)
            if claim.content_type:
                response["Content-Type"] = claim.content_type
            response[REPLAYED] = "true"
            return response
        if claim.outcome == "mismatch":
            message = (
                f"this {HEADER} was used within the last 24 hours for another request; "
                "send a new key for a new request"
            )
            return _json(422, {"detail": [error_item(["header", HEADER], message)]})
        if claim.outcome == "in_progress":
            detail = f"a request with this {HEADER} is still being processed; retry shortly"
            response = _json(409, {"detail": detail})
            response["Retry-After"] = "1"
            return response
        assert claim.claim_id is not None
        try:
            response = self.get_response(request)
        except BaseException:
            do_release_key(claim.claim_id)
            raise
        if response.status_code >= 500 or response.status_code in NOT_KEPT or response.streaming:
            do_release_key(claim.claim_id)
        else:
            content_type = response.get("Content-Type", "")
            do_keep_answer(claim.claim_id, response.status_code, content_type, response.content)
        return response
