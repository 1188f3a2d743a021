"""The first admin's setup link, the profile page and password reset by email."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as sign_in
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from constellation.server.accounts.access import profile_of, setup_link_state
from constellation.server.accounts.actions import (
    ProfileEdit,
    do_complete_setup,
    do_confirm_email,
    do_request_email_change,
    do_update_profile,
)
from constellation.server.accounts.oidc import password_login_on
from constellation.server.errors import ActionError, NotFound
from constellation.server.okrs.actions import do_start_first_period
from constellation.server.orgs.access import access_org
from constellation.server.web.accounts_forms import OutboxPasswordResetForm, ProfileForm, SetupForm
from constellation.server.web.forms import add_action_error

PASSWORD_BACKEND = "django.contrib.auth.backends.ModelBackend"


def _dead_link(request: HttpRequest, state: str) -> HttpResponse:
    """A clear page for a setup link that is unknown (404) or used up (410)."""
    status = 404 if state == "unknown" else 410
    return render(request, "web/accounts/setup_dead.html", {"state": state}, status=status)


@require_http_methods(["GET", "HEAD", "POST"])
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time setup link: create the organisation and its owner, then sign them in."""
    state = setup_link_state(token)
    if state != "open":
        return _dead_link(request, state)
    form = SetupForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            # One transaction: an organisation is never left without its first period.
            with transaction.atomic():
                user = do_complete_setup(token, form.organization(), form.account())
                # The owner's first visit to the drafting page must offer "New objective".
                organization = access_org(user, form.organization().slug).organization
                do_start_first_period(organization, user)
        except NotFound:
            return _dead_link(request, "used")  # someone else used it a moment ago
        except ActionError as refused:
            add_action_error(form, _setup_field(refused))
        else:
            sign_in(request, user, backend=PASSWORD_BACKEND)
            return redirect("dashboard", org=organization.slug)
    status = 422 if form.is_bound else 200
    return render(request, "web/accounts/setup.html", {"form": form}, status=status)


def _setup_field(refused: ActionError) -> ActionError:
    """The setup form names the organisation's fields `organization_*`."""
    if refused.field in {"slug", "name"}:
        return ActionError(f"organization_{refused.field}", refused.message)
    return refused


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in person's own profile: name, email, time zone and which emails they get."""
    user: Any = request.user  # signed in: login_required
    current = profile_of(user)
    initial = {
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "time_zone": current.time_zone,
        "email_notifications": current.email_notifications,
        "email_digests": current.email_digests,
    }
    form = ProfileForm(request.POST if request.method == "POST" else None, initial=initial)
    if form.is_valid():
        edit = ProfileEdit(**form.cleaned_data)
        try:
            with transaction.atomic():
                do_update_profile(user, edit)
                changed = edit.email.strip().lower() != (user.email or "").lower()
                if changed:
                    do_request_email_change(user, edit.email)
        except ActionError as refused:
            add_action_error(form, refused)
        else:
            messages.success(request, "Your profile is saved.")
            if changed:
                messages.info(
                    request,
                    f"To use {edit.email.strip()}, open the link we sent there; until then your "
                    f"address stays {user.email or 'unset'}.",
                )
            return redirect("profile")
    status = 422 if form.errors else 200
    return render(request, "web/accounts/profile.html", {"form": form}, status=status)


@login_required
def confirm_email(request: HttpRequest, token: str) -> HttpResponse:
    """`/profile/email/<token>/`: the link sent to a new address; it becomes the account's."""
    try:
        address = do_confirm_email(request.user, token)
    except ActionError as refused:
        messages.error(request, refused.message)
        return redirect("profile")
    messages.success(request, f"Your email address is now {address}.")
    return redirect("profile")


def passwords_on(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Answer 404 when password sign-in is off: a reset would be a way around the provider."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not password_login_on():
            raise NotFound("Passwords are not used here: sign in with single sign-on.")
        return view(request, *args, **kwargs)

    return wrapper


password_reset = passwords_on(
    auth_views.PasswordResetView.as_view(
        form_class=OutboxPasswordResetForm,
        template_name="web/accounts/password_reset_form.html",
        email_template_name="web/accounts/password_reset_email.txt",
        subject_template_name="web/accounts/password_reset_subject.txt",
        success_url=reverse_lazy("password-reset-done"),
    )
)
password_reset_done = passwords_on(
    auth_views.PasswordResetDoneView.as_view(template_name="web/accounts/password_reset_done.html")
)
# The same page sets a first password (the link `okr user create` prints) and a new one; on
# success the person is signed in and lands on their organisation.
password_reset_confirm = passwords_on(
    auth_views.PasswordResetConfirmView.as_view(
        template_name="web/accounts/password_reset_confirm.html",
        post_reset_login=True,
        post_reset_login_backend=PASSWORD_BACKEND,
        success_url=reverse_lazy("home"),
    )
)
