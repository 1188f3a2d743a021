"""Signing in, the start page and the organisation switcher."""

from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from constellation.server.orgs.access import access_org, organizations_of

login = auth_views.LoginView.as_view(
    template_name="web/login.html", redirect_authenticated_user=True
)
# Django's LogoutView signs out on POST only, so a link cannot sign anyone out.
logout = auth_views.LogoutView.as_view()


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """The first organisation's dashboard, or a page saying you belong to none."""
    organizations = organizations_of(request.user)
    if organizations:
        return redirect("dashboard", org=organizations[0].slug)
    return render(request, "web/no_organization.html")


@login_required
def switch_organization(request: HttpRequest) -> HttpResponse:
    """The switcher's target (a GET form, so it works without JavaScript)."""
    slug = request.GET.get("org", "").strip()
    if not slug:
        return redirect("home")
    access = access_org(request.user, slug)  # 404 unless the person belongs to it
    return redirect(reverse("dashboard", kwargs={"org": access.organization.slug}))
