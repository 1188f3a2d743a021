"""Every API error as JSON: 401, 403, 404, 409, 422 with a path to each bad field, and 429
(`problems.py` makes each an RFC 9457 problem document)."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import (
    AuthenticationError,
    HttpError,
    Throttled,
    ValidationError,
    ValidationErrorContext,
)
from ninja.operation import Operation

from constellation.server.api.problems import MEDIA_TYPE
from constellation.server.api.throttling import TOO_MANY, ApiRate
from constellation.server.errors import ActionError, Conflict, ReadOnly
from constellation.server.tracking.actions import CheckInError

ErrorT = TypeVar("ErrorT", bound=Exception)

NOT_FOUND = "Not found"
UNAUTHORIZED = (
    "Authentication required: send `Authorization: Bearer <token>` "
    "(create a token with `okr token create` or on the Tokens page)."
)


class FieldError(ValueError):
    """A request field whose value cannot be used, raised from a view: 422 naming the field."""

    def __init__(self, field: str, message: str, *, source: str = "body") -> None:
        super().__init__(message)
        self.field = field
        self.message = message
        self.source = source


def json_path(loc: Sequence[Any]) -> str:
    """`["body", "items", 0, "value"]` → `$.items[0].value`; query and path keep their name."""
    if not loc:
        return "$"
    source, rest = loc[0], list(loc[1:])
    if source != "body":
        return ".".join(str(part) for part in rest) or str(source)
    path = "$"
    for part in rest:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def error_item(loc: Sequence[Any], message: str, kind: str = "value_error") -> dict[str, Any]:
    """One entry of a 422's `detail`: where (loc and JSON path), what (msg) and its type."""
    return {"loc": list(loc), "path": json_path(loc), "msg": message, "type": kind}


def unprocessable(api: NinjaAPI, request: HttpRequest, items: list[dict[str, Any]]) -> HttpResponse:
    """A 422 response with its list of bad fields."""
    return api.create_response(request, {"detail": items}, status=422)


class ConstellationAPI(NinjaAPI):
    """NinjaAPI whose validation errors name the field as the client sent it, and whose
    operations are named by their view in camel case (`listObjectives`, `createCheckIn`), the
    names generated clients give their methods."""

    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> Any:
        """The OpenAPI document, its error answers given as `application/problem+json`."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        for operations in schema["paths"].values():
            for operation in operations.values():
                for status, answer in operation.get("responses", {}).items():
                    content = answer.get("content")
                    if str(status)[:1] in "45" and content and "application/json" in content:
                        answer["content"] = {MEDIA_TYPE: content["application/json"]}
        return schema

    def get_openapi_operation_id(self, operation: Operation) -> str:
        first, *rest = operation.view_func.__name__.split("_")
        return first + "".join(part[:1].upper() + part[1:] for part in rest)

    def validation_error_from_error_contexts(
        self, error_contexts: list[ValidationErrorContext]
    ) -> ValidationError:
        """Pydantic's errors with the body parameter's own name dropped from `loc`."""
        errors: list[dict[str, Any]] = []
        for context in error_contexts:
            source = context.model.__ninja_param_source__
            fields = list(context.model.model_fields)
            for error in context.pydantic_validation_error.errors(include_url=False):
                loc = list(error["loc"])
                # Ninja nests the whole body under the view's parameter name ("payload");
                # the client never sent that name, so it must not appear in the path.
                if source == "body" and len(fields) == 1 and loc and loc[0] == fields[0]:
                    loc = loc[1:]
                errors.append(error_item([source, *loc], error["msg"], error["type"]))
        return ValidationError(errors)


def _on(
    api: NinjaAPI, error: type[ErrorT], handler: Callable[[HttpRequest, ErrorT], HttpResponse]
) -> None:
    """Answer `error` (and its subclasses) with `handler`."""
    # ninja's hint lets a handler receive the exception class too; it is only ever given
    # the raised instance, which is what the handlers here read.
    api.add_exception_handler(error, handler)  # type: ignore[arg-type]


def install(api: NinjaAPI) -> None:
    """Register the JSON handlers of every error the API's views may raise."""

    def on_404(request: HttpRequest, exc: Exception) -> HttpResponse:
        return api.create_response(request, {"detail": NOT_FOUND}, status=404)

    def too_many(request: HttpRequest, seconds: int) -> HttpResponse:
        body = {"detail": TOO_MANY.format(seconds=seconds)}
        response = api.create_response(request, body, status=429)
        response["Retry-After"] = str(seconds)
        return response

    def on_throttled(request: HttpRequest, exc: Throttled) -> HttpResponse:
        # Ninja sets Retry-After from the same wait after this handler returns.
        return too_many(request, max(1, math.ceil(exc.wait or 1)))

    def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        # Ninja's throttles run only once a caller is authenticated: anonymous callers and
        # guessed tokens are counted here, per address, so they cannot knock forever.
        throttle = ApiRate()
        if not throttle.allow_request(request):
            return too_many(request, throttle.retry_after())
        message = exc.message if exc.message != "Unauthorized" else UNAUTHORIZED
        response = api.create_response(request, {"detail": message}, status=401)
        response["WWW-Authenticate"] = "Bearer"
        return response

    def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        message = str(exc)
        # Ninja hides why a body could not be read; the JSON error's line and column help.
        if exc.status_code == 400 and isinstance(exc.__cause__, ValueError):
            message = f"The request body is not valid JSON: {exc.__cause__}"
        return api.create_response(request, {"detail": message}, status=exc.status_code)

    def on_read_only(request: HttpRequest, exc: ReadOnly) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=403)

    def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
        body = {"detail": exc.message, "current_version": exc.current_version}
        return api.create_response(request, body, status=409)

    def on_validation(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        items = [
            item if "path" in item else error_item(item.get("loc", []), item.get("msg", ""))
            for item in exc.errors
        ]
        return unprocessable(api, request, items)

    def on_field_error(request: HttpRequest, exc: Exception) -> HttpResponse:
        source = getattr(exc, "source", "body")
        field = getattr(exc, "field", "")
        message = getattr(exc, "message", None) or str(exc)
        return unprocessable(api, request, [error_item([source, field], message)])

    # Handlers match subclasses too: the domain's NotFound (an Http404) is the same 404 that
    # tells nothing more, and NotAllowed (a ReadOnly) the same 403 that says why.
    _on(api, Http404, on_404)
    _on(api, HttpError, on_http_error)
    _on(api, Throttled, on_throttled)
    _on(api, AuthenticationError, on_unauthenticated)
    _on(api, ReadOnly, on_read_only)
    _on(api, Conflict, on_conflict)
    _on(api, ValidationError, on_validation)
    for error in (FieldError, ActionError, CheckInError):
        _on(api, error, on_field_error)
