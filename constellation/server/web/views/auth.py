"""Signing in, the start page and the organisation switcher."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.accounts.oidc import password_login_on, provider_name, sso_enabled
from constellation.server.orgs.access import access_org, organizations_of


class LoginView(auth_views.LoginView):
    """Django's login page, with "Sign in with <provider>" when single sign-on is on."""

    template_name = "web/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        """The form's context, and which ways of signing in the page offers."""
        context = super().get_context_data(**kwargs)
        context["sso_provider"] = provider_name() if sso_enabled() else ""
        context["password_login"] = password_login_on()
        return context

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        """Refuse passwords when PASSWORD_LOGIN is off, whatever the page showed."""
        if not password_login_on():
            return self.render_to_response(self.get_context_data(), status=403)
        return super().post(request, *args, **kwargs)


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
