"""Login throttling (django-axes): who is signing in from where, and the page a lockout shows.

After `LOGIN_FAILURE_LIMIT` failed sign-ins for one username or from one address within
`LOGIN_LOCKOUT_MINUTES`, that username and that address are refused for as long; an admin lifts
it on the admin's "Access attempts" page or with `python -m django axes_reset_username NAME`.
"""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from constellation.server.web.views.auth import LoginView

LOCKED_OUT = (
    "Too many failed sign-ins for this account or address: try again in {minutes} minutes, "
    "or ask an admin to lift it."
)


class LoginThrottleBackend(AxesStandaloneBackend):
    """Axes' lockout check for every sign-in that comes with a request.

    A sign-in without a request never comes from a client (the Django test client's `login()`,
    a shell): there is no address to count, so it is left to the next backend rather than
    refused with an error.
    """

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> None:
        """Raise PermissionDenied when the username or the address is locked out."""
        if request is None:
            return None
        return super().authenticate(request, username, password, **kwargs)


def client_address(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or X-Forwarded-For's entry behind trusted proxies.

    `TRUSTED_PROXY_COUNT` proxies each append the address they saw; the client is the one
    that many places from the end. Anything further left was written by the client itself.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if count <= 0 or not forwarded:
        return remote
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    return hops[-min(count, len(hops))] if hops else remote


def locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """The sign-in page again, status 429, saying why and for how long (axes' lockout view)."""
    # The login view's own context (its ways of signing in, `next`), with an unbound form:
    # binding the posted one would try the password again.
    view = LoginView()
    view.setup(request)
    username = request.POST.get("username", "")
    context = view.get_context_data(
        form=AuthenticationForm(request, initial={"username": username})
    )
    context["locked_out"] = LOCKED_OUT.format(minutes=settings.LOGIN_LOCKOUT_MINUTES)
    return render(request, view.template_name, context, status=429)
