"""The Content-Security-Policy every answer carries.

Django 5.2 has no CSP of its own; a few lines of middleware are enough for one fixed policy,
without the django-csp dependency. The pages load scripts and stylesheets from the server
only and run no inline script, so a page made to carry injected markup still runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase

POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        # Stylesheets from the server only; `style` attributes are allowed because progress
        # bars and team indents set a computed width or margin per row (no <style> elements).
        "style-src 'self'",
        "style-src-attr 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
    )
)


class ContentSecurityPolicyMiddleware:
    """Adds the policy to every answer that does not set its own."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", POLICY)
        return response
