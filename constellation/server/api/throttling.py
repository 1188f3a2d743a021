"""The API's rate limit: per token, per signed-in person, else per address (`API_RATE`)."""

from __future__ import annotations

import math

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle

TOO_MANY = "Too many requests: retry after {seconds} seconds (the Retry-After header says when)."


class ApiRate(SimpleRateThrottle):
    """`settings.API_RATE` ("600/m") per token, per session user, else per client address.

    The rate is read on each request rather than once at import, so an operator's setting and
    a test's override_settings both apply. The counts live in Django's cache.
    """

    scope = "api"

    def __init__(self) -> None:
        super().__init__(rate=settings.API_RATE)

    def allow_request(self, request: HttpRequest) -> bool:
        """Count this request; False once the caller is over the rate."""
        if self.rate != settings.API_RATE:
            self.rate = settings.API_RATE
            self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_cache_key(self, request: HttpRequest) -> str:
        """One bucket per token, per signed-in person, else per address."""
        token = getattr(request, "api_token", None)
        user = getattr(request, "user", None)
        if token is not None:
            ident = f"token-{token.pk}"
        elif user is not None and user.is_authenticated:
            ident = f"user-{user.pk}"
        else:
            ident = f"address-{self.get_ident(request)}"
        return self.cache_format % {"scope": self.scope, "ident": ident}

    def retry_after(self) -> int:
        """Whole seconds until the oldest counted request leaves the window (at least 1)."""
        if not getattr(self, "history", None) or self.duration is None:
            return 1
        return max(1, math.ceil(self.duration - (self.now - self.history[-1])))
