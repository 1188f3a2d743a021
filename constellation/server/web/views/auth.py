"""Signing in, the start page and the organisation switcher."""

from __future__ import annotations

import ipaddress
from typing import Any

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.accounts.oidc import password_login_on, provider_name, sso_enabled
from constellation.server.orgs.access import access_org, organizations_of, sign_in_list


class LoginView(auth_views.LoginView):
    """Django's login page, with "Sign in with <provider>" when single sign-on is on."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The form's context, and which ways of signing in the page offers."""
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = provider_name() if sso_enabled() else ""
        context["password_login"] = password_login_on()
        context["demo_people"] = demo_people(self.request) if context["password_login"] else []
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse passwords when PASSWORD_LOGIN is off, whatever the page showed."""
        if not password_login_on():
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)


# What each role of the demo lets a visitor try, for the list on the demo's login page.
ROLE_PARTS = {
    "owner": "sees and changes everything, runs the organisation",
    "admin": "runs people, teams and settings",
    "leader": "answers review requests and launches a team's OKRs",
    "member": "drafts OKRs, checks in, sends a draft for review",
    "viewer": "reads everything, changes nothing",
}


def demo_people(request: HttpRequest) -> list[dict[str, Any]]:
    """The demo's people with their roles, for a visitor on this very machine; else none.

    Only when this server is `okr demo` (`DEMO_ORGANIZATION`) and the request comes from the
    loopback address: anywhere else the list would hand out who to try a password on.
    """
    # Here, not at the top: the throttle's lockout page imports this module's LoginView.
    from constellation.server.web.login_throttle import client_address

    slug = settings.DEMO_ORGANIZATION
    if not slug or not _is_loopback(client_address(request)):
        return []
    return [
        {
            "user": membership.user,
            "username": membership.user.get_username(),
            "role": membership.role,
            "part": ROLE_PARTS.get(membership.role, ""),
            "teams": [team.name for team in membership.teams.all()],
        }
        for membership in sign_in_list(slug)
    ]


def _is_loopback(address: str | None) -> bool:
    try:
        return ipaddress.ip_address((address or "").strip()).is_loopback
    except ValueError:
        return False


login = LoginView.as_view()
# Django's LogoutView signs out on POST only, so a link cannot sign anyone out.
logout = auth_views.LogoutView.as_view()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The person's home in their first organisation, or a page saying they belong to none."""
    organizations = organizations_of(request.user)
    if organizations:
        return redirect("personal-home", org=organizations[0].slug)
    return render(request, "web/no_organization.html")


@login_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    """The switcher's target (a GET form, so it works without JavaScript)."""
    slug = request.GET.get("org", "").strip()
    if not slug:
        return redirect("home")
    access = access_org(request.user, slug)  # 404 unless the person belongs to it
    return redirect(reverse("dashboard", kwargs={"org": access.organization.slug}))
