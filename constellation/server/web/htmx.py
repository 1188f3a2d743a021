"""The request as the htmx middleware leaves it, for the type hints of views that read it."""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails


class HtmxHttpRequest(HttpRequest):
    """A request with `htmx` (set by `HtmxMiddleware` on every request): only a type hint."""

    htmx: HtmxDetails
