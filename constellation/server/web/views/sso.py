"""Single sign-on's two pages: off to the provider, and back with a code (mozilla-django-oidc).

Every way the round trip can fail ends on a page that says why, with a link back to the login
page: never a server error, never a silent redirect to the login page and round again.
"""

from __future__ import annotations

import logging
from typing import Any

import requests
from django.core.exceptions import SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from mozilla_django_oidc.views import (  # type: ignore[import-untyped]
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from constellation.server.accounts.oidc import (
    DiscoveryError,
    oidc_setting,
    provider_name,
    sso_enabled,
)

log = logging.getLogger(__name__)


def refused(request: HttpRequest, reason: str, status: int = 403) -> HttpResponse:
    """The page that says why single sign-on did not let the person in."""
    context = {"reason": reason, "provider_name": provider_name()}
    return render(request, "web/sso_refused.html", context, status=status)


def _unreachable(request: HttpRequest, error: Exception) -> HttpResponse:
    log.warning("single sign-on failed: %s", error)
    reason = f"Signing in with {provider_name()} failed: the provider could not be reached or "
    reason += "did not answer as expected. Try again in a moment, or tell an admin."
    return refused(request, reason, status=502)


class SsoStart(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's authorization endpoint."""

    get_settings = staticmethod(oidc_setting)

    def __init__(self, **kwargs: Any) -> None:
        # The library reads the endpoint here; it waits for `get`, where a failure has a page.
        for key, value in kwargs.items():
            setattr(self, key, value)

    def get(self, request: HttpRequest) -> HttpResponse:
        """A redirect to the provider, or the page saying it cannot be reached."""
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        try:
            self.OIDC_OP_AUTH_ENDPOINT = oidc_setting("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except DiscoveryError as error:
            return _unreachable(request, error)
        self.OIDC_RP_CLIENT_ID = oidc_setting("OIDC_RP_CLIENT_ID")
        response: HttpResponse = super().get(request)
        return response


class SsoCallback(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: signs the person in, or says why not."""

    get_settings = staticmethod(oidc_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        """Exchange the code and sign in; every failure ends on the refusal page."""
        if not sso_enabled():
            raise Http404("Single sign-on is not configured")
        try:
            response: HttpResponse = super().get(request)
        except (requests.RequestException, DiscoveryError) as error:
            return _unreachable(request, error)
        except SuspiciousOperation as error:
            # A stale or replayed callback, or a token that does not check out.
            log.warning("single sign-on answer refused: %s", error)
            reason = "This sign-in could not be verified (an old or reused link?). "
            reason += "Start again from the login page."
            return refused(request, reason, status=400)
        return response

    def login_failure(self) -> HttpResponse:
        """The refusal's reason when the sign-in rules refused, else a plain "try again"."""
        reason = getattr(self.request, "sso_refusal", None)
        if reason is None:
            reason = f"Signing in with {provider_name()} did not complete. Please try again."
        return refused(self.request, reason)
