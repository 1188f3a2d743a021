"""Structured logs: one formatter for structlog and the standard library, and the access log.

Every line carries its time, level and logger; a line written while a request is served also
carries the request's id, its organisation's slug and the signed-in person's id. Lines are
JSON objects with `OKR_LOG_FORMAT=json` (for a log collector), readable text otherwise.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Callable, MutableMapping
from contextvars import ContextVar
from typing import Any

import structlog
from django.http import HttpRequest, HttpResponseBase
from django.utils.functional import SimpleLazyObject, empty

ACCESS = logging.getLogger("constellation.access")
# An incoming X-Request-ID is kept when it looks like an id (a proxy's or a client's), so one
# request can be followed across systems; anything else is replaced, never logged raw.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")
_REQUEST: ContextVar[HttpRequest | None] = ContextVar("okr_request", default=None)


def request_context(
    logger: Any, method: str, event: MutableMapping[str, Any]
) -> MutableMapping[str, Any]:
    """Adds the organisation and the person of the request being served, when known.

    Read at the time of the line, and only from what the request already holds: logging never
    makes a query (the signed-in person is named once something has loaded them).
    """
    request = _REQUEST.get()
    if request is None:
        return event
    match = getattr(request, "resolver_match", None)
    if match is not None and "org" in match.kwargs:
        event.setdefault("organisation", match.kwargs["org"])
    user = _loaded_user(request)
    if user is not None and user.is_authenticated:
        event.setdefault("user_id", user.pk)
    return event


def _loaded_user(request: HttpRequest) -> Any:
    """The request's person if something loaded them already, else None."""
    user = request.__dict__.get("user")
    if isinstance(user, SimpleLazyObject):
        wrapped = user._wrapped
        return None if wrapped is empty else wrapped
    return user


def _processors(log_format: str) -> tuple[list[Any], Any]:
    """(the processors every line goes through, the renderer of the chosen format)."""
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        request_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
    ]
    if log_format == "json":
        shared.append(structlog.processors.dict_tracebacks)
        return shared, structlog.processors.JSONRenderer()
    return shared, structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty(), timestamp_key="time")


def logging_config(log_format: str, level: str, access_log: bool) -> dict[str, Any]:
    """Django's LOGGING: the standard library's records rendered by structlog's formatter.

    Also configures structlog itself, so `structlog.get_logger()` and `logging.getLogger()`
    lines come out of the same handler in the same format.
    """
    shared, renderer = _processors(log_format)
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = {
        "()": structlog.stdlib.ProcessorFormatter,
        "processors": [structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        # The standard library's `extra=` fields (the access log's) become keys of the line.
        "foreign_pre_chain": [*shared[:-1], structlog.stdlib.ExtraAdder(), shared[-1]],
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"structured": formatter},
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request warnings repeat what the access log says.
            "django.request": {"level": "ERROR"},
            "django.server": {"level": "ERROR"},
            ACCESS.name: {"level": "INFO" if access_log else "WARNING"},
        },
    }


def request_id_of(request: HttpRequest) -> str:
    """The incoming X-Request-ID when it looks like an id, else a new one."""
    given = request.headers.get("X-Request-ID", "")
    return given if SANE_REQUEST_ID.fullmatch(given) else uuid.uuid4().hex


def _size(response: HttpResponseBase) -> int | None:
    """Bytes of the body, when known without reading a streamed one."""
    if response.has_header("Content-Length"):
        return int(response["Content-Length"])
    if getattr(response, "streaming", False):
        return None
    return len(getattr(response, "content", b""))


class RequestLogMiddleware:
    """Gives each request an id (answered in X-Request-ID) and writes its access log line."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        request_id = request_id_of(request)
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        token = _REQUEST.set(request)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request_id
            ACCESS.info(
                "request",
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                    "bytes": _size(response),
                },
            )
            return response
        finally:
            _REQUEST.reset(token)
            structlog.contextvars.clear_contextvars()
