"""Every error of the API as RFC 9457 problem details (`application/problem+json`).

The views and the error handlers answer `{"detail": ...}` (a sentence, or for a 422 the list
of bad fields); this middleware is the one place that turns every error answer under /api/v1,
theirs and Django's (an unknown address, a method the address does not take, a server error),
into a problem: `type`, `title`, `status` and `detail`, the bad fields under `errors`, and any
other member the answer had (`current_version` of a 409) kept beside them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from django.http import HttpRequest, HttpResponse

MEDIA_TYPE = "application/problem+json"
PREFIX = "/api/v1/"
ABOUT_BLANK = "about:blank"


def title(status: int) -> str:
    """The status's name, as RFC 9457 asks of an `about:blank` problem."""
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _default_detail(status: int, request: HttpRequest, response: HttpResponse) -> str:
    if status == 404:
        return f"No API operation or object at {request.path}"
    if status == 405:
        allowed = response.get("Allow", "")
        also = f"; it takes {allowed}" if allowed else ""
        return f"{request.method} is not allowed at {request.path}{also}"
    if status >= 500:
        return "The server failed to answer this request; it has been logged. Try again later."
    return title(status)


def _summary(errors: list[Any]) -> str:
    """One sentence for a list of bad fields: how many, and where."""
    where = [str(e.get("path") or e.get("loc")) for e in errors if isinstance(e, dict)]
    shown = ", ".join(where[:5]) + (", …" if len(where) > 5 else "")
    noun = "field" if len(errors) == 1 else "fields"
    return f"The request cannot be used as sent: {len(errors)} bad {noun} ({shown})"


def problem(status: int, detail: Any, **members: Any) -> dict[str, Any]:
    """A problem document; a list `detail` becomes `errors` with a sentence as `detail`."""
    body: dict[str, Any] = {"type": ABOUT_BLANK, "title": title(status), "status": status}
    if isinstance(detail, list):
        body["detail"] = _summary(detail)
        body["errors"] = detail
    else:
        body["detail"] = str(detail)
    for name, value in members.items():
        body.setdefault(name, value)
    return body


def _as_problem(request: HttpRequest, response: HttpResponse) -> dict[str, Any]:
    status = response.status_code
    parsed: Any = None
    if response.get("Content-Type", "").startswith("application/json") and response.content:
        try:
            parsed = json.loads(response.content)
        except ValueError:
            parsed = None
    if isinstance(parsed, dict) and "detail" in parsed:
        if parsed.get("type") and parsed.get("status") == status:  # already a problem
            return dict(parsed)
        members = {k: v for k, v in parsed.items() if k not in ("detail", "status")}
        return problem(status, parsed["detail"], **members)
    return problem(status, _default_detail(status, request, response))


class ProblemDetailsMiddleware:
    """Answers every API error as a problem document (see the module)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            response.status_code < 400
            or not request.path.startswith(PREFIX)
            or response.streaming
            or response.get("Content-Type", "").startswith(MEDIA_TYPE)
        ):
            return response
        body = json.dumps(_as_problem(request, response), ensure_ascii=False).encode()
        response.content = body
        response["Content-Type"] = MEDIA_TYPE
        response["Content-Length"] = str(len(body))
        return response
